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
// and its open ports in the description; and its MAC address, when the
// neighbour table knows it, as a MAC address record the merge joins with
// the interface another source reports it on. Addresses that answered in
// an earlier run and not in this one are gaps: kept in NetBox as they are
// until they have been silent for missed_runs runs.
func (s *Source) snapshot(hosts []*host, warnings []string) *source.Snapshot {
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
		b.Add(ip)
		if h.mac != "" {
			mac := source.NewRecord(inventory.KindMACAddress, source.ChildKey(ipKey, "mac"))
			mac.Set("mac_address", h.mac)
			b.Add(mac)
		}
	}
	kept := s.history.update(live, func(a string) bool {
		addr, err := netip.ParseAddr(a)
		return err == nil && s.opts.targets.contains(addr)
	}, s.opts.MissedRuns)
	for a, n := range kept {
		b.Unseen(b.Key("ip", a), fmt.Sprintf("%s did not answer in the last %d of up to %d runs", a, n, s.opts.MissedRuns),
			inventory.KindIPAddress, inventory.KindMACAddress)
	}
	return b.Snapshot(warnings)
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
