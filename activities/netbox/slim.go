package netbox

// alwaysKept are the fields of any object that the planner and the applier
// read besides the ones a kind compares: identity, ownership, labels for
// reports, and what matching by serial or MAC looks at.
var alwaysKept = []string{
	"id", "last_updated", "custom_fields", "tags", "display", "name", "model", "address",
	"mac_address", "serial", "slug", "status", "assigned_object", "assigned_object_type", "assigned_object_id",
}

// keptFields lists the fields slim keeps for a kind: alwaysKept, every field
// the kind compares or writes, and the fields its create defaults fill.
func (s *kindSpec) keptFields() map[string]bool {
	keep := make(map[string]bool, len(alwaysKept)+len(s.Fields)+len(s.CreateDefaults))
	for _, f := range alwaysKept {
		keep[f] = true
	}
	for _, f := range s.Fields {
		keep[f.Name] = true
		if f.TypeField != "" {
			keep[f.TypeField] = true
		}
	}
	for f := range s.CreateDefaults {
		keep[f] = true
	}
	return keep
}

// slim trims a NetBox object to what the engine reads of it: the kept
// fields that hold a value, with nested objects cut to their ID (and a
// choice to its value).
// A full device or VM as NetBox renders it holds nested sites, types, config
// context and links; at 100,000 objects keeping those whole costs hundreds of
// megabytes for nothing.
func (s *kindSpec) slim(raw map[string]any) map[string]any {
	out := make(map[string]any, len(s.kept))
	for k, v := range raw {
		if !s.kept[k] || absent(v) {
			continue
		}
		switch k {
		case "custom_fields":
			out[k] = slimCustomFields(v)
		case "tags":
			out[k] = slimTags(v)
		default:
			out[k] = slimValue(v)
		}
	}
	return out
}

// absent reports whether v reads the same as a missing field: canon
// treats null, "" and an empty list as no value, so an object need not
// carry them. (false and 0 are values and stay.)
func absent(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

// slimCustomFields drops unset custom fields: NetBox lists every field
// defined for the object type, most of them null.
func slimCustomFields(v any) any {
	cf, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(cf))
	for k, x := range cf {
		if !absent(x) {
			out[k] = x
		}
	}
	return out
}

// slimValue cuts a nested value to what refID, canon and the generic-key
// parent lookups read: a choice becomes its value, a related object its ID,
// and an assigned object the IDs of itself and its device or virtual
// machine. Those readers take plain values as well as NetBox's nested forms.
func slimValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if val, ok := x["value"]; ok {
			if _, choice := x["label"]; choice {
				return val
			}
		}
		id, ok := x["id"]
		if !ok {
			return x
		}
		var m map[string]any
		for _, parent := range []string{"device", "virtual_machine"} {
			if p, ok := x[parent]; ok {
				if m == nil {
					m = map[string]any{"id": id}
				}
				m[parent] = slimValue(p)
			}
		}
		if m != nil {
			return m
		}
		return id
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = slimValue(e)
		}
		return out
	}
	return v
}

// slimTags keeps each tag's name and slug, which ownership and the tag
// writes read, as tagRefs rather than NetBox's nested objects.
func slimTags(v any) any {
	tags, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]tagRef, 0, len(tags))
	for _, t := range tags {
		m, ok := t.(map[string]any)
		if !ok {
			continue
		}
		name, _ := m["name"].(string)
		slug, _ := m["slug"].(string)
		out = append(out, tagRef{Name: name, Slug: slug})
	}
	return out
}
