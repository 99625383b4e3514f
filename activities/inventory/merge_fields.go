package inventory

import (
	"encoding/json"
	"slices"
	"strings"
)

// FieldConflict is a field on which the sources of one merged record
// disagree, and how it was settled.
type FieldConflict struct {
	Kind  Kind   `json:"kind"`
	Key   string `json:"key"`
	Field string `json:"field"`
	// Values are the sources' values, best source first.
	Values []SourceValue `json:"values"`
	// Chosen names the source whose value the record took.
	Chosen string `json:"chosen"`
	// By is how: SettledByAuthority (merge.authority names the source) or
	// SettledByOrder (the sources' order in the config).
	By string `json:"by"`
}

// SourceValue is one source's value of a field.
type SourceValue struct {
	Source string `json:"source"`
	Value  any    `json:"value"`
}

// How a field conflict was settled (FieldConflict.By).
const (
	SettledByAuthority = "authority"
	SettledByOrder     = "source order"
)

// FieldConflicts lists, for every merged record of more than one source,
// the fields whose sources gave different values, in the records' order.
// Tags are left out: a merged record carries every source's.
func (j *Joined) FieldConflicts() []FieldConflict {
	var out []FieldConflict
	for _, r := range j.roots {
		group := j.group(r)
		if len(group) > 1 {
			out = append(out, j.m.fieldConflicts(group)...)
		}
	}
	return out
}

// fieldConflicts compares the attributes and references of one group.
func (m *merger) fieldConflicts(group []int32) []FieldConflict {
	best := m.items[group[0]].rec
	var fields []string
	for _, i := range group {
		for f := range m.items[i].rec.Attrs {
			fields = append(fields, f)
		}
		for f := range m.items[i].rec.Refs {
			fields = append(fields, "ref:"+f)
		}
	}
	slices.Sort(fields)
	fields = slices.Compact(fields)
	var out []FieldConflict
	for _, f := range fields {
		if f == "tags" {
			continue
		}
		c := FieldConflict{Kind: best.Kind, Key: best.Key, Field: f}
		seen := map[string]bool{}
		for _, i := range group {
			v, ok := m.fieldValue(m.items[i].rec, f)
			if !ok {
				continue
			}
			text, err := json.Marshal(v)
			if err != nil {
				continue // a value JSON cannot write never came from a source
			}
			seen[string(text)] = true
			c.Values = append(c.Values, SourceValue{Source: m.sourceName(m.items[i].src), Value: v})
		}
		if len(seen) < 2 {
			continue
		}
		name := f
		has := func(r *Record) bool { return !IsEmpty(r.Attrs[f]) }
		if ref, isRef := cutRef(f); isRef {
			name, has = ref, func(r *Record) bool { return r.Refs[ref] != "" }
		}
		chosen, _ := m.pick(group, best.Kind, name, has)
		c.Field, c.Chosen, c.By = name, m.sourceName(m.items[chosen].src), SettledByOrder
		if m.byAuthority(best.Kind, name, c.Chosen) {
			c.By = SettledByAuthority
		}
		out = append(out, c)
	}
	return out
}

// fieldValue is r's value of f (an attribute, or "ref:" and a reference
// as the merged record names it).
func (m *merger) fieldValue(r *Record, f string) (any, bool) {
	if ref, isRef := cutRef(f); isRef {
		k := r.Refs[ref]
		return m.rewrite(k), k != ""
	}
	v := r.Attrs[f]
	return v, !IsEmpty(v)
}

func cutRef(f string) (string, bool) { return strings.CutPrefix(f, "ref:") }

// byAuthority reports whether merge.authority names src for kind's field.
func (m *merger) byAuthority(kind Kind, field, src string) bool {
	auth, ok := m.opts.Authority[string(kind)+"."+field]
	if !ok {
		auth = m.opts.Authority[field]
	}
	return slices.Contains(auth, src)
}
