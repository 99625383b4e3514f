package nbsim

import (
	"bytes"
	"fmt"
	"slices"
)

// Selection custom fields: choice sets, the values they allow, and from 4.7 the
// {"value", "label"} form NetBox renders them in (extras/models/customfields.py,
// CustomFieldChoiceSet and CustomField.resolve_selection_value).

const epChoiceSets = "extras/custom-field-choice-sets"

func choiceSetKind() *kindSpec {
	return &kindSpec{
		Endpoint: epChoiceSets, ObjectType: "extras.customfieldchoiceset", ModelName: "CustomFieldChoiceSet",
		Verbose: "custom field choice set", Schema: "CustomFieldChoiceSet", Request: "WritableCustomFieldChoiceSetRequest",
		Brief:    "BriefCustomFieldChoiceSet",
		Defaults: map[string]any{"order_alphabetically": false},
		Unique:   []uniqueRule{fieldUnique("custom field choice set", "name", "name")},
		Indexed:  []string{"name"}, Search: []string{"name", "description"},
		Display: nameDisplay,
		Computed: map[string]func(*view, *object) any{
			"choices_count": func(_ *view, o *object) any { return int64(len(choicePairs(o))) },
		},
	}
}

// choicePairs are a choice set's extra_choices as [value, label] pairs, in order
// (alphabetically by value when order_alphabetically is set, as CustomFieldChoiceSet.choices).
func choicePairs(set *object) [][2]string {
	list, _ := set.Fields["extra_choices"].([]any)
	out := make([][2]string, 0, len(list))
	for _, item := range list {
		pair, _ := item.([]any)
		if len(pair) == 2 {
			out = append(out, [2]string{scalarString(pair[0]), scalarString(pair[1])})
		}
	}
	if b, _ := set.Fields["order_alphabetically"].(bool); b {
		slices.SortStableFunc(out, func(a, b [2]string) int {
			if a[0] < b[0] {
				return -1
			} else if a[0] > b[0] {
				return 1
			}
			return 0
		})
	}
	return out
}

func (v *view) choiceSetOf(cf *object) *object { return v.get(epChoiceSets, cf.id("choice_set")) }

// validateSelection is CustomField.validate() for select and multiselect values.
func (v *view) validateSelection(cf *object, val any) string {
	set := v.choiceSetOf(cf)
	if set == nil {
		return ""
	}
	var values []string
	for _, p := range choicePairs(set) {
		values = append(values, p[0])
	}
	name := set.str("name")
	if cf.str("type") == "select" {
		s, ok := val.(string)
		if !ok || !slices.Contains(values, s) {
			return fmt.Sprintf("Invalid choice (%s) for choice set %s.", pyStr(val), name)
		}
		return ""
	}
	list, ok := val.([]any)
	for _, x := range list {
		s, isStr := x.(string)
		ok = ok && isStr && slices.Contains(values, s)
	}
	if !ok {
		return fmt.Sprintf("Invalid choice(s) (%s) for choice set %s.", pyRepr(val), name)
	}
	return ""
}

// cleanChoiceSet is CustomField.clean()'s choice set rule: selection fields need one, others
// may not have one.
func cleanChoiceSet(o *object, errs fieldErrors) {
	selection := o.str("type") == "select" || o.str("type") == "multiselect"
	switch {
	case selection && o.Fields["choice_set"] == nil:
		errs.add("choice_set", "Selection fields must specify a set of choices.")
	case !selection && o.Fields["choice_set"] != nil:
		errs.add("choice_set", "Choices may be set only on selection fields.")
	}
}

// writeSelection writes a selection value as 4.7 renders it: {"value", "label"}, or a list of
// them, the label taken from the choice set (the value itself when the set lacks it).
func (v *view) writeSelection(b *bytes.Buffer, cf *object, val any) {
	labels := map[string]string{}
	if set := v.choiceSetOf(cf); set != nil {
		for _, p := range choicePairs(set) {
			labels[p[0]] = p[1]
		}
	}
	one := func(x any) {
		s := scalarString(x)
		label, ok := labels[s]
		if !ok {
			label = s
		}
		b.WriteString(`{"value":`)
		writeJSON(b, x)
		b.WriteString(`,"label":`)
		writeJSON(b, label)
		b.WriteByte('}')
	}
	if cf.str("type") == "select" {
		one(val)
		return
	}
	list, _ := val.([]any)
	b.WriteByte('[')
	for i, x := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		one(x)
	}
	b.WriteByte(']')
}
