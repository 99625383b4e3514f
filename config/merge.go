package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Merge says how the records of several sources are joined: which
// source's value wins for a field, how many MAC addresses two hosts must
// share to be one, and the matches no rule gets right, pinned by hand.
type Merge struct {
	// Authority names, per field ("serial") or per kind and field
	// ("device.serial"), the sources whose value wins, best first; the
	// sources' order in the file decides the rest.
	Authority map[string][]string `yaml:"authority"`
	// MACOverlap is the share of MACs two devices or VMs of different
	// sources must have in common to be joined: shared MACs over the MACs
	// of the one with fewer, above 0 and at most 1.
	MACOverlap float64 `yaml:"mac_overlap" help:"share of MACs two hosts of different sources must have in common to be joined"`
	// Same lists sets of record keys that are one thing, whatever the rules say.
	Same [][]string `yaml:"same"`
	// Apart lists sets of record keys that no rule joins.
	Apart [][]string `yaml:"apart"`
}

// MergeOptions is the section as the merge takes it.
func (m Merge) MergeOptions() inventory.MergeOptions {
	return inventory.MergeOptions{Authority: m.Authority, MACOverlap: m.MACOverlap, Same: m.Same, Apart: m.Apart}
}

// merge checks the merge section against the configured sources.
func (v *validator) merge(m Merge, srcs []Source) {
	names := make([]string, 0, len(srcs))
	for _, s := range srcs {
		names = append(names, s.Name)
	}
	keys := make([]string, 0, len(m.Authority))
	for k := range m.Authority {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := "merge.authority." + k
		if err := inventory.CheckAuthorityKey(k); err != nil {
			v.add(path, "%s", err.Error())
		}
		if len(m.Authority[k]) == 0 {
			v.add(path, "must name at least one source")
		}
		for i, s := range m.Authority[k] {
			if !slices.Contains(names, s) {
				v.add(fmt.Sprintf("%s[%d]", path, i), "unknown source %q (configured: %s)", s, joinOrNone(names))
			}
		}
	}
	if m.MACOverlap <= 0 || m.MACOverlap > 1 {
		v.add("merge.mac_overlap", "must be above 0 and at most 1, got %s", ftoa(m.MACOverlap))
	}
	v.pins("merge.same", m.Same)
	v.pins("merge.apart", m.Apart)
}

// pins checks sets of pinned record keys: two keys or more, none empty.
func (v *validator) pins(path string, sets [][]string) {
	for i, set := range sets {
		p := fmt.Sprintf("%s[%d]", path, i)
		if len(set) < 2 {
			v.add(p, "must list at least two record keys, got %d", len(set))
		}
		for j, key := range set {
			if key == "" {
				v.add(fmt.Sprintf("%s[%d]", p, j), "must not be empty")
			}
		}
	}
}

func joinOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
