package inventory

import (
	"slices"
	"strings"
)

// pinApart resolves the sets of keys pinned apart (MergeOptions.Apart)
// to the records they name, by key or alias, for union to refuse any join
// of two of them. Keys no source reported are noted in the report.
func (m *merger) pinApart() {
	for _, set := range m.opts.Apart {
		var ids []int32
		for _, k := range set {
			if i, ok := m.lookup(k); ok {
				ids = append(ids, i)
				continue
			}
			m.unusedPins = append(m.unusedPins, k)
		}
		for x := 0; x < len(ids); x++ {
			for y := x + 1; y < len(ids); y++ {
				m.apart = append(m.apart, [2]int32{ids[x], ids[y]})
			}
		}
	}
}

// matchPins joins the sets of keys pinned together (MergeOptions.Same),
// each to the first of its set that a source reported. A pin does not
// join two records of one source, two serials or records pinned apart:
// such a pin is reported as a refused match.
func (m *merger) matchPins() {
	for _, set := range m.opts.Same {
		first := int32(-1)
		// Resolve in key order, so that the report does not depend on how
		// the configuration lists the set.
		keys := slices.Clone(set)
		slices.Sort(keys)
		for _, k := range keys {
			i, ok := m.lookup(k)
			if !ok {
				m.unusedPins = append(m.unusedPins, k)
				continue
			}
			if first < 0 {
				first = i
				continue
			}
			m.union(first, i, RulePin, strings.Join(keys, " = "), true)
		}
	}
}
