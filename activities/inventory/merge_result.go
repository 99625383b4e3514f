package inventory

import (
	"cmp"
	"slices"
	"sort"
	"strings"
)

// result builds one record per group and the match report.
func (m *merger) result() *Merged {
	j := m.groups()
	out := &Merged{Records: make([]Record, 0, j.Len()), Skipped: j.Skipped(), UnusedPins: j.UnusedPins()}
	for i := range j.roots {
		out.Records = append(out.Records, j.record(i))
	}
	out.Matches = j.Matches()
	out.Conflicts = m.report(m.conflicts)
	return out
}

// Joined is a merge whose records are made one at a time as Each reads
// them, so that the merged inventory need not be held beside its sources:
// at 100,000 records the two are each about a hundred megabytes.
type Joined struct {
	m *merger
	// members holds the records of each group contiguous and in index
	// order, the group rooted at r from first[r] to first[r+1].
	members, first []int32
	// roots are the groups in the order of Sort.
	roots []int32
	// standIns are the stand-in interfaces kept (merge_standin.go).
	standIns standIns
}

// Join matches the sources' records as Merge does and returns the groups,
// whose records Each makes.
func Join(snaps []MergeInput, opts MergeOptions) (*Joined, error) {
	m, err := match(snaps, opts)
	if err != nil {
		return nil, err
	}
	return m.groups(), nil
}

// groups lays the groups out: members of a group contiguous and in index
// order, so that the first member is the group's best record.
func (m *merger) groups() *Joined {
	n := len(m.items)
	rootOf := make([]int32, n)
	first := make([]int32, n+1)
	var roots []int32
	for i := range m.items {
		r := m.find(int32(i))
		rootOf[i] = r
		first[r+1]++
		if r == int32(i) && !m.dropped[i] {
			roots = append(roots, r)
		}
	}
	for i := 1; i <= n; i++ {
		first[i] += first[i-1]
	}
	members := make([]int32, n)
	fill := append([]int32(nil), first[:n]...)
	for i, r := range rootOf {
		members[fill[r]] = int32(i)
		fill[r]++
	}
	// A group's record has the kind and key of its best member: order the
	// groups as Sort orders their records.
	slices.SortStableFunc(roots, func(a, b int32) int {
		return compareRecords(m.items[a].rec, m.items[b].rec)
	})
	j := &Joined{m: m, members: members, first: first, roots: roots}
	j.keepStandIns()
	j.dropUnheld()
	return j
}

// Len is the number of merged records.
func (j *Joined) Len() int { return len(j.roots) }

// Each makes the merged records in Sort's order and calls each with every
// one; the record is each's until it returns. Each stops at each's first
// error and returns it.
func (j *Joined) Each(each func(*Record) error) error {
	for i := range j.roots {
		rec := j.record(i)
		if err := each(&rec); err != nil {
			return err
		}
	}
	return nil
}

// record makes the record of the i-th group in Sort's order.
func (j *Joined) record(i int) Record {
	r := j.roots[i]
	rec := j.m.survivor(j.group(r))
	j.resolveVia(r, &rec)
	j.placeOnStandIn(r, &rec)
	return rec
}

// Matches is the report of the records joined into others (Merged.Matches).
func (j *Joined) Matches() []Match { return j.m.report(j.m.matches) }

// Conflicts are the matches refused (Merged.Conflicts).
func (j *Joined) Conflicts() []Match { return j.m.report(j.m.conflicts) }

// Skipped lists the input records that could not take part (Merged.Skipped).
func (j *Joined) Skipped() []SkippedRecord {
	out := slices.Clone(j.m.skipped)
	slices.SortFunc(out, func(x, y SkippedRecord) int {
		return cmp.Or(cmp.Compare(x.Source, y.Source), cmp.Compare(x.Key, y.Key), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Reason, y.Reason))
	})
	return out
}

// UnusedPins are the pinned keys no source reported (Merged.UnusedPins).
func (j *Joined) UnusedPins() []string {
	out := slices.Clone(j.m.unusedPins)
	slices.Sort(out)
	return slices.Compact(out)
}

