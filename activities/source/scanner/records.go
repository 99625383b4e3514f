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
		for _, port := range h.open {
			svc := source.NewRecord(inventory.KindService, source.ChildKey(ipKey, "service", "tcp", strconv.Itoa(port)))
			svc.Set("name", serviceName(port))
			svc.Set("protocol", "tcp")
			svc.Set("ports", []int64{int64(port)})
			// On the device or VM that holds the address, when another
			// source knows it; the merge leaves it out otherwise.
			svc.Ref("parent", ipKey)
			b.Add(svc)
		}
	}
	next, kept := hist.next(live, func(a string) bool {
		addr, err := netip.ParseAddr(a)
		return err == nil && s.opts.targets.contains(addr)
	}, s.opts.MissedRuns)
	for a, n := range kept {
		b.Unseen(b.Key("ip", a), fmt.Sprintf("%s did not answer in the last %d of up to %d runs", a, n, s.opts.MissedRuns),
			inventory.KindIPAddress, inventory.KindMACAddress, inventory.KindService)
	}
	return b.Snapshot(warnings), next
}

// describe says how a host answered: "open tcp 22, 443", "answers ping",
// "answers ARP only".
func describe(h *host) string {
	var parts []string
	if len(h.open) > 0 {
		ports := make([]string, len(h.open))
		for i, p := range h.open {
			ports[i] = strconv.Itoa(p)
		}
		parts = append(parts, "open tcp "+strings.Join(ports, ", "))
	}
	if h.arpOnly {
		parts = append(parts, "answers ARP only")
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
