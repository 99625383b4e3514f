package inventory

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// MergeInput is one source's snapshot as the merge sees it.
type MergeInput struct {
	Source string `json:"source"`
	// Priority orders authority between sources: lower wins, and equal
	// priorities go to the source whose name sorts first.
	Priority int      `json:"priority"`
	Records  []Record `json:"records"`
}

// MergeOptions tune the merge.
type MergeOptions struct {
	// Authority names, per field, the sources to take the field from before
	// priority decides, best first: {"serial": {"truenas"}} for every kind,
	// {"device.serial": {"truenas"}} for one kind. A kind-qualified entry
	// wins over a plain one.
	Authority map[string][]string `json:"authority,omitempty"`
	// MACOverlap is the share of MAC addresses two devices or virtual
	// machines of different sources must have in common to be joined by
	// MAC: shared MACs over the MACs of the one with fewer. Zero means
	// DefaultMACOverlap.
	MACOverlap float64 `json:"mac_overlap,omitempty"`
	// Same lists sets of record keys pinned together: the records of a set
	// are joined whatever the rules say, unless that would join two records
	// of one source or two different serial numbers (a refused match).
	Same [][]string `json:"same,omitempty"`
	// Apart lists sets of record keys pinned apart: no rule joins two of them.
	Apart [][]string `json:"apart,omitempty"`
}

// DefaultMACOverlap is the share of MACs two hosts must have in common to
// be joined when MergeOptions.MACOverlap is not set: half of the smaller
// set, so that a host seen with one NIC by one source and with four by
// another is joined on that one.
const DefaultMACOverlap = 0.5

// macOverlap is the threshold the options ask for.
func (o MergeOptions) macOverlap() float64 {
	if o.MACOverlap > 0 {
		return o.MACOverlap
	}
	return DefaultMACOverlap
}

// Merged is the joined inventory and the report of how it was joined.
type Merged struct {
	// Records are sorted with Sort; every reference points to a surviving key.
	Records []Record `json:"records"`
	// Matches has one entry per record that was joined into another.
	Matches []Match `json:"matches"`
	// Conflicts are matches that were refused because they would have joined
	// two different records of one source.
	Conflicts []Match `json:"conflicts,omitempty"`
	// Skipped lists input records that could not take part (no key, unknown
	// kind, a key another record uses for something else).
	Skipped []SkippedRecord `json:"skipped,omitempty"`
	// UnusedPins are the keys pinned in MergeOptions that no source reported.
	UnusedPins []string `json:"unused_pins,omitempty"`
}