// survivor joins the records of one group.
func (m *merger) survivor(group []int32) Record {
	best := m.items[group[0]]
	rec := Record{Kind: best.rec.Kind, Key: best.rec.Key, Source: m.sourceName(best.src)}
	if len(group) == 1 {
		rec.Attrs = make(map[string]any, len(best.rec.Attrs))
		rec.Origin = make(map[string]string, len(best.rec.Attrs)+len(best.rec.Refs))
		for f, v := range best.rec.Attrs {
			rec.Attrs[f] = v
			rec.Origin[f] = originOf(best.rec, f, rec.Source)
		}
		if len(best.rec.Refs) > 0 {
			rec.Refs = make(map[string]string, len(best.rec.Refs))
			for f, k := range best.rec.Refs {
				rec.Refs[f] = m.rewrite(k)
				rec.Origin[f] = originOf(best.rec, f, rec.Source)
			}
		}
		rec.Aliases = m.aliases(group, rec.Key)
		return rec
	}
	attrNames, refNames := map[string]bool{}, map[string]bool{}
	for _, i := range group {
		for f := range m.items[i].rec.Attrs {
			attrNames[f] = true
		}
		for f := range m.items[i].rec.Refs {
			refNames[f] = true
		}
	}
	rec.Attrs = make(map[string]any, len(attrNames))
	rec.Origin = make(map[string]string, len(attrNames)+len(refNames))
	d := rec.Kind.Decl()
	for f := range attrNames {
		i, ok := m.pick(group, rec.Kind, f, func(r *Record) bool { return !IsEmpty(r.Attrs[f]) })
		if !ok {
			continue
		}
		typ := TypeText
		if fd := d.Field(f); fd != nil {
			typ = fd.Type
		}
		if typ == TypeIP {
			i = m.pickPrefix(group, i)
		}
		src := m.items[i].rec
		rec.Attrs[f] = src.Attrs[f]
		rec.Origin[f] = originOf(src, f, m.sourceName(m.items[i].src))
		if typ == TypeTags {
			rec.Attrs[f] = m.unionTags(group)
		}
	}
	if len(refNames) > 0 {
		rec.Refs = make(map[string]string, len(refNames))
	}
	for f := range refNames {
		i, ok := m.pick(group, rec.Kind, f, func(r *Record) bool { return r.Refs[f] != "" })
		if !ok {
			continue
		}
		src := m.items[i].rec
		rec.Refs[f] = m.rewrite(src.Refs[f])
		rec.Origin[f] = originOf(src, f, m.sourceName(m.items[i].src))
	}
	rec.Aliases = m.aliases(group, rec.Key)
	return rec
}

// originOf keeps the origin a record already carries (the output of an
// earlier merge) and otherwise names the record's source.
func originOf(r *Record, field, source string) string {
	if o := r.Origin[field]; o != "" {
		return o
	}
	return source
}

// pick returns the member that provides field: the first authority for
// it that does, else the best member that does.
func (m *merger) pick(group []int32, kind Kind, field string, has func(*Record) bool) (int32, bool) {
	auth, ok := m.opts.Authority[string(kind)+"."+field]
	if !ok {
		auth = m.opts.Authority[field]
	}
	for _, src := range auth {
		for _, i := range group {
			if m.sourceName(m.items[i].src) == src && has(m.items[i].rec) {
				return i, true
			}
		}
	}
	for _, i := range group {
		if has(m.items[i].rec) {
			return i, true
		}
	}
	return 0, false
}

// pickPrefix prefers, for the same address, a member that knows the
// network's prefix length over one that saw a bare host (/32, /128), as a
// scanner does.
func (m *merger) pickPrefix(group []int32, chosen int32) int32 {
	addr := m.items[chosen].rec.String("address")
	if !isHostPrefix(addr) {
		return chosen
	}
	host := hostAddr(addr)
	for _, i := range group {
		a := m.items[i].rec.String("address")
		if !isHostPrefix(a) && hostAddr(a) == host {
			return i
		}
	}
	return chosen
}

