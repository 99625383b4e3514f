package inventory

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/netbox-agent/netbox-agent/activities/jsonscan"
)

// A run writes and reads its inventory several times over (the snapshot,
// the merged inventory, the plan's read of it); at 100,000 records
// encoding/json's reflection over each record's maps was most of that
// work. AppendJSON and DecodeRecord write and read a record's JSON
// directly, to the same text and the same values as encoding/json.

// AppendJSON appends r as json.Marshal writes it.
func (r *Record) AppendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"kind":`...)
	b = appendString(b, string(r.Kind))
	b = append(b, `,"key":`...)
	b = appendString(b, r.Key)
	if r.Source != "" {
		b = append(b, `,"source":`...)
		b = appendString(b, r.Source)
	}
	if len(r.Attrs) > 0 {
		b = append(b, `,"attrs":{`...)
		var stack [keysOnStack]string
		for i, k := range sortedKeys(stack[:0], r.Attrs) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, k), ':')
			if b, err = appendValue(b, r.Attrs[k]); err != nil {
				return b, err
			}
		}
		b = append(b, '}')
	}
	b = appendStringMap(b, "refs", r.Refs)
	b = appendStringMap(b, "origin", r.Origin)
	if len(r.Aliases) > 0 {
		b = append(b, `,"aliases":`...)
		b = appendStrings(b, r.Aliases)
	}
	if r.StandIn != "" {
		b = append(b, `,"stand_in":`...)
		b = appendString(b, r.StandIn)
	}
	return append(b, '}'), nil
}

// appendStringMap appends `,"name":{...}` unless m is empty (omitempty).
func appendStringMap(b []byte, name string, m map[string]string) []byte {
	if len(m) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, `":{`...)
	var stack [keysOnStack]string
	for i, k := range sortedKeys(stack[:0], m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, k), ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// keysOnStack is how many keys of a record's map sortedKeys sorts
// without allocating: more than any kind has fields.
const keysOnStack = 32

// sortedKeys appends m's keys to buf and sorts them: encoding/json's order,
// in a buffer the caller keeps on its stack, since every record written
// sorts two or three maps.
func sortedKeys[V any](buf []string, m map[string]V) []string {
	for k := range m {
		buf = append(buf, k)
	}
	slices.Sort(buf)
	return buf
}

// appendValue appends an attribute value: the types normalisation leaves
// directly, any other through encoding/json.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		return appendStrings(b, x), nil
	case []int64:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, n := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, n, 10)
		}
		return append(b, ']'), nil
	}
	text, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, text...), nil
}

func appendStrings(b []byte, xs []string) []byte {
	b = append(b, '[')
	for i, s := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendString appends s quoted as encoding/json quotes it: text that
// needs no escape as it is, any other through encoding/json (which
// escapes <, > and & too, and replaces invalid UTF-8).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			text, err := json.Marshal(s)
			if err != nil { // a string always encodes; keep the text valid anyway
				return strconv.AppendQuote(b, s)
			}
			return append(b, text...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// DecodeRecord sets *r to the record data holds, as a json.Decoder with
// UseNumber decodes it into a zero Record; withOrigin false passes over
// the field origins (the planner does not read them, and they are a third
// of a merged inventory). A record of a shape the direct reading does not
// cover is decoded by encoding/json, which also gives its errors.
func DecodeRecord(data []byte, r *Record, withOrigin bool) error {
	var fast Record
	if decodeRecord(data, &fast, withOrigin) {
		*r = fast
		return nil
	}
	var slow Record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&slow); err != nil {
		return err
	}
	if !withOrigin {
		slow.Origin = nil
	}
	*r = slow
	return nil
}

// DecodeJSON decodes the record data holds (DecodeRecord with origins).
func (r *Record) DecodeJSON(data []byte) error { return DecodeRecord(data, r, true) }

// decodeRecord reads the shapes encoding/json writes of a record; false
// means the record needs encoding/json.
func decodeRecord(data []byte, r *Record, withOrigin bool) bool {
	s := jsonscan.New(data)
	s.UseNumber = true
	if s.Peek() != '{' {
		return false
	}
	ok := true
	err := s.Object(func(key []byte) error {
		field := recordField(key)
		if !ok || field == "" || (field == "origin" && !withOrigin) {
			return s.SkipValue(false)
		}
		if s.Peek() == 'n' {
			ok = false // null: encoding/json's rules for it differ by type
			return s.SkipValue(false)
		}
		var err error
		ok, err = decodeField(s, r, field)
		return err
	})
	return ok && err == nil && s.End() == nil
}

// recordField is the Record field a JSON key names, matched as
// encoding/json matches them (case aside), or "".
func recordField(key []byte) string {
	for _, f := range [...]string{"kind", "key", "source", "attrs", "refs", "origin", "aliases", "stand_in"} {
		if bytes.EqualFold(key, []byte(f)) {
			return f
		}
	}
	return ""
}

// decodeField reads one field of a record that is not null; false means a
// shape decodeRecord leaves to encoding/json.
func decodeField(s *jsonscan.Scanner, r *Record, field string) (bool, error) {
	switch field {
	case "kind", "key", "source", "stand_in":
		if s.Peek() != '"' {
			return false, s.SkipValue(false)
		}
		v, err := s.Str()
		switch field {
		case "kind":
			r.Kind = Kind(v)
		case "key":
			r.Key = v
		case "stand_in":
			r.StandIn = v
		default:
			r.Source = v
		}
		return true, err
	case "attrs":
		if s.Peek() != '{' {
			return false, s.SkipValue(false)
		}
		if r.Attrs == nil {
			r.Attrs = map[string]any{} // a repeated key adds to the first, as encoding/json does
		}
		return true, s.Object(func(key []byte) error {
			v, err := s.Value()
			r.Attrs[fieldName(key)] = v
			return err
		})
	case "refs":
		return decodeStringMap(s, &r.Refs)
	case "origin":
		return decodeStringMap(s, &r.Origin)
	}
	if s.Peek() != '[' {
		return false, s.SkipValue(false)
	}
	r.Aliases = []string{}
	ok := true
	err := s.Array(func() error {
		if s.Peek() != '"' {
			ok = false
			return s.SkipValue(false)
		}
		v, err := s.Str()
		r.Aliases = append(r.Aliases, v)
		return err
	})
	return ok, err
}

// decodeStringMap reads an object of strings into *mp.
func decodeStringMap(s *jsonscan.Scanner, mp *map[string]string) (bool, error) {
	if s.Peek() != '{' {
		return false, s.SkipValue(false)
	}
	if *mp == nil {
		*mp = map[string]string{}
	}
	m := *mp
	ok := true
	err := s.Object(func(key []byte) error {
		if s.Peek() != '"' {
			ok = false
			return s.SkipValue(false)
		}
		v, err := s.Str()
		m[fieldName(key)] = v
		return err
	})
	return ok, err
}
