package netbox

import (
	"slices"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// record is the planner's copy of one inventory record. inventory.Record
// holds its attributes and references in maps, which for the one to three
// entries most records have cost about 340 bytes each: at 100,000 records
// the maps are most of the inventory's memory. A record holds them in
// slices, with the names and the text many records repeat shared
// (recordReader).
type record struct {
	Kind    inventory.Kind
	Key     string
	Source  string
	Aliases []string
	attrs   []attrValue
	refs    []refKey // sorted by field
	// origin names the source of each attribute and reference (refKey's
	// key is the source), sorted by field; empty unless the inventory was
	// read with its origins, for the journal entries.
	origin []refKey
	// invalid is why inventory.Record.Validate refuses the record, or "".
	invalid string
}

// attrValue is one attribute of a record.
type attrValue struct {
	name  string
	value any
}

// refKey is one reference of a record: the key of the record that field
// points to.
type refKey struct {
	field, key string
}

// Attr returns the attribute name and whether the record has it.
func (r *record) Attr(name string) (any, bool) {
	for i := range r.attrs {
		if r.attrs[i].name == name {
			return r.attrs[i].value, true
		}
	}
	return nil, false
}

// String returns the attribute name as a string, or "" when it is missing
// or not text, as inventory.Record.String does.
func (r *record) String(name string) string {
	v, _ := r.Attr(name)
	s, _ := v.(string)
	return s
}

// Ref returns the key that reference field names, or "".
func (r *record) Ref(field string) string {
	for i := range r.refs {
		if r.refs[i].field == field {
			return r.refs[i].key
		}
	}
	return ""
}

// sourcesOf names, by NetBox field, the source that gave each of the
// fields of kind s named; nil when the record carries no origins.
func (r *record) sourcesOf(s *kindSpec, names []string) map[string]string {
	if len(r.origin) == 0 || len(names) == 0 {
		return nil
	}
	out := make(map[string]string, len(names))
	for _, name := range names {
		attr := name
		if f := s.field(name); f != nil {
			attr = f.attr()
		}
		i, found := slices.BinarySearchFunc(r.origin, attr, func(o refKey, a string) int { return strings.Compare(o.field, a) })
		if found {
			out[name] = r.origin[i].key
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// recordReader makes records of inventory records.
type recordReader struct {
	// shared holds each name, kind and source, and the values of choice
	// fields, once.
	shared map[string]string
	out    []record
	// attrs and refs are slabs the records' slices are cut from, so that
	// a record costs no allocation of its own.
	attrs []attrValue
	refs  []refKey
}

// slabSize is the number of entries a slab is made with.
const slabSize = 4096

// cut returns an empty slice with room for n entries from the slab at
// *slab, which is made anew when it has no room left.
func cut[T any](slab *[]T, n int) []T {
	if cap(*slab)-len(*slab) < n {
		*slab = make([]T, 0, max(n, slabSize))
	}
	start := len(*slab)
	*slab = (*slab)[:start+n]
	return (*slab)[start : start : start+n]
}

func newRecordReader(n int) *recordReader {
	return &recordReader{shared: map[string]string{}, out: make([]record, 0, n)}
}

// share returns s as the one copy the reader holds.
func (rr *recordReader) share(s string) string {
	if have, ok := rr.shared[s]; ok {
		return have
	}
	rr.shared[s] = s
	return s
}

// add copies in, its field origins when it has them (the journal names
// the source of each field written; without a journal they are not read).
func (rr *recordReader) add(in *inventory.Record) {
	r := record{Kind: inventory.Kind(rr.share(string(in.Kind))), Key: in.Key, Source: rr.share(in.Source), Aliases: slices.Clone(in.Aliases)}
	if err := in.Validate(); err != nil {
		r.invalid = err.Error()
	}
	spec := specFor(in.Kind)
	if len(in.Attrs) > 0 {
		r.attrs = cut(&rr.attrs, len(in.Attrs))
		for name, v := range in.Attrs {
			if s, ok := v.(string); ok && spec != nil && repeats(spec.field(name)) {
				v = rr.share(s)
			}
			r.attrs = append(r.attrs, attrValue{name: rr.share(name), value: v})
		}
		slices.SortFunc(r.attrs, func(a, b attrValue) int { return strings.Compare(a.name, b.name) })
	}
	if len(in.Refs) > 0 {
		r.refs = cut(&rr.refs, len(in.Refs))
		for field, key := range in.Refs {
			r.refs = append(r.refs, refKey{field: rr.share(field), key: key})
		}
		slices.SortFunc(r.refs, func(a, b refKey) int { return strings.Compare(a.field, b.field) })
	}
	if len(in.Origin) > 0 {
		r.origin = cut(&rr.refs, len(in.Origin))
		for field, src := range in.Origin {
			r.origin = append(r.origin, refKey{field: rr.share(field), key: rr.share(src)})
		}
		slices.SortFunc(r.origin, func(a, b refKey) int { return strings.Compare(a.field, b.field) })
	}
	rr.out = append(rr.out, r)
}

// repeats reports whether the values of a field are few and repeated:
// choices, colours and the like.
func repeats(f *field) bool {
	return f != nil && (f.Type == typeChoice || f.Type == typeColor || f.Type == typeBool)
}

// readRecords reads the request's records, from Read when it is set and
// from Records otherwise.
func readRecords(req PlanRequest) ([]record, error) {
	rr := newRecordReader(len(req.Records))
	if req.Read != nil {
		if err := req.Read(func(r *inventory.Record) error {
			rr.add(r)
			return nil
		}); err != nil {
			return nil, err
		}
		return rr.out, nil
	}
	for i := range req.Records {
		rr.add(&req.Records[i])
	}
	return rr.out, nil
}
