package scanner

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// snapshot turns the live hosts into records: one IP address per host
// (the bare address, /32 or /128: the merge takes the network's prefix
// length from a source that knows it), status active, its reverse DNS name
// and its open ports in the description; its MAC address, when the
// neighbour table knows it, as a MAC address record the merge joins with
// the one another source reports, the IP address on the interface that
// carries it; and a service per open port on the device or virtual machine
// that holds the address (inventory's merge resolves both). Addresses that answered in
// an earlier run and not in this one are gaps: kept in NetBox as they are
// until they have been silent for missed_runs runs, counted in hist; the
// history the next run starts from is returned with the snapshot.
func (s *Source) snapshot(hosts []*host, warnings []string, hist history) (*source.Snapshot, history) {
	b := source.NewBuilder(SourceType, s.Name)
	live := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		live[h.addr.String()] = true
		ipKey := b.Key("ip", h.addr.String())
		ip := source.NewRecord(inventory.KindIPAddress, ipKey)
		ip.Set("address", netip.PrefixFrom(h.addr, h.addr.BitLen()).String())
		ip.Set("status", "active")
		ip.Set("dns_name", h.name)
		ip.Set("description", describe(h))
		if h.mac != "" {
			mac := source.NewRecord(inventory.KindMACAddress, source.ChildKey(ipKey, "mac"))
			mac.Set("mac_address", h.mac)
			b.Add(mac)
			// The address is on whichever interface another source says
			// carries this MAC: the merge resolves it.
			ip.Ref("interface", mac.Key)
		}
		b.Add(ip)
		s.standIn(b, h, ipKey)
		for _, port := range h.open {
			name := serviceName(port)
			if d := h.detected[port]; d != "" {
				name = d
			}
			b.Add(service(ipKey, protoTCP, port, name))
		}
		for _, port := range h.udpOpen {
			b.Add(service(ipKey, protoUDP, port, udpServiceName(port)))
		}
	}
	next, kept := hist.next(live, func(a string) bool {
		addr, err := netip.ParseAddr(a)
		return err == nil && s.opts.targets.contains(addr)
	}, s.opts.MissedRuns)
	kinds := []inventory.Kind{inventory.KindIPAddress, inventory.KindMACAddress, inventory.KindService}
	if s.opts.DiscoveredRole != "" {
		kinds = append(kinds, inventory.KindDevice, inventory.KindInterface)
	}
	for a, n := range kept {
		b.Unseen(b.Key("ip", a), fmt.Sprintf("%s did not answer in the last %d of up to %d runs", a, n, s.opts.MissedRuns), kinds...)
	}
	return b.Snapshot(warnings), next
}

// service is the record of an open port of the address at ipKey: on the
// device or VM that holds the address, when another source knows it (or a
// stand-in does); the merge leaves it out otherwise.
func service(ipKey, proto string, port int, name string) inventory.Record {
	svc := source.NewRecord(inventory.KindService, source.ChildKey(ipKey, "service", proto, strconv.Itoa(port)))
	svc.Set("name", name)
	svc.Set("protocol", proto)
	svc.Set("ports", []int64{int64(port)})
	svc.Ref("parent", ipKey)
	return svc
}

// describe says how a host answered: "open tcp 22, 443", "answers ping",
// "answers ARP only", "answers NDP only".
func describe(h *host) string {
	var parts []string
	if len(h.open) > 0 {
		parts = append(parts, "open tcp "+joinPorts(h.open))
	}
	if len(h.udpOpen) > 0 {
		parts = append(parts, "open udp "+joinPorts(h.udpOpen))
	}
	if h.arpOnly {
		parts = append(parts, "answers ARP only")
	}
	if h.ndpOnly {
		parts = append(parts, "answers NDP only")
	}
	if len(parts) == 0 {
		return ""
	}
	return "scanner: " + strings.Join(parts, "; ")
}

// serviceNames name the services of well-known ports.
var serviceNames = map[int]string{
	21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 53: "dns", 80: "http", 110: "pop3", 143: "imap",
	443: "https", 445: "smb", 631: "ipp", 993: "imaps", 1883: "mqtt", 2049: "nfs", 3260: "iscsi",
	3306: "mysql", 3389: "rdp", 5432: "postgresql", 5900: "vnc", 5985: "winrm", 5986: "winrm-https",
	8006: "proxmox", 8080: "http-alt", 8123: "home-assistant", 8443: "https-alt",
}

// serviceName is the name of the service on a TCP port: its well-known
// name, else "tcp-<port>".
func serviceName(port int) string {
	if n, ok := serviceNames[port]; ok {
		return n
	}
	return "tcp-" + strconv.Itoa(port)
}

// joinPorts writes ports as "22, 443".
func joinPorts(ports []int) string {
	text := make([]string, len(ports))
	for i, p := range ports {
		text[i] = strconv.Itoa(p)
	}
	return strings.Join(text, ", ")
}

// udpServiceNames name the services of well-known UDP ports.
var udpServiceNames = map[int]string{
	7: "echo", 53: "dns", 67: "dhcp", 69: "tftp", 123: "ntp", 161: "snmp", 500: "isakmp", 514: "syslog",
	1900: "ssdp", 5353: "mdns",
}

// udpServiceName is the name of the service on a UDP port: its well-known
// name, else "udp-<port>".
func udpServiceName(port int) string {
	if n, ok := udpServiceNames[port]; ok {
		return n
	}
	return "udp-" + strconv.Itoa(port)
}

// Stand-in devices (discovered_role) are of this type and have this one
// interface: the scan knows nothing of the host's make or its ports' names.
const (
	standInManufacturer = "Unknown"
	standInModel        = "Unknown"
	standInInterface    = "scan0"
)

// standIn adds, when discovered_role is set, the device and interface that
// stand in for the host at ipKey (inventory.Record.StandIn): the merge keeps
// them only when no other source reports the address or its MAC, and then
// puts the address and the MAC on the interface. The device is named after
// the host's reverse DNS name, else its address.
func (s *Source) standIn(b *source.Builder, h *host, ipKey string) {
	if s.opts.DiscoveredRole == "" {
		return
	}
	name := h.name
	if name == "" {
		name = h.addr.String()
	}
	dev := source.NewRecord(inventory.KindDevice, source.ChildKey(ipKey, "device"))
	dev.Set("name", name)
	dev.Set("status", "active")
	dev.Set("description", describe(h))
	dev.Ref("site", b.Shared(inventory.KindSite, s.opts.DiscoveredSite))
	dev.Ref("role", b.Shared(inventory.KindDeviceRole, s.opts.DiscoveredRole))
	dev.Ref("device_type", b.DeviceType(standInManufacturer, standInModel, ""))
	dev.StandIn = ipKey
	iface := source.NewRecord(inventory.KindInterface, source.ChildKey(dev.Key, "iface", standInInterface))
	iface.Set("name", standInInterface)
	iface.Set("type", "other")
	iface.Ref("device", dev.Key)
	iface.StandIn = ipKey
	b.Add(dev)
	b.Add(iface)
}
