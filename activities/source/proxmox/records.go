package proxmox

import (
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// ClusterTypeName is the NetBox cluster type of every Proxmox cluster.
const ClusterTypeName = "Proxmox VE"

// mapper turns what was discovered into records; it holds the keys every
// record of the instance refers to.
type mapper struct {
	opts       options
	siteKey    string
	clusterKey string
	typeKey    string
	roleKey    string
	vmRoleKey  string
	vlans      *vlans
}

// nodeKey is the key of a node's device.
func nodeKey(b *source.Builder, name string) string { return b.Key("node", name) }

// snapshot maps the survey to records and gathers the warnings.
func (s *Source) snapshot(sv *survey) *source.Snapshot {
	b := source.NewBuilder(SourceType, s.Name)
	m := &mapper{opts: s.opts}
	m.shared(b, sv)
	warnings := append([]string(nil), sv.Warnings...)
	for _, n := range sv.Nodes {
		m.node(b, n)
		nodeGaps(b, n)
		warnings = append(warnings, n.Warnings...)
	}
	for _, g := range sv.Guests {
		warnings = append(warnings, m.guest(b, g)...)
		guestGaps(b, g)
		switch {
		case g.Detail == nil:
			m.vlans.unseen = "node " + g.Node + " offline: its guests' VLAN tags not read"
		case g.Detail.ConfigUnseen != "":
			m.vlans.unseen = g.Type + " " + strconv.FormatUint(g.VMID, 10) + ": config not read, its VLAN tags unknown"
		}
		if g.Detail != nil {
			warnings = append(warnings, g.Detail.Warnings...)
		}
	}
	m.vlans.add(b, sv.ClusterName, m.clusterKey)
	sort.Strings(warnings)
	return b.Snapshot(warnings)
}

// nodeGaps records what the snapshot does not know of a node: its
// interfaces and addresses when its network configuration was not read.
func nodeGaps(b *source.Builder, n *nodeState) {
	switch {
	case !n.Online:
		b.PartsUnseen(inventory.KindDevice, nodeKey(b, n.Name), "node "+n.Name+" offline")
	case !n.NetworkRead:
		b.PartsUnseen(inventory.KindDevice, nodeKey(b, n.Name), "node "+n.Name+": network configuration not read")
	}
}

// guestGaps records what the snapshot does not know of a guest: all its
// parts when its node is offline or its config was not read, its IP
// addresses when neither its agent nor the container answered.
func guestGaps(b *source.Builder, gs *guestState) {
	key := guestKey(b, gs.guest)
	switch d := gs.Detail; {
	case d == nil:
		b.PartsUnseen(inventory.KindVirtualMachine, key, "node "+gs.Node+" offline")
	case d.ConfigUnseen != "":
		b.PartsUnseen(inventory.KindVirtualMachine, key, d.ConfigUnseen)
	case d.IPsUnseen != "":
		b.Unseen(key, d.IPsUnseen, inventory.KindIPAddress)
	}
}

// guestKey is the key of a guest's virtual machine.
func guestKey(b *source.Builder, g guest) string {
	return b.Key(g.Type, strconv.FormatUint(g.VMID, 10))
}

// shared adds the site, cluster type, cluster, manufacturer, device type and
// roles that the nodes and guests refer to.
func (m *mapper) shared(b *source.Builder, sv *survey) {
	m.siteKey = b.Shared(inventory.KindSite, m.opts.Site)
	ct := b.Shared(inventory.KindClusterType, ClusterTypeName)

	cl := source.NewRecord(inventory.KindCluster, b.Key("cluster", sv.ClusterName))
	cl.Set("name", sv.ClusterName)
	cl.Set("status", "active")
	if sv.Standalone {
		cl.Set("description", "standalone Proxmox VE node")
	}
	cl.Ref("type", ct)
	cl.Ref("site", m.siteKey)
	b.Add(cl)
	m.clusterKey = cl.Key
	m.vlans = &vlans{groupKey: source.ChildKey(cl.Key, "vlan-group"), vids: map[int]bool{}}

	m.typeKey = b.DeviceType(m.opts.Manufacturer, m.opts.Model, "")

	// a role named both device_role and vm_role is one record that allows VMs
	role := source.SharedRecord(inventory.KindDeviceRole, m.opts.DeviceRole)
	if m.opts.VMRole != "" && inventory.Slug(m.opts.VMRole) == inventory.Slug(m.opts.DeviceRole) {
		role.Set("vm_role", true)
	}
	b.Add(role)
	m.roleKey = role.Key

	if m.opts.VMRole != "" {
		vr := source.SharedRecord(inventory.KindDeviceRole, m.opts.VMRole)
		vr.Set("vm_role", true)
		b.Add(vr)
		m.vmRoleKey = vr.Key
	}
}

// node adds a node's device, its platform, interfaces and addresses.
func (m *mapper) node(b *source.Builder, n *nodeState) {
	dev := source.NewRecord(inventory.KindDevice, nodeKey(b, n.Name))
	dev.Set("name", n.Name)
	dev.Set("status", nodeStatus(n.Online))
	dev.Ref("site", m.siteKey)
	dev.Ref("cluster", m.clusterKey)
	dev.Ref("device_type", m.typeKey)
	dev.Ref("role", m.roleKey)
	if name := platformName(n.Version); name != "" {
		dev.Ref("platform", b.Shared(inventory.KindPlatform, name))
	}
	ips := m.nodeInterfaces(b, dev.Key, n.Network)
	if a, err := netip.ParseAddr(n.IP); err == nil {
		if k, ok := ips[a.Unmap()]; ok {
			dev.Ref(source.PrimaryIPField(a), k)
		}
	}
	b.Add(dev)
}

func nodeStatus(online bool) string {
	if online {
		return "active"
	}
	return "offline"
}

// nodeInterfaces adds a node's interfaces with their bond, bridge and VLAN
// relations and addresses; it returns the IP record keys by address.
func (m *mapper) nodeInterfaces(b *source.Builder, devKey string, all []nodeInterface) map[netip.Addr]string {
	// an entry without a name is no interface, and no bond or bridge of others
	var network []nodeInterface
	exists := map[string]bool{}
	for _, ni := range all {
		if ni.Iface != "" {
			network = append(network, ni)
			exists[string(ni.Iface)] = true
		}
	}
	lagOf, bridgeOf := map[string]string{}, map[string]string{}
	for _, ni := range network {
		switch ni.Type {
		case "bond":
			for _, member := range strings.Fields(string(ni.Slaves)) {
				lagOf[member] = string(ni.Iface)
			}
		case "OVSBond":
			for _, member := range strings.Fields(string(ni.OVSBonds)) {
				lagOf[member] = string(ni.Iface)
			}
		case "bridge":
			for _, port := range strings.Fields(string(ni.BridgePorts)) {
				bridgeOf[port] = string(ni.Iface)
			}
		case "OVSBridge":
			for _, port := range strings.Fields(string(ni.OVSPorts)) {
				bridgeOf[port] = string(ni.Iface)
			}
		}
	}
	ifKey := func(name string) string { return source.ChildKey(devKey, "iface", name) }
	ips := map[netip.Addr]string{}
	for _, ni := range network {
		name := string(ni.Iface)
		r := source.NewRecord(inventory.KindInterface, ifKey(name))
		r.Set("name", name)
		r.Set("type", m.nodeInterfaceType(name, string(ni.Type)))
		if ni.Active == 1 {
			r.Set("enabled", true)
		}
		if validMTU(float64(ni.MTU)) {
			r.Set("mtu", int64(ni.MTU))
		}
		r.Set("description", strings.Join(strings.Fields(string(ni.Comments)), " "))
		r.Ref("device", devKey)
		if lag := lagOf[name]; exists[lag] {
			r.Ref("lag", ifKey(lag))
		}
		if br := bridgeOf[name]; exists[br] {
			r.Ref("bridge", ifKey(br))
		}
		if parent := vlanParent(ni); parent != name && exists[parent] {
			r.Ref("parent", ifKey(parent))
		}
		b.Add(r)
		for _, cidr := range nodeAddresses(ni) {
			key, addr := b.IPAddress(r.Key, cidr, "active")
			ips[addr] = key
		}
	}
	return ips
}

// nodeInterfaceType is the NetBox type of a node interface: the configured
// one for its name or a matching pattern, else what its Proxmox type implies.
func (m *mapper) nodeInterfaceType(name, pveType string) string {
	if t, ok := source.InterfaceType(m.opts.NodeInterfaceTypes, name); ok {
		return t
	}
	switch pveType {
	case "bridge", "OVSBridge":
		return "bridge"
	case "bond", "OVSBond":
		return "lag"
	case "vlan", "OVSIntPort", "alias":
		return "virtual"
	}
	// the API does not tell a NIC's speed or medium
	return "other"
}

// vlanParent is the interface a VLAN interface sits on: its
// vlan-raw-device, or the part before the dot of "eno1.20".
func vlanParent(ni nodeInterface) string {
	if ni.VLANRawDevice != "" {
		return string(ni.VLANRawDevice)
	}
	name := string(ni.Iface)
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return ""
}

// nodeAddresses are the usable addresses of a node interface in CIDR form.
func nodeAddresses(ni nodeInterface) []string {
	var out []string
	for _, c := range []struct{ cidr, addr, mask flexString }{
		{ni.CIDR, ni.Address, ni.Netmask},
		{ni.CIDR6, ni.Address6, ni.Netmask6},
	} {
		s := string(c.cidr)
		if s == "" && c.addr != "" {
			s = string(c.addr)
			if bits, ok := prefixLength(string(c.mask)); ok {
				s += "/" + strconv.Itoa(bits)
			}
		}
		if a, ok := inventory.NormalizeIP(s); ok && inventory.IsUsableIP(a) {
			out = append(out, a)
		}
	}
	return out
}

// prefixLength reads a netmask given as a length ("24") or dotted ("255.255.255.0").
func prefixLength(mask string) (int, bool) {
	if n, err := strconv.Atoi(mask); err == nil {
		return n, n >= 0 && n <= 128
	}
	ip := net.ParseIP(mask).To4()
	if ip == nil {
		return 0, false
	}
	ones, bits := net.IPMask(ip).Size()
	return ones, bits == 32
}
