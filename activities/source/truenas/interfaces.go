package truenas

import (
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// DefaultPhysicalType is the NetBox type of a physical NIC whose speed and
// medium nothing tells (a link that is down on a NIC that lists no modes).
const DefaultPhysicalType = "1000base-t"

// TrueNAS interface types (interface.query "type").
const (
	typePhysical = "PHYSICAL"
	typeLAG      = "LINK_AGGREGATION"
	typeVLAN     = "VLAN"
	typeBridge   = "BRIDGE"
)

// interfaces adds the system's interfaces with their LAG, bridge and VLAN
// relations, MAC and IP addresses; it returns the IP record keys by address.
func (s *Source) interfaces(b *source.Builder, devKey string, list []iface) map[netip.Addr]string {
	exists := map[string]bool{}
	byName := map[string]iface{}
	for _, it := range list {
		exists[it.Name] = true
		byName[it.Name] = it
	}
	lagOf, bridgeOf := map[string]string{}, map[string]string{}
	for _, it := range list {
		switch it.Type {
		case typeLAG:
			for _, m := range lagMembers(it) {
				lagOf[m] = it.Name
			}
		case typeBridge:
			for _, m := range it.BridgeMembers {
				bridgeOf[m] = it.Name
			}
		}
	}
	ifKey := func(name string) string { return source.ChildKey(devKey, "iface", name) }
	ips := map[netip.Addr]string{}
	for _, it := range list {
		name := strings.TrimSpace(it.Name)
		if name == "" {
			continue
		}
		r := source.NewRecord(inventory.KindInterface, ifKey(name))
		r.Set("name", name)
		r.Set("type", s.interfaceType(it))
		r.Set("enabled", hasFlag(it.State.Flags, "UP"))
		if it.State.MTU > 0 {
			r.Set("mtu", int64(it.State.MTU))
		} else if it.MTU != nil && *it.MTU > 0 {
			r.Set("mtu", int64(*it.MTU))
		}
		if d := strings.TrimSpace(it.Description); d != name {
			r.Set("description", d)
		}
		r.Ref("device", devKey)
		if lag := lagOf[name]; exists[lag] {
			r.Ref("lag", ifKey(lag))
		}
		if br := bridgeOf[name]; exists[br] {
			r.Ref("bridge", ifKey(br))
		}
		if parent := vlanParent(it); parent != "" && parent != name && exists[parent] {
			r.Ref("parent", ifKey(parent))
		}
		b.Add(r)

		if mac, ok := interfaceMAC(it); ok && !lagRewritten(it, mac, byName[lagOf[name]]) {
			b.MACAddress(r.Key, mac)
		}
		for _, a := range interfaceAddresses(it) {
			key, addr := b.IPAddress(r.Key, a.cidr, a.status)
			ips[addr] = key
		}
	}
	return ips
}

// lagRewritten reports a LAG member whose only MAC is the one its LAG gave
// it: FreeBSD's lagg sets every port to the lagg's address and TrueNAS CORE
// reports no permanent address, so the port's own MAC is not known.
func lagRewritten(it iface, mac string, lag iface) bool {
	if lag.Name == "" || it.Type != typePhysical || strings.TrimSpace(it.State.HardwareLinkAddress) != "" {
		return false
	}
	lagMAC, ok := interfaceMAC(lag)
	return ok && lagMAC == mac
}

// lagMembers are a LAG's ports: configured, else live.
func lagMembers(it iface) []string {
	if len(it.LagPorts) > 0 {
		return it.LagPorts
	}
	out := make([]string, 0, len(it.State.Ports))
	for _, p := range it.State.Ports {
		out = append(out, p.Name)
	}
	return out
}

func vlanParent(it iface) string {
	if p := str(it.VLANParentInterface); p != "" {
		return p
	}
	return str(it.State.Parent)
}

func hasFlag(flags []string, want string) bool {
	for _, f := range flags {
		if f == want {
			return true
		}
	}
	return false
}

// interfaceMAC is the interface's MAC: a physical NIC's burned-in address
// (a bond rewrites its members' current one), else the current address.
func interfaceMAC(it iface) (string, bool) {
	candidates := []string{it.State.LinkAddress}
	if it.Type == typePhysical {
		candidates = []string{it.State.HardwareLinkAddress, it.State.LinkAddress}
	}
	for _, c := range candidates {
		if mac, ok := inventory.NormalizeMAC(c); ok && mac != "00:00:00:00:00:00" {
			return mac, true
		}
	}
	return "", false
}

// address is an IP address of an interface and its NetBox status.
type address struct {
	cidr   string
	status string
}

// interfaceAddresses are the usable addresses of an interface: the
// configured ones (status active) and the live ones; a live address nobody
// configured came from DHCP (IPv4) or autoconfiguration (IPv6).
func interfaceAddresses(it iface) []address {
	seen := map[string]bool{}
	var out []address
	add := func(al ifaceAlias, configured bool) {
		var v6 bool
		switch al.Type {
		case "INET":
		case "INET6":
			v6 = true
		default:
			return // LINK: the MAC
		}
		cidr, ok := aliasCIDR(al)
		if !ok || !inventory.IsUsableIP(cidr) || seen[cidr] {
			return
		}
		seen[cidr] = true
		status := "active"
		switch {
		case configured:
		case !v6 && it.IPv4DHCP:
			status = "dhcp"
		case v6 && it.IPv6Auto:
			status = "slaac"
		}
		out = append(out, address{cidr: cidr, status: status})
	}
	for _, al := range it.Aliases {
		add(al, true)
	}
	for _, al := range it.State.Aliases {
		add(al, false)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cidr < out[j].cidr })
	return out
}

