package nbsim

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Custom fields: their definitions' rules, value validation and the objects' custom field data.

var customFieldDataTypes = map[string]string{
	"text": "string", "longtext": "string", "integer": "integer", "decimal": "decimal", "boolean": "boolean",
	"date": "string", "datetime": "string", "url": "string", "json": "object", "select": "string",
	"multiselect": "array", "object": "object", "multiobject": "array",
}

func customFieldDataType(_ *view, o *object) any { return customFieldDataTypes[o.str("type")] }

func cleanCustomField(v *view, o, _ *object, errs fieldErrors) {
	if strings.Contains(o.str("name"), "__") {
		errs.add("name", "Double underscores are not permitted in custom field names.")
	}
	for _, t := range stringList(o.Fields["object_types"]) {
		if app, model, ok := strings.Cut(t, "."); !ok || app == "" || model == "" {
			errs.add("object_types", fmt.Sprintf("Invalid content type: %s", t))
		}
	}
	typ := o.str("type")
	if (typ == "object" || typ == "multiobject") && o.Fields["related_object_type"] == nil {
		errs.add("related_object_type", "Object fields must define an object type.")
	}
	cleanChoiceSet(o, errs)
	if o.Fields["default"] != nil {
		if msg := v.validateCustomValue(o, o.Fields["default"]); msg != "" {
			errs.add("default", fmt.Sprintf("Invalid default value \"%v\": %s", o.Fields["default"], msg))
		}
	}
}

// validateCustomValue checks a custom field value as CustomField.validate() does.
func (v *view) validateCustomValue(def *object, val any) string {
	if val == nil || val == "" {
		return ""
	}
	switch def.str("type") {
	case "select", "multiselect":
		return v.validateSelection(def, val)
	case "text", "longtext":
		s, ok := val.(string)
		if !ok {
			return "Value must be a string."
		}
		if re := def.str("validation_regex"); re != "" {
			if r, err := regexp.Compile(re); err == nil && !r.MatchString(s) {
				return fmt.Sprintf("Value must match regex '%s'", re)
			}
		}
	case "integer":
		i, ok := val.(int64)
		if !ok {
			return "Value must be an integer."
		}
		if lo, ok := def.Fields["validation_minimum"].(int64); ok && i < lo {
			return fmt.Sprintf("Value must be at least %d", lo)
		}
		if hi, ok := def.Fields["validation_maximum"].(int64); ok && i > hi {
			return fmt.Sprintf("Value must not exceed %d", hi)
		}
	case "decimal":
		switch val.(type) {
		case int64, float64:
		default:
			return "Value must be a decimal."
		}
	case "boolean":
		switch x := val.(type) {
		case bool:
		case int64:
			if x != 0 && x != 1 {
				return "Value must be true or false."
			}
		default:
			return "Value must be true or false."
		}
	case "date":
		s, ok := val.(string)
		if _, err := time.Parse("2006-01-02", s); !ok || err != nil {
			return "Date values must be in ISO 8601 format (YYYY-MM-DD)."
		}
	case "datetime":
		s, ok := val.(string)
		if !ok || !validDateTime(s) {
			return "Date and time values must be in ISO 8601 format (YYYY-MM-DD HH:MM:SS)."
		}
	case "object":
		if _, ok := val.(int64); !ok {
			return fmt.Sprintf("Value must be an object ID, not %s", pyType(val))
		}
	case "multiobject":
		if _, ok := val.([]any); !ok {
			return fmt.Sprintf("Value must be a list of object IDs, not %s", pyType(val))
		}
	}
	return ""
}

