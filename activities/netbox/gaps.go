package netbox

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Kept counts the objects of one source and kind that the plan left as
// NetBox has them because the source could not see the part that holds
// them (inventory.Gap): no update, no orphan mark, no delete.
type Kept struct {
	Source string         `json:"source"`
	Kind   inventory.Kind `json:"kind"`
	Count  int            `json:"count"`
	// Why is the gap's reason ("node pve2 offline").
	Why string `json:"why"`
}

// String reads "pve: kept, not seen: 14 vm_interface (node pve2 offline)".
func (k Kept) String() string {
	return fmt.Sprintf("%s: kept, not seen: %d %s (%s)", k.Source, k.Count, k.Kind, k.Why)
}

// gapIndex finds the gap, if any, that an object lies in: gaps under a
// record by that record's key, gaps of a whole source by its name.
type gapIndex struct {
	under  map[string][]gapOf
	source map[string][]inventory.Gap
}

// gapOf is a gap with the source that reported it.
type gapOf struct {
	source string
	gap    inventory.Gap
}

func newGapIndex(bySource map[string][]inventory.Gap) gapIndex {
	ix := gapIndex{under: map[string][]gapOf{}, source: map[string][]inventory.Gap{}}
	for src, gaps := range bySource {
		for _, g := range gaps {
			if g.Under == "" {
				ix.source[src] = append(ix.source[src], g)
				continue
			}
			ix.under[g.Under] = append(ix.under[g.Under], gapOf{source: src, gap: g})
		}
	}
	return ix
}

// find returns the gap that covers an object of kind with the agent key
// and source: the one under the longest key that the object's key is or
// extends, else one of the whole source.
func (ix gapIndex) find(kind inventory.Kind, key, src string) (gapOf, bool) {
	if len(ix.under) == 0 && len(ix.source) == 0 {
		return gapOf{}, false
	}
	for k := key; k != ""; {
		for _, g := range ix.under[k] {
			if slices.Contains(g.gap.Kinds, kind) {
				return g, true
			}
		}
		i := strings.LastIndexByte(k, '/')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	for _, g := range ix.source[src] {
		if slices.Contains(g.Kinds, kind) {
			return gapOf{source: src, gap: g}, true
		}
	}
	return gapOf{}, false
}

// keep counts an object left untouched in a gap.
func (p *planner) keep(kind inventory.Kind, g gapOf) {
	k := Kept{Source: g.source, Kind: kind, Why: g.gap.Why}
	p.kept[k]++
}

// keptList sums the kept objects up, most first, then by source, kind
// order and reason.
func (p *planner) keptList() []Kept {
	out := make([]Kept, 0, len(p.kept))
	for k, n := range p.kept {
		k.Count = n
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Count != b.Count:
			return a.Count > b.Count
		case a.Source != b.Source:
			return a.Source < b.Source
		case a.Kind != b.Kind:
			return a.Kind.Order() < b.Kind.Order()
		}
		return a.Why < b.Why
	})
	return out
}