// SkippedRecord is an input record the merge left out, and why.
type SkippedRecord struct {
	Source string `json:"source"`
	Kind   Kind   `json:"kind"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

// Match says that Record (from Source) was found to describe the same thing
// as With (from WithSource), by Rule on Value, and now lives on as Key.
type Match struct {
	Kind       Kind   `json:"kind"`
	Key        string `json:"key"`
	Record     string `json:"record"`
	Source     string `json:"source"`
	With       string `json:"with"`
	WithSource string `json:"with_source"`
	Rule       string `json:"rule"`
	Value      string `json:"value"`
	// Score is, for a device or VM joined by MAC, the share of the smaller
	// host's MACs the two have in common (0 for other rules).
	Score float64 `json:"score,omitempty"`
	// Reason says, for a refused match, why it was refused.
	Reason string `json:"reason,omitempty"`
}

// The rules by which two records are found to be the same thing.
const (
	RuleKey    = "key"    // the same key (or a key and an alias)
	RuleSerial = "serial" // devices with the same serial number
	RuleMAC    = "mac"    // the same MAC address, and then their interfaces and hosts
	RuleName   = "name"   // the same natural key: device name and site, interface name on the same device, ...
	RulePin    = "pin"    // pinned together by the configuration (MergeOptions.Same)
)

// Why a match was refused (Match.Reason).
const (
	ReasonSameSource = "same source"     // both sides already hold a record of one source
	ReasonSerials    = "serials differ"  // the two sides carry different serial numbers
	ReasonPinned     = "pinned apart"    // MergeOptions.Apart keeps them apart
	ReasonBelowScore = "overlap too low" // hosts share MACs, fewer than MergeOptions.MACOverlap asks
)

// Merge joins the sources' records into one inventory. Records that
// describe the same thing become one: the same key, the same device serial,
// the same MAC address (and with it the interfaces and their devices or
// VMs), the same natural key (device name and site, VM name and cluster,
// interface name on the same device, IP address and VRF). Two records of
// one source are never joined by a value: a source knows its own records
// apart. The surviving record keeps the key of its best source, lists the
// others as Aliases, and every reference to an alias is rewritten to it.
// Each field comes from the best source that provides it (Authority first,
// then Priority) and Origin names that source. The result does not depend
// on the order of snaps or of their records.
func Merge(snaps []MergeInput, opts MergeOptions) (*Merged, error) {
	m, err := match(snaps, opts)
	if err != nil {
		return nil, err
	}
	return m.result(), nil
}

// match finds which records describe the same thing.
func match(snaps []MergeInput, opts MergeOptions) (*merger, error) {
	m := newMerger(snaps, opts)
	m.matchKeys()
	m.pinApart()
	m.prepare()
	m.matchPins()
	m.matchSerials()
	// MAC and natural-key matches feed each other (devices joined by name
	// make their interfaces comparable by name); repeat until stable.
	for round := 0; round < 8; round++ {
		n := m.joined
		m.matchMACs()
		m.matchNames()
		if m.joined == n {
			break
		}
	}
	return m, nil
}

// item is one input record with the index of its source.
type item struct {
	rec *Record
	src int32
	// What the matching rules compare, worked out once (see prepare).
	name      string // lower-cased name, or the value that names the record
	mac       string // usable MAC of a mac_address record
	parent    int32  // the record the natural key is scoped by, or -1
	parentKey string // that reference's key when it names no input record
	serial    string // the identifying value (a device's serial), upper case, or ""
}

type pendingMatch struct {
	a, b   int32
	rule   string
	value  string
	score  float64
	reason string
}

// merger is a union-find over the input records, in an order fixed by
// (source priority, source name, key), so that the smallest index of a
// group is its best record and every outcome is independent of input order.
type merger struct {
	opts      MergeOptions
	sources   []string
	items     []item
	parent    []int32
	srcs      map[int32][]int32 // sources of each multi-record group, sorted; absent: the root's own
	byKey     map[string]int32
	matches   []pendingMatch
	conflicts []pendingMatch
	skipped   []SkippedRecord
	joined    int
	byKind    map[Kind][]int32 // records whose kind has a natural key
	// serials holds the serial of each group that has one, by root.
	serials map[int32]string
	// apart are the pairs of records pinned apart; dropped marks records
	// left out after matching by key (see matchKeys).
	apart   [][2]int32
	dropped []bool
	// unusedPins are the pinned keys no source reported.
	unusedPins []string
}

func newMerger(snaps []MergeInput, opts MergeOptions) *merger {
	order := make([]int, len(snaps))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := snaps[order[i]], snaps[order[j]]
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		return a.Source < b.Source
	})
	m := &merger{opts: opts, srcs: map[int32][]int32{}}
	srcIndex := map[string]int32{}
	total := 0
	for _, s := range snaps {
		total += len(s.Records)
	}
	m.items = make([]item, 0, total)
	for _, i := range order {
		s := snaps[i]
		si, ok := srcIndex[s.Source]
		if !ok {
			si = int32(len(m.sources))
			srcIndex[s.Source] = si
			m.sources = append(m.sources, s.Source)
		}
		for j := range s.Records {
			r := &s.Records[j]
			if r.Key == "" || !r.Kind.Valid() {
				m.skipped = append(m.skipped, SkippedRecord{Source: s.Source, Kind: r.Kind, Key: r.Key, Reason: "no key or unknown kind"})
				continue
			}
			m.items = append(m.items, item{rec: r, src: si, serial: serialOf(r)})
		}
	}
	slices.SortStableFunc(m.items, func(a, b item) int {
		if c := cmp.Compare(a.src, b.src); c != 0 {
			return c
		}
		if c := strings.Compare(a.rec.Key, b.rec.Key); c != 0 {
			return c
		}
		// One source reporting a key twice: order by content, not by input.
		return strings.Compare(canonical(a.rec), canonical(b.rec))
	})
	// A key names one thing: a record that reuses the key of a record of
	// another kind (a source's bug) cannot join it and would collide with it.
	kindOf := make(map[string]Kind, len(m.items))
	kept := m.items[:0]
	for _, it := range m.items {
		if k, seen := kindOf[it.rec.Key]; seen && k != it.rec.Kind {
			m.skipped = append(m.skipped, SkippedRecord{Source: m.sources[it.src], Kind: it.rec.Kind, Key: it.rec.Key,
				Reason: "key already used by a " + string(k)})
			continue
		}
		kindOf[it.rec.Key] = it.rec.Kind
		kept = append(kept, it)
	}
	m.items = kept
	m.parent = make([]int32, len(m.items))
	m.dropped = make([]bool, len(m.items))
	m.serials = map[int32]string{}
	for i := range m.parent {
		m.parent[i] = int32(i)
		if s := m.items[i].serial; s != "" {
			m.serials[int32(i)] = s
		}
	}
	m.byKey = make(map[string]int32, len(m.items))
	return m
}

// serialOf is the value of r's identifying field (a device's serial),
// upper case, or "" when it has none or a placeholder.
func serialOf(r *Record) string {
	d := r.Kind.Decl()
	for j := range d.Fields {
		f := &d.Fields[j]
		if !f.Identifies {
			continue
		}
		s := strings.ToUpper(strings.TrimSpace(r.String(f.Name)))
		if !IsPlaceholderSerial(s) {
			return s
		}
	}
	return ""
}

func canonical(r *Record) string {
	b, err := json.Marshal(r)
	if err != nil {
		return r.Key
	}
	return string(b)
}

func (m *merger) find(i int32) int32 {
	root := i
	for m.parent[root] != root {
		root = m.parent[root]
	}
	for m.parent[i] != root {
		m.parent[i], i = root, m.parent[i]
	}
	return root
}

// groupSources returns the sorted source indexes of the group rooted at r.
func (m *merger) groupSources(r int32) []int32 {
	if s, ok := m.srcs[r]; ok {
		return s
	}
	return []int32{m.items[r].src}
}

// union joins the groups of a and b. A join by value (constrained) is
// refused when both groups hold records of one source; any join is
// refused when the groups carry different serials or records pinned apart.
func (m *merger) union(a, b int32, rule, value string, constrained bool) bool {
	return m.unionScored(pendingMatch{a: a, b: b, rule: rule, value: value}, constrained)
}

// unionScored is union for a match that carries its score.
func (m *merger) unionScored(p pendingMatch, constrained bool) bool {
	ra, rb := m.find(p.a), m.find(p.b)
	if ra == rb || m.items[ra].rec.Kind != m.items[rb].rec.Kind || m.dropped[ra] || m.dropped[rb] {
		return false
	}
	sa, sb := m.groupSources(ra), m.groupSources(rb)
	merged, overlap := mergeSorted(sa, sb)
	switch {
	case overlap && constrained:
		// Two records of one source sharing a value (a docker bridge address on
		// every host) are simply different things; only a cross-source match
		// refused because of what its groups already hold is worth reporting.
		if m.items[p.a].src != m.items[p.b].src {
			p.reason = ReasonSameSource
			m.conflicts = append(m.conflicts, p)
		}
		return false
	case m.serials[ra] != "" && m.serials[rb] != "" && m.serials[ra] != m.serials[rb]:
		p.reason = ReasonSerials
		m.conflicts = append(m.conflicts, p)
		return false
	case m.pinnedApart(ra, rb):
		p.reason = ReasonPinned
		m.conflicts = append(m.conflicts, p)
		return false
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	m.parent[rb] = ra
	delete(m.srcs, rb)
	m.srcs[ra] = merged
	if m.serials[ra] == "" && m.serials[rb] != "" {
		m.serials[ra] = m.serials[rb]
	}
	delete(m.serials, rb)
	m.matches = append(m.matches, p)
	m.joined++
	return true
}

// pinnedApart reports whether the groups rooted at ra and rb hold two
// records pinned apart.
func (m *merger) pinnedApart(ra, rb int32) bool {
	for _, p := range m.apart {
		x, y := m.find(p[0]), m.find(p[1])
		if (x == ra && y == rb) || (x == rb && y == ra) {
			return true
		}
	}
	return false
}

// mergeSorted unites two sorted sets and reports whether they overlapped.
func mergeSorted(a, b []int32) ([]int32, bool) {
	out := make([]int32, 0, len(a)+len(b))
	overlap := false
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			overlap = true
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...), overlap
}

// lookup finds the record a reference names, by key or alias.
func (m *merger) lookup(key string) (int32, bool) {
	i, ok := m.byKey[key]
	return i, ok
}

// sourceName returns the name of the source with the given index.
func (m *merger) sourceName(i int32) string { return m.sources[i] }

// keyOf returns the key of the record at index i.
func (m *merger) keyOf(i int32) string { return m.items[i].rec.Key }

func lowerTrim(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckAuthorityKey reports why key cannot name a field in
// MergeOptions.Authority: it is a field some kind declares ("serial") or
// a kind and one of its fields ("device.serial").
func CheckAuthorityKey(key string) error {
	if kind, field, ok := strings.Cut(key, "."); ok {
		d := Kind(kind).Decl()
		if d == nil {
			return fmt.Errorf("unknown kind %q", kind)
		}
		if d.Field(field) == nil {
			return fmt.Errorf("%s has no field %q", kind, field)
		}
		return nil
	}
	for _, d := range Declarations() {
		if d.Field(key) != nil {
			return nil
		}
	}
	return fmt.Errorf("no kind has a field %q", key)
}