func validDateTime(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// applyCustomFields merges the request's custom field data into o and validates it as
// NetBox's CustomFieldsMixin.clean() does; it returns that method's message, if any.
func (t *tx) applyCustomFields(k *kindSpec, o *object, raw any, old *object) string {
	data := map[string]any{}
	if old != nil {
		for name, v := range old.customFields() {
			data[name] = v
		}
	}
	if m, ok := raw.(map[string]any); ok {
		for name, v := range m {
			data[name] = normalizeJSON(v)
		}
	}
	defs := t.customFieldsFor(k.ObjectType)
	byName := map[string]*object{}
	for _, cf := range defs {
		byName[cf.str("name")] = cf
		if _, ok := data[cf.str("name")]; !ok && old == nil && cf.Fields["default"] != nil {
			data[cf.str("name")] = cf.Fields["default"]
		}
	}
	o.Fields["custom_fields"] = data
	names := make([]string, 0, len(data))
	for name := range data {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		cf := byName[name]
		if cf == nil {
			if t.st.cat.rel.dropsStaleCustomFields() {
				delete(data, name)
				continue
			}
			return fmt.Sprintf("Unknown field name '%s' in custom field data.", name)
		}
		v := data[name]
		if msg := t.validateCustomValue(cf, v); msg != "" {
			return fmt.Sprintf("Invalid value for custom field '%s': %s", name, msg)
		}
		if b, _ := cf.Fields["unique"].(bool); b && v != nil && v != "" {
			for _, id := range t.table(k.Endpoint).index("cf_"+name, cfIndexValue(v)) {
				if id != o.ID {
					return fmt.Sprintf("Custom field '%s' must have a unique value.", name)
				}
			}
		}
	}
	for _, cf := range defs {
		if b, _ := cf.Fields["required"].(bool); b {
			if _, ok := data[cf.str("name")]; !ok {
				return fmt.Sprintf("Missing required custom field '%s'.", cf.str("name"))
			}
		}
	}
	return ""
}

func cfIndexValue(v any) string { return scalarString(v) }

// checkCustomFieldNames is CustomFieldsDataField.to_internal_value's check of the data's form
// and, from 4.5, of its names (extras/api/customfields.py).
func (t *tx) checkCustomFieldNames(k *kindSpec, raw any, errs fieldErrors) {
	m, isMap := raw.(map[string]any)
	if !isMap {
		errs.add("custom_fields", "Invalid data format. Custom field data must be passed as a dictionary mapping field names to their values.")
		return
	}
	if !t.st.cat.rel.rejectsUnknownCustomFields() {
		return
	}
	unknown := map[string]any{}
	for name := range m {
		if t.customField(k.ObjectType, name) == nil {
			unknown[name] = fmt.Sprintf("Custom field '%s' does not exist for this object type.", name)
		}
	}
	if len(unknown) > 0 {
		errs["custom_fields"] = unknown
	}
}

// afterCustomField removes a custom field's data from the objects of the types it no longer
// applies to (all of them once it is deleted), as NetBox does.
func afterCustomField(t *tx, o, old *object) {
	if o != nil {
		populateDefault(t, o, old)
	}
	if old == nil {
		return
	}
	name := old.str("name")
	var keep []string
	if o != nil && o.str("name") == name {
		keep = stringList(o.Fields["object_types"])
	}
	for _, typ := range stringList(old.Fields["object_types"]) {
		k := t.st.cat.byType[typ]
		if k == nil || slices.Contains(keep, typ) {
			continue
		}
		tb := t.table(k.Endpoint)
		for _, key := range slices.Collect(maps.Keys(tb.indexes["cf_"+name])) {
			for _, id := range slices.Clone(tb.index("cf_"+name, key)) {
				c := tb.objs[id].clone()
				delete(c.Fields["custom_fields"].(map[string]any), name)
				t.replace(k.Endpoint, c)
			}
		}
	}
}

// populateDefault gives the objects of the types a custom field newly applies to its default
// value, as CustomField.populate_initial_data does (extras/models/customfields.py).
func populateDefault(t *tx, o, old *object) {
	def := o.Fields["default"]
	if def == nil {
		return
	}
	var before []string
	if old != nil && old.str("name") == o.str("name") {
		before = stringList(old.Fields["object_types"])
	}
	name := o.str("name")
	for _, typ := range stringList(o.Fields["object_types"]) {
		k := t.st.cat.byType[typ]
		if k == nil || slices.Contains(before, typ) {
			continue
		}
		tb := t.table(k.Endpoint)
		for _, id := range slices.Clone(tb.ordered()) {
			obj := tb.objs[id]
			if _, ok := obj.customFields()[name]; ok {
				continue
			}
			c := obj.clone()
			data := maps.Clone(c.customFields())
			if data == nil {
				data = map[string]any{}
			}
			data[name] = def
			c.Fields["custom_fields"] = data
			t.replace(k.Endpoint, c)
		}
	}
}
