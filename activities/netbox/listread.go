package netbox

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/jsonscan"
)

// listReader reads the pages of one kind's list as readPage with the kind's
// read would, to the same objects and the same errors, without decoding
// what slim drops: every field the kind does not keep is passed over, and
// of a nested object only what slimValue reads (id, value, label, device,
// virtual_machine). An object whose shape that reading does not cover, or
// that a check refuses, is decoded whole and read by the kind's read, so
// that its object or its error is exactly readPage's.
type listReader struct {
	spec *kindSpec
	// kept maps each kept field to its name, so that the maps of a list
	// share their keys instead of holding a copy each.
	kept map[string]string
	// interned holds the values many objects repeat (choices, tags,
	// object types, custom field values), once each, as the any that
	// holds the string: boxed once, not once per object.
	interned map[string]any
	// slimAs says of each kept field which nested objects are cut down as
	// they are read (slimEarly), instead of read as maps and cut after.
	slimAs   map[string]slimEarly
	sizeHint int // members kept of the last object, to size the next map
}

// slimEarly is which nested objects of a field are cut as they are read:
// only those whose cut value reads the same in the kind's check (and in
// absent) as the object would, so that the objects and errors of a list
// stay readPage's.
type slimEarly int

const (
	slimNever  slimEarly = iota // read whole, cut after the check
	slimRef                     // a reference: an object with a numeric ID
	slimChoice                  // a choice: value and label, the value set
	slimAny                     // a field the check does not read: either
)

func newListReader(spec *kindSpec) *listReader {
	r := &listReader{spec: spec, kept: make(map[string]string, len(spec.kept)), interned: map[string]any{},
		slimAs: make(map[string]slimEarly, len(spec.kept))}
	for k := range spec.kept {
		r.kept[k] = k
		r.slimAs[k] = spec.slimEarly(k)
	}
	return r
}

// slimEarly is how the list reader may cut field name's nested objects.
func (s *kindSpec) slimEarly(name string) slimEarly {
	if name == "id" || name == "custom_fields" || name == "tags" {
		return slimNever
	}
	for i := range s.Fields {
		if s.Fields[i].TypeField == name {
			return slimNever
		}
	}
	f := s.field(name)
	switch {
	case f == nil:
		return slimAny
	case f.isRef():
		return slimRef
	case f.Type == typeChoice:
		return slimChoice
	}
	return slimNever
}

// intern returns b as a string held once per list.
func (r *listReader) intern(b []byte) string { return r.internAny(b).(string) }

// internAny returns b as a string held once per list, in an any.
func (r *listReader) internAny(b []byte) any {
	if v, ok := r.interned[string(b)]; ok {
		return v
	}
	s := string(b)
	v := any(s)
	r.interned[s] = v
	return v
}

// page reads one page. A page that is not JSON, or not a list's envelope,
// fails whole; otherwise the first object that cannot be read fails it.
func (r *listReader) page(data []byte) (page, error) {
	var pg page
	var objErr error
	sc := jsonscan.New(data)
	err := r.envelope(sc, &pg, &objErr)
	if err == nil {
		err = sc.End()
	}
	if err != nil {
		return pg, &AnswerError{Endpoint: r.spec.Endpoint, Problem: "not a NetBox list", Value: quote(string(data))}
	}
	return pg, objErr
}

// envelope reads the list's count, next and results, its keys matched as
// encoding/json matches a struct's fields (case aside).
func (r *listReader) envelope(sc *jsonscan.Scanner, pg *page, objErr *error) error {
	if sc.Peek() == 'n' {
		return sc.Literal("null")
	}
	return sc.Object(func(key []byte) error {
		switch {
		case bytes.EqualFold(key, []byte("count")):
			return readCount(sc, &pg.Count)
		case bytes.EqualFold(key, []byte("next")):
			return readNext(sc, &pg.Next)
		case bytes.EqualFold(key, []byte("results")):
			*objErr = nil
			return r.results(sc, pg, objErr)
		}
		return sc.SkipValue(false)
	})
}

// readCount reads the count as encoding/json reads a number into an int.
func readCount(sc *jsonscan.Scanner, n *int) error {
	if sc.Peek() == 'n' {
		return sc.Literal("null")
	}
	text, err := sc.NumberSpan()
	if err != nil {
		return err
	}
	v, err := strconv.Atoi(string(text))
	if err != nil {
		return jsonscan.ErrSyntax
	}
	*n = v
	return nil
}

func readNext(sc *jsonscan.Scanner, next **string) error {
	if sc.Peek() == 'n' {
		*next = nil
		return sc.Literal("null")
	}
	s, err := sc.Str()
	if err != nil {
		return err
	}
	*next = &s
	return nil
}

