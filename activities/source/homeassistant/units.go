package homeassistant

import (
	"cmp"
	"slices"
	"sort"
	"strings"
)

// unit is one piece of hardware as NetBox sees it. From 2026.8 on, Home
// Assistant keeps one device per config entry: hardware that several
// integrations know (a router known to its own integration and to UPnP)
// is several registry devices sharing connections or identifiers, and a
// device of before 2026.8 that had several config entries was split into
// new devices with new ids. A unit joins them again, so that NetBox keeps
// one device, under the key it had before the split.
type unit struct {
	// dev is what is reported: the main device, with what its siblings
	// know and it does not (connections, serial, area, entries) added.
	dev device
	// aliases are the other registry ids the unit answers to: its
	// siblings, and composite ids beyond the one it is keyed by.
	aliases []string
	// children are the child devices (2026.9) whose parent it is.
	children []device
}

// units joins the reported devices into units and attaches the child
// devices to theirs; it returns the units sorted by key id and the child
// devices whose parent is not among them.
func units(devices []device, children []device, splits map[string]composite) ([]*unit, []device) {
	g := newGrouping(devices)
	for _, id := range sortedKeys(splits) {
		sp := splits[id]
		for _, s := range sp.SplitIDs {
			g.join(sp.SplitIDs[0], s)
		}
	}
	g.joinShared()

	compositeOf := map[string][]string{} // split id -> composite ids
	for _, id := range sortedKeys(splits) {
		for _, s := range splits[id].SplitIDs {
			compositeOf[s] = append(compositeOf[s], id)
		}
	}
	var out []*unit
	byMember := map[string]*unit{}
	for _, members := range g.groups() {
		u := newUnit(members, compositeOf, splits)
		out = append(out, u)
		for _, d := range members {
			byMember[d.ID] = u
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].dev.ID < out[j].dev.ID })
	var orphans []device
	for _, c := range children {
		if u, ok := byMember[str(c.ParentDeviceID)]; ok {
			u.children = append(u.children, c)
			continue
		}
		orphans = append(orphans, c)
	}
	return out, orphans
}

// newUnit makes the unit of devices that stand for the same hardware. Its
// key id is the composite id its devices were split from, which is the id
// NetBox knows it by; else the id of its oldest device, which a sibling
// registered later does not change.
func newUnit(members []device, compositeOf map[string][]string, splits map[string]composite) *unit {
	slices.SortFunc(members, func(a, b device) int {
		return cmp.Or(cmp.Compare(a.CreatedAt, b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	var composites []string
	for _, d := range members {
		composites = append(composites, compositeOf[d.ID]...)
	}
	sort.Strings(composites)
	composites = slices.Compact(composites)

	main := members[0]
	keyID := main.ID
	if len(composites) > 0 {
		keyID = composites[0]
		if p := str(splits[keyID].PrimaryID); p != "" {
			if i := slices.IndexFunc(members, func(d device) bool { return d.ID == p }); i >= 0 {
				main = members[i]
			}
		}
	}
	u := &unit{dev: main}
	for _, d := range members {
		if d.ID != main.ID {
			u.dev = combine(u.dev, d)
		}
		if d.ID != keyID {
			u.aliases = append(u.aliases, d.ID)
		}
	}
	for _, c := range composites {
		if c != keyID {
			u.aliases = append(u.aliases, c)
		}
	}
	sort.Strings(u.aliases)
	u.dev.ID = keyID
	return u
}

// combine adds to main what a sibling knows and main does not: the
// sibling's connections, identifiers and config entries, and any detail
// main lacks. Main's own values win.
func combine(main, sib device) device {
	out := main
	out.Connections = append(slices.Clone(main.Connections), sib.Connections...)
	out.Identifiers = append(slices.Clone(main.Identifiers), sib.Identifiers...)
	out.ConfigEntries = append(slices.Clone(main.ConfigEntries), sib.ConfigEntries...)
	if e := str(sib.ConfigEntryID); e != "" {
		out.ConfigEntries = append(out.ConfigEntries, e)
	}
	for _, f := range []struct{ to, from **string }{
		{&out.AreaID, &sib.AreaID}, {&out.ConfigurationURL, &sib.ConfigurationURL},
		{&out.Manufacturer, &sib.Manufacturer}, {&out.Model, &sib.Model}, {&out.ModelID, &sib.ModelID},
		{&out.HWVersion, &sib.HWVersion}, {&out.SWVersion, &sib.SWVersion}, {&out.SerialNumber, &sib.SerialNumber},
		{&out.NameByUser, &sib.NameByUser}, {&out.Name, &sib.Name},
	} {
		if str(*f.to) == "" && str(*f.from) != "" {
			*f.to = *f.from
		}
	}
	if str(sib.DisabledBy) == "" {
		out.DisabledBy = nil // the hardware is enabled while one of its devices is
	}
	return out
}

// grouping is a union-find over devices.
type grouping struct {
	devices []device
	index   map[string]int
	parent  []int
}

func newGrouping(devices []device) *grouping {
	g := &grouping{devices: devices, index: make(map[string]int, len(devices)), parent: make([]int, len(devices))}
	for i, d := range devices {
		g.index[d.ID] = i
		g.parent[i] = i
	}
	return g
}

func (g *grouping) find(i int) int {
	for g.parent[i] != i {
		g.parent[i] = g.parent[g.parent[i]]
		i = g.parent[i]
	}
	return i
}

func (g *grouping) union(i, j int) {
	a, b := g.find(i), g.find(j)
	if a != b {
		g.parent[max(a, b)] = min(a, b)
	}
}

// join unites two devices by id; an id not reported is ignored.
func (g *grouping) join(a, b string) {
	i, ok1 := g.index[a]
	j, ok2 := g.index[b]
	if ok1 && ok2 {
		g.union(i, j)
	}
}

// joinShared unites devices that share a connection or an identifier,
// every element of it compared: the same hardware under several config
// entries. Before 2026.8 both were unique in the registry, so nothing
// joins there.
func (g *grouping) joinShared() {
	first := map[string]int{}
	for i, d := range g.devices {
		for _, t := range append(slices.Clone(d.Connections), d.Identifiers...) {
			if !t.valid() {
				continue
			}
			k := t.identity()
			if j, ok := first[k]; ok {
				g.union(i, j)
				continue
			}
			first[k] = i
		}
	}
}

// groups lists the devices of each group, in the order of their first.
func (g *grouping) groups() [][]device {
	byRoot := map[int][]device{}
	var roots []int
	for i, d := range g.devices {
		r := g.find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], d)
	}
	out := make([][]device, 0, len(roots))
	for _, r := range roots {
		out = append(out, byRoot[r])
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// childrenComment lists a unit's child devices for its NetBox comments. A
// child device (2026.9) is a logical part of its parent, such as a relay's
// channel, with no hardware of its own, so it becomes no NetBox device.
func childrenComment(children []device) string {
	if len(children) == 0 {
		return ""
	}
	names := make([]string, 0, len(children))
	for _, c := range children {
		names = append(names, baseName(c))
	}
	sort.Strings(names)
	return "Home Assistant child devices: " + strings.Join(names, ", ")
}