func isHostPrefix(addr string) bool {
	return strings.HasSuffix(addr, "/32") || strings.HasSuffix(addr, "/128")
}

// unionTags returns every tag any member carries.
func (m *merger) unionTags(group []int32) []string {
	var tags []string
	for _, i := range group {
		if t, ok := m.items[i].rec.Attrs["tags"].([]string); ok {
			tags = append(tags, t...)
		}
	}
	sort.Strings(tags)
	return slices.Compact(tags)
}

// rewrite returns the surviving key of the record a reference names; a key
// of no input record is kept, for the plan to report.
func (m *merger) rewrite(key string) string {
	if i, ok := m.lookup(key); ok {
		return m.keyOf(m.find(i))
	}
	return key
}

// aliases lists the keys of a group other than the surviving one.
func (m *merger) aliases(group []int32, key string) []string {
	var out []string
	for _, i := range group {
		r := m.items[i].rec
		if r.Key != key {
			out = append(out, r.Key)
		}
		for _, a := range r.Aliases {
			// An alias another group answers to (its key, or a record that
			// could not join this one) stays with that group.
			if j, ok := m.lookup(a); a != key && (!ok || m.find(j) == m.find(i)) {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// report turns pending matches into sorted, de-duplicated Match entries.
func (m *merger) report(ps []pendingMatch) []Match {
	type ordered struct {
		order int
		Match
	}
	tmp := make([]ordered, 0, len(ps))
	for _, p := range ps {
		a, b := m.items[p.a], m.items[p.b]
		tmp = append(tmp, ordered{order: a.rec.Kind.Order(), Match: Match{
			Kind:       a.rec.Kind,
			Key:        m.keyOf(m.find(p.a)),
			Record:     b.rec.Key,
			Source:     m.sourceName(b.src),
			With:       a.rec.Key,
			WithSource: m.sourceName(a.src),
			Rule:       p.rule,
			Value:      p.value,
			Score:      p.score,
			Reason:     p.reason,
		}})
	}
	slices.SortFunc(tmp, func(x, y ordered) int {
		return cmp.Or(cmp.Compare(x.order, y.order), compareMatch(x.Match, y.Match))
	})
	out := make([]Match, 0, len(tmp))
	for i, o := range tmp {
		if i == 0 || o.Match != tmp[i-1].Match {
			out = append(out, o.Match)
		}
	}
	return out
}

// compareMatch orders matches of one kind.
func compareMatch(x, y Match) int {
	return cmp.Or(
		cmp.Compare(x.Key, y.Key),
		cmp.Compare(x.Record, y.Record),
		cmp.Compare(x.Source, y.Source),
		cmp.Compare(x.With, y.With),
		cmp.Compare(x.WithSource, y.WithSource),
		cmp.Compare(x.Rule, y.Rule),
		cmp.Compare(x.Value, y.Value),
		cmp.Compare(x.Reason, y.Reason),
	)
}

// MergeReport is how a merge joined its sources, for an operator to read:
// the merge activity writes it to the blob store beside the inventory.
type MergeReport struct {
	// Matches has one entry per record joined into another: the rule, the
	// value that matched and, for hosts joined by MAC, the score.
	Matches []Match `json:"matches"`
	// Conflicts are the matches refused, each with its reason.
	Conflicts []Match `json:"conflicts,omitempty"`
	// Skipped are the input records left out, each with its reason.
	Skipped []SkippedRecord `json:"skipped,omitempty"`
	// UnusedPins are the pinned keys no source reported.
	UnusedPins []string `json:"unused_pins,omitempty"`
	// Fields are the fields on which a merged record's sources disagreed,
	// with every source's value and how each was settled.
	Fields []FieldConflict `json:"fields,omitempty"`
}

// Report is the merge's report.
func (j *Joined) Report() MergeReport {
	return MergeReport{Matches: j.Matches(), Conflicts: j.Conflicts(), Skipped: j.Skipped(), UnusedPins: j.UnusedPins(),
		Fields: j.FieldConflicts()}
}