// results reads the objects; the first one that cannot be read is kept in
// objErr, and the rest of the list is still read, so that a list that is
// not JSON fails as such wherever it breaks.
func (r *listReader) results(sc *jsonscan.Scanner, pg *page, objErr *error) error {
	if sc.Peek() == 'n' {
		pg.Results = nil
		return sc.Literal("null")
	}
	pg.Results = []map[string]any{}
	return sc.Array(func() error {
		switch sc.Peek() {
		case 'n':
			pg.Results = append(pg.Results, nil)
			if *objErr == nil {
				*objErr = &AnswerError{Endpoint: r.spec.Endpoint, Problem: "list item is not an object", Value: "null"}
			}
			return sc.Literal("null")
		case '{':
		default:
			return jsonscan.ErrSyntax // encoding/json cannot put it in a map either
		}
		o, err, syntax := r.object(sc)
		if syntax != nil {
			return syntax
		}
		if err != nil && *objErr == nil {
			*objErr = err
		}
		pg.Results = append(pg.Results, o)
		return nil
	})
}

// object reads one object of the list to its trimmed form; err is its
// AnswerError, syntax a document that is not JSON.
func (r *listReader) object(sc *jsonscan.Scanner) (o map[string]any, err, syntax error) {
	sc.Peek()
	start := sc.Pos()
	raw := make(map[string]any, r.sizeHint)
	plain := true
	syntax = sc.Object(func(key []byte) error {
		name, ok := r.kept[string(key)]
		if !ok {
			return sc.Skip()
		}
		v, p, err := r.keptValue(sc, name)
		plain = plain && p
		raw[name] = v
		return err
	})
	if syntax != nil {
		return nil, nil, syntax
	}
	r.sizeHint = len(raw)
	if !plain || !hasID(raw) || r.spec.check(raw) != nil {
		return r.whole(sc.Since(start))
	}
	for k, v := range raw {
		switch {
		case absent(v):
			delete(raw, k)
		case k != "custom_fields" && k != "tags":
			raw[k] = slimValue(v)
		}
	}
	return raw, nil, nil
}

// hasID is readPage's check of an object's ID.
func hasID(raw map[string]any) bool {
	id, ok := refID(raw["id"])
	return ok && id != nil && raw["id"] != nil
}

// whole reads an object the way readPage does: decoded whole, its ID
// checked, then read by the kind.
func (r *listReader) whole(text []byte) (o map[string]any, err, syntax error) {
	var raw map[string]any
	if err := json.Unmarshal(text, &raw); err != nil {
		return nil, nil, jsonscan.ErrSyntax
	}
	if _, ok := refID(raw["id"]); !ok || raw["id"] == nil {
		return raw, &AnswerError{Endpoint: r.spec.Endpoint, Object: objectLabel(raw), Field: "id", Problem: "not an object ID", Value: quote(raw["id"])}, nil
	}
	o, err = r.spec.read(raw)
	if err != nil {
		return raw, err, nil
	}
	return o, nil, nil
}

// keptValue reads the value of a kept field; plain is false when its shape
// needs the whole object read (whole).
func (r *listReader) keptValue(sc *jsonscan.Scanner, name string) (v any, plain bool, err error) {
	switch name {
	case "custom_fields":
		if c := sc.Peek(); c != '{' && c != 'n' {
			return nil, false, sc.Skip()
		}
		return r.customFields(sc)
	case "tags":
		if c := sc.Peek(); c != '[' && c != 'n' {
			return nil, false, sc.Skip()
		}
		return r.tags(sc)
	}
	if strings.HasSuffix(name, "_type") && sc.Peek() == '"' {
		v, err := r.internedString(sc)
		return v, true, err
	}
	if sc.Peek() == '{' {
		return r.nestedObject(sc, r.slimAs[name])
	}
	return r.nested(sc)
}

// customFields reads the custom fields that hold a value (slimCustomFields).
func (r *listReader) customFields(sc *jsonscan.Scanner) (any, bool, error) {
	if sc.Peek() == 'n' {
		return nil, true, sc.Literal("null")
	}
	cf := make(map[string]any, 4)
	err := sc.Object(func(key []byte) error {
		name := r.intern(key)
		var v any
		var err error
		if sc.Peek() == '"' && name != CFAgentID && name != CFAgentWritten {
			v, err = r.internedString(sc)
		} else {
			v, err = sc.Value()
		}
		if absent(v) {
			delete(cf, name)
		} else {
			cf[name] = v
		}
		return err
	})
	return cf, true, err
}

// internedString reads a string value that many objects repeat.
func (r *listReader) internedString(sc *jsonscan.Scanner) (any, error) {
	sc.Peek()
	start := sc.Pos()
	content, plain, err := sc.StringSpan()
	if err != nil {
		return nil, err
	}
	if plain {
		return r.internAny(content), nil
	}
	var s string
	if err := json.Unmarshal(sc.Since(start), &s); err != nil {
		return nil, jsonscan.ErrSyntax
	}
	return s, nil
}