// aliasCIDR joins an alias's address and netmask (a prefix length or a
// dotted mask) into CIDR form.
func aliasCIDR(al ifaceAlias) (string, bool) {
	addr := strings.TrimSpace(al.Address)
	mask := strings.TrimSpace(string(al.Netmask))
	if mask != "" && !strings.Contains(addr, "/") {
		if bits, err := strconv.Atoi(mask); err == nil {
			addr += "/" + strconv.Itoa(bits)
		} else if m, err := netip.ParseAddr(mask); err == nil && m.Is4() {
			addr += "/" + strconv.Itoa(maskBits(m))
		}
	}
	return inventory.NormalizeIP(addr)
}

func maskBits(m netip.Addr) int {
	n := 0
	for _, b := range m.As4() {
		for ; b&0x80 != 0; b <<= 1 {
			n++
		}
	}
	return n
}

// interfaceType is the NetBox type of an interface: the configured one for
// its name or a matching pattern, else what its TrueNAS type, link speed
// and medium imply.
func (s *Source) interfaceType(it iface) string {
	if t, ok := source.InterfaceType(s.opts.InterfaceTypes, it.Name); ok {
		return t
	}
	switch it.Type {
	case typeLAG:
		return "lag"
	case typeBridge:
		return "bridge"
	case typeVLAN:
		return "virtual"
	case typePhysical:
		if t, known := physicalType(it.State.ActiveMediaSubtype, it.State.SupportedMedia); known {
			return t
		}
		if t, ok := driverTypes[freebsdDriver(it.Name)]; ok {
			return t
		}
		return DefaultPhysicalType
	}
	if t, ok := cloneTypes[freebsdDriver(it.Name)]; ok {
		return t
	}
	return "other"
}

// NetBox types by link speed in Mb/s, for twisted pair and for pluggable
// optics and direct-attach cables.
var (
	copperTypes = map[int]string{
		10: "10base-t", 100: "100base-tx", 1000: "1000base-t", 2500: "2.5gbase-t",
		5000: "5gbase-t", 10000: "10gbase-t",
	}
	pluggableTypes = map[int]string{
		100: "100base-x-sfp", 1000: "1000base-x-sfp", 10000: "10gbase-x-sfpp", 25000: "25gbase-x-sfp28",
		40000: "40gbase-x-qsfpp", 50000: "50gbase-x-sfp56", 100000: "100gbase-x-qsfp28",
		200000: "200gbase-x-qsfp56", 400000: "400gbase-x-qsfpdd",
	}
)

// activeMedia reads "10000Mb/s Fibre", "1000Mb/s Twisted Pair" or "Unknown
// Twisted Pair" (a link that is down), as the middleware reports ethtool's
// speed and port.
var activeMedia = regexp.MustCompile(`^([0-9]+)Mb/s\s*(.*)$`)

// physicalType maps a NIC's negotiated speed and port to a NetBox type;
// without a speed (the link is down) the fastest mode the NIC supports
// decides; known is false when neither tells anything. A speed no NetBox
// type fits is "other".
func physicalType(media string, supported []string) (t string, known bool) {
	media = strings.TrimSpace(media)
	if m := activeMedia.FindStringSubmatch(media); m != nil {
		speed, err := strconv.Atoi(m[1])
		if err == nil && speed > 0 {
			return linuxMediaType(speed, strings.ToLower(m[2]), supported), true
		}
	}
	if speed, copper, ok := parseMediaMode(media); ok {
		return typeFor(mediumTypes(copper), speed), true
	}
	if fastest, copper, ok := fastestMode(supported); ok {
		return typeFor(mediumTypes(copper), fastest), true
	}
	return "", false
}

// linuxMediaType maps ethtool's speed and port ("twisted pair", "fibre",
// "direct attach copper", "other") to a NetBox type.
func linuxMediaType(speed int, port string, supported []string) string {
	switch {
	case strings.Contains(port, "twisted"):
		return typeFor(copperTypes, speed)
	case strings.Contains(port, "fibre"), strings.Contains(port, "direct attach"):
		return typeFor(pluggableTypes, speed)
	}
	if fastest, copper, ok := fastestMode(supported); ok && fastest == speed {
		return typeFor(mediumTypes(copper), speed)
	}
	if t, ok := copperTypes[speed]; ok {
		return t
	}
	return typeFor(pluggableTypes, speed)
}

func mediumTypes(copper bool) map[int]string {
	if copper {
		return copperTypes
	}
	return pluggableTypes
}

func typeFor(types map[int]string, speed int) string {
	if t, ok := types[speed]; ok {
		return t
	}
	return "other"
}

// fastestMode finds the fastest supported link mode and whether it runs
// over twisted pair ("baseT").
func fastestMode(modes []string) (speed int, copper, ok bool) {
	for _, mode := range modes {
		n, c, found := parseMediaMode(mode)
		if !found || n <= speed {
			continue
		}
		speed, copper, ok = n, c, true
	}
	return speed, copper, ok
}
