package inventory

import (
	"cmp"
	"slices"
)

// matchHosts joins devices and VMs of different sources by the MACs of
// their interfaces: two hosts are the same when the MACs they share are
// at least MergeOptions.MACOverlap of the MACs of the one with fewer.
// Pairs are tried best score first, so that a host that overlaps two
// others joins the closer one; a pair that shares MACs but too few is
// reported as a refused match.
func (m *merger) matchHosts(macs []int32) {
	hostMACs := map[int32][]string{} // host group -> its MACs
	byMAC := map[string][]int32{}    // MAC -> a host record of each group that carries it
	for _, i := range macs {
		iface := m.items[i].parent
		if iface < 0 || !decls.macHolders[m.items[iface].rec.Kind] {
			continue
		}
		host := m.items[iface].parent
		if host < 0 {
			continue
		}
		h, mac := m.find(host), m.items[i].mac
		if !slices.Contains(hostMACs[h], mac) {
			hostMACs[h] = append(hostMACs[h], mac)
			byMAC[mac] = append(byMAC[mac], host)
		}
	}
	type pair struct {
		a, b   int32
		shared []string
	}
	pairs := map[[2]int32]*pair{}
	for mac, hosts := range byMAC {
		slices.SortFunc(hosts, func(x, y int32) int { return cmp.Compare(m.find(x), m.find(y)) })
		for x := 0; x < len(hosts); x++ {
			for y := x + 1; y < len(hosts); y++ {
				k := [2]int32{m.find(hosts[x]), m.find(hosts[y])}
				if pairs[k] == nil || hosts[x] < pairs[k].a || (hosts[x] == pairs[k].a && hosts[y] < pairs[k].b) {
					// The smallest records name the pair, whatever the order of the map.
					old := pairs[k]
					pairs[k] = &pair{a: hosts[x], b: hosts[y]}
					if old != nil {
						pairs[k].shared = old.shared
					}
				}
				pairs[k].shared = append(pairs[k].shared, mac)
			}
		}
	}
	list := make([]pendingMatch, 0, len(pairs))
	for _, p := range pairs {
		slices.Sort(p.shared)
		fewer := min(len(hostMACs[m.find(p.a)]), len(hostMACs[m.find(p.b)]))
		list = append(list, pendingMatch{a: p.a, b: p.b, rule: RuleMAC, value: p.shared[0],
			score: float64(len(p.shared)) / float64(fewer)})
	}
	slices.SortFunc(list, func(x, y pendingMatch) int {
		return cmp.Or(cmp.Compare(y.score, x.score), cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b))
	})
	threshold := m.opts.macOverlap()
	for _, p := range list {
		if p.score >= threshold {
			m.unionScored(p, true)
			continue
		}
		if m.find(p.a) != m.find(p.b) && m.items[p.a].src != m.items[p.b].src {
			p.reason = ReasonBelowScore
			m.conflicts = append(m.conflicts, p)
		}
	}
}
