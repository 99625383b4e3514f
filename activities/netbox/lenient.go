package netbox

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// readPage reads one page of a NetBox list answer, leniently: it is the one
// reader of NetBox's answers, and what it tolerates is said here.
//
// Answers are read as plain JSON, never into go-netbox's models: go-netbox
// v4.3.0 is generated from NetBox 4.3's schema, and its enums refuse every
// choice value and label a later release (or an operator's FIELD_CHOICES)
// adds, so one interface of type 10gbase-cu (NetBox 4.5.4) would fail every
// read of dcim/interfaces. So:
//
//   - choices are plain strings, taken from NetBox's {"value", "label"} or
//     bare; labels are never read, and whether a value is one NetBox takes
//     is asked of the connected NetBox itself (choices.go);
//   - fields the engine does not read are ignored whatever they hold, new
//     ones included, and a missing field reads as empty;
//   - custom field values are taken as they come: select and multiselect
//     ones bare or as {"value", "label"} (NetBox 4.7), see customfields.go;
//   - every field the engine reads must have a shape it has a reading for
//     (text, a number, a nested object with an id, a choice); one that
//     does not is an *AnswerError that names the endpoint, the object, the
//     field and the value, and that no retry heals.
//
// go-netbox stays the check of what the engine sends: request bodies are
// decoded into its request models, with the choice fields, which it cannot
// know for a later release, put aside (requestCheck).
//
// read, when set, checks and trims each object as its page arrives.
func readPage(endpoint string, data []byte, read func(map[string]any) (map[string]any, error)) (page, error) {
	var pg page
	if err := json.Unmarshal(data, &pg); err != nil {
		return pg, &AnswerError{Endpoint: endpoint, Problem: "not a NetBox list", Value: quote(string(data))}
	}
	for i, raw := range pg.Results {
		if raw == nil {
			return pg, &AnswerError{Endpoint: endpoint, Problem: "list item is not an object", Value: "null"}
		}
		if _, ok := refID(raw["id"]); !ok || raw["id"] == nil {
			return pg, &AnswerError{Endpoint: endpoint, Object: objectLabel(raw), Field: "id", Problem: "not an object ID", Value: quote(raw["id"])}
		}
		if read == nil {
			continue
		}
		o, err := read(raw)
		if err != nil {
			return pg, err
		}
		pg.Results[i] = o
	}
	return pg, nil
}

// read checks that every field the kind reads has a shape the engine can
// read, then trims the object to those fields (slim).
func (s *kindSpec) read(raw map[string]any) (map[string]any, error) {
	if err := s.check(raw); err != nil {
		return nil, err
	}
	return s.slim(raw), nil
}

// check is read's check of the fields the kind reads. Tags may be trimmed
// already (listReader).
func (s *kindSpec) check(raw map[string]any) error {
	for i := range s.Fields {
		f := &s.Fields[i]
		if v, ok := raw[f.Name]; ok && !readable(f, v) {
			return s.unreadable(raw, f.Name, v)
		}
		if f.TypeField != "" {
			if v, ok := raw[f.TypeField]; ok && v != nil {
				if _, isString := v.(string); !isString {
					return s.unreadable(raw, f.TypeField, v)
				}
			}
		}
	}
	if v := raw["custom_fields"]; v != nil {
		if _, ok := v.(map[string]any); !ok {
			return s.unreadable(raw, "custom_fields", v)
		}
	}
	if v := raw["tags"]; v != nil {
		_, list := v.([]any)
		_, trimmed := v.([]tagRef)
		if !list && !trimmed {
			return s.unreadable(raw, "tags", v)
		}
	}
	return nil
}

// readable reports whether canon has a reading of v for field f.
func readable(f *field, v any) bool {
	if v == nil {
		return true
	}
	switch f.Type {
	case typeGeneric:
		_, ok := refID(v)
		return ok
	case typeMAC, typeIP:
		// A value the normalisers do not know is still text to compare.
		_, ok := v.(string)
		return ok
	}
	_, ok := canon(f.Type, v)
	return ok
}

func (s *kindSpec) unreadable(raw map[string]any, field string, v any) error {
	return &AnswerError{Endpoint: s.Endpoint, Object: objectLabel(raw), Field: field,
		Problem: "no reading for this " + shapeOf(v), Value: quote(v)}
}

// objectLabel names an object of an answer: its ID and name.
func objectLabel(raw map[string]any) string {
	id := ""
	if n, ok := refID(raw["id"]); ok && n != nil {
		id = "#" + strconv.FormatInt(n.(int64), 10)
	}
	for _, k := range []string{"name", "model", "address", "mac_address", "display"} {
		if s, ok := raw[k].(string); ok && s != "" {
			if id == "" {
				return s
			}
			return id + " " + s
		}
	}
	return id
}

// shapeOf names the JSON shape of v.
func shapeOf(v any) string {
	switch v.(type) {
	case string:
		return "text"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}
