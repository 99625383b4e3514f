package netbox

import (
	"reflect"
)

// satisfied reports whether a NetBox object already holds every value of a
// request body: then the write was done (by an earlier attempt) or is not
// needed.
func satisfied(s *kindSpec, body map[string]any, o *object) bool {
	raw := o.Raw
	for name, want := range body {
		switch name {
		case "id":
			continue
		case "tags":
			if !reflect.DeepEqual(tagSlugs(want), tagSlugs(o.Tags)) {
				return false
			}
			continue
		case "custom_fields":
			if !customFieldsHold(want, raw["custom_fields"]) {
				return false
			}
			continue
		}
		f := s.field(name)
		if f == nil {
			if !typeFieldHolds(s, name, want, raw) {
				return false
			}
			continue
		}
		w, ok := canon(f.Type, want)
		if f.Type == typeGeneric {
			w, ok = refID(want)
			cur, _ := refID(raw[f.Name])
			if !ok || !equalCanon(w, cur) {
				return false
			}
			continue
		}
		if !ok || !equalCanon(w, current(f, raw)) {
			return false
		}
	}
	return true
}

// typeFieldHolds compares the object-type half of a generic key, and any
// other field outside the table (create defaults) as plain values.
func typeFieldHolds(s *kindSpec, name string, want any, raw map[string]any) bool {
	for _, f := range s.Fields {
		if f.TypeField == name {
			cur, _ := raw[name].(string)
			w, _ := want.(string)
			return cur == w
		}
	}
	c, _ := canon(typeChoice, raw[name])
	w, _ := canon(typeChoice, want)
	return equalCanon(c, w)
}

// unchangedSincePlan reports whether every field a late update writes
// still holds the value the plan saw: the object moved, but not under it.
func unchangedSincePlan(s *kindSpec, op *Operation, raw map[string]any) bool {
	for _, c := range op.Changes {
		f := s.field(c.Field)
		if f == nil || f.Type != typeRef {
			return false
		}
		from, ok := canon(f.Type, c.From)
		if !ok || !equalCanon(from, current(f, raw)) {
			return false
		}
	}
	return true
}