// tags reads each tag's name and slug (slimTags); an empty list is absent.
func (r *listReader) tags(sc *jsonscan.Scanner) (any, bool, error) {
	if sc.Peek() == 'n' {
		return nil, true, sc.Literal("null")
	}
	var out []tagRef
	n := 0
	err := sc.Array(func() error {
		n++
		if sc.Peek() != '{' {
			return sc.Skip()
		}
		var name, slug any
		err := sc.Object(func(key []byte) error {
			var err error
			switch {
			case string(key) == "name" && sc.Peek() == '"':
				name, err = r.internedString(sc)
			case string(key) == "slug" && sc.Peek() == '"':
				slug, err = r.internedString(sc)
			case string(key) == "name":
				name, err = nil, sc.Skip()
			case string(key) == "slug":
				slug, err = nil, sc.Skip()
			default:
				err = sc.Skip()
			}
			return err
		})
		nameText, _ := name.(string)
		slugText, _ := slug.(string)
		out = append(out, tagRef{Name: nameText, Slug: slugText})
		return err
	})
	if n == 0 {
		return nil, true, err
	}
	if out == nil {
		out = []tagRef{}
	}
	return out, true, err
}

// nested reads any other kept value: a nested object cut to what
// slimValue reads, a list element by element, anything else whole.
func (r *listReader) nested(sc *jsonscan.Scanner) (any, bool, error) {
	switch sc.Peek() {
	case '{':
		return r.nestedObject(sc, slimNever)
	case '[':
		out := []any{}
		plain := true
		err := sc.Array(func() error {
			v, p, err := r.nested(sc)
			plain = plain && p
			out = append(out, v)
			return err
		})
		return out, plain, err
	case '"':
		v, err := sc.Str()
		return v, true, err
	}
	v, err := sc.Value()
	return v, true, err
}

// nestedObject reads a related object or a choice: plain only when it has
// an ID or is a choice with a bare value, the shapes slimValue cuts down.
// It is a map of what slimValue reads, or already cut when early allows.
func (r *listReader) nestedObject(sc *jsonscan.Scanner, early slimEarly) (any, bool, error) {
	var n nestedRead
	plain := true
	err := sc.Object(func(key []byte) error {
		var dst *any
		switch string(key) {
		case "id":
			dst, n.hasID = &n.id, true
		case "device":
			dst, n.hasDevice = &n.device, true
		case "virtual_machine":
			dst, n.hasVM = &n.vm, true
		case "label":
			n.hasLabel = true // only whether it is there counts
			return sc.Skip()
		case "value":
			if c := sc.Peek(); c == '{' || c == '[' {
				plain = false
				return sc.Skip()
			}
			v, err := r.scalar(sc)
			n.value, n.hasValue = v, true
			return err
		default:
			return sc.Skip()
		}
		var v any
		var p bool
		var err error
		if early != slimNever && dst != &n.id && sc.Peek() == '{' {
			// a parent is cut by slimValue whatever its shape, and read by
			// no check
			v, p, err = r.nestedObject(sc, slimAny)
		} else {
			v, p, err = r.nested(sc)
		}
		plain = plain && p
		*dst = v
		return err
	})
	plain = plain && (n.hasID || n.hasValue && n.hasLabel)
	if v, ok := n.slim(early); ok && plain && err == nil {
		return v, true, nil
	}
	return n.asMap(), plain, err
}

// nestedRead is what nestedObject reads of a nested object.
type nestedRead struct {
	id, value, device, vm                       any
	hasID, hasValue, hasLabel, hasDevice, hasVM bool
}

// isNumber reports whether v is a JSON number as the scanner reads it.
func isNumber(v any) bool {
	switch v.(type) {
	case float64, json.Number:
		return true
	}
	return false
}

// asMap is the object as a map of what slimValue reads.
func (n *nestedRead) asMap() map[string]any {
	m := make(map[string]any, 2)
	for _, f := range [...]struct {
		name  string
		has   bool
		value any
	}{{"id", n.hasID, n.id}, {"value", n.hasValue, n.value}, {"label", n.hasLabel, nil},
		{"device", n.hasDevice, n.device}, {"virtual_machine", n.hasVM, n.vm}} {
		if f.has {
			m[f.name] = f.value
		}
	}
	return m
}

// slim is slimValue of asMap when early allows the cut value in place of
// the object: a choice's value that is set, for a choice or a field the
// check does not read; a numeric ID (with the parent's, for an assigned
// object), for a reference or such a field. ok is false otherwise.
func (n *nestedRead) slim(early slimEarly) (any, bool) {
	if n.hasValue && n.hasLabel {
		if early != slimChoice && early != slimAny || absent(n.value) {
			return nil, false
		}
		return n.value, true
	}
	if !n.hasID || !isNumber(n.id) || early != slimRef && early != slimAny {
		return nil, false
	}
	if !n.hasDevice && !n.hasVM {
		return n.id, true
	}
	m := map[string]any{"id": n.id}
	if n.hasDevice {
		m["device"] = slimValue(n.device)
	}
	if n.hasVM {
		m["virtual_machine"] = slimValue(n.vm)
	}
	return m, true
}

// scalar reads a choice's value, interned when it is text.
func (r *listReader) scalar(sc *jsonscan.Scanner) (any, error) {
	if sc.Peek() == '"' {
		return r.internedString(sc)
	}
	return sc.Value()
}
