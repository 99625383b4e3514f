package netbox

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"

	nb "github.com/netbox-community/go-netbox/v4"
)

// customFieldSpec is a custom field the agent needs.
type customFieldSpec struct {
	Name, Type, Label, Description string
	ObjectTypes                    []string
	// Exact makes cf_ filters compare whole values: with NetBox's default
	// "loose" logic a text filter is a substring match, and looking up
	// agent_id "a/b/1" would also find "a/b/10".
	Exact bool
	// Unique makes NetBox refuse a second object with the same value, the
	// last guard against two attempts of one batch creating an object twice.
	Unique bool
}

// wantedCustomFields lists the agent's own custom fields and the mapped ones.
func (c *Client) wantedCustomFields() []customFieldSpec {
	all := objectTypes()
	out := []customFieldSpec{
		{Name: CFAgentID, Type: "text", Label: "Agent ID", Description: "Key of the inventory record this object reflects", ObjectTypes: all, Exact: true, Unique: true},
		{Name: CFAgentSource, Type: "text", Label: "Agent source", Description: "Source the object was discovered by", ObjectTypes: all, Exact: true},
		{Name: CFLastSeen, Type: "date", Label: "Agent last seen", Description: "Last run that reported this object", ObjectTypes: all},
		{Name: CFOrphanedSince, Type: "date", Label: "Agent orphaned since", Description: "First run that no longer reported this object", ObjectTypes: all},
		{Name: CFAgentWritten, Type: "text", Label: "Agent written", Description: "Hashes of the values the agent last wrote, by field: a value that matches neither them nor the sources was edited by hand", ObjectTypes: all},
	}
	byName := map[string]int{}
	for _, m := range c.cfg.CustomFields {
		var types []string
		for _, k := range m.Kinds {
			types = append(types, specFor(k).ObjectType)
		}
		if i, ok := byName[m.Field]; ok {
			out[i].ObjectTypes = unionStrings(out[i].ObjectTypes, types)
			continue
		}
		t := m.Type
		if t == "" {
			t = "text"
		}
		byName[m.Field] = len(out)
		out = append(out, customFieldSpec{Name: m.Field, Type: t, Description: "Source attribute " + m.Attr, ObjectTypes: uniqueSorted(types)})
	}
	return out
}

var cfNamePattern = regexp.MustCompile(`^[a-z0-9_]+$`)

// CustomFieldTypes lists the NetBox custom field types the agent can fill from a record
// attribute; the configuration's check takes its list from here.
func CustomFieldTypes() []string {
	return []string{"text", "longtext", "integer", "decimal", "boolean", "date", "datetime",
		"url", "json", "select", "multiselect"}
}

// cfNeedsChoiceSet reports whether a custom field of NetBox type t takes
// its values from a choice set, which only an operator can make: the agent
// writes such fields but does not create them.
func cfNeedsChoiceSet(t string) bool { return t == "select" || t == "multiselect" }

// validateMappings checks the custom field mappings of the configuration.
func validateMappings(ms []CustomFieldMapping) error {
	own := map[string]bool{CFAgentID: true, CFAgentSource: true, CFLastSeen: true, CFOrphanedSince: true, CFAgentWritten: true}
	types := map[string]string{}
	for i, m := range ms {
		switch {
		case m.Attr == "":
			return fmt.Errorf("custom_fields[%d]: attr is empty", i)
		case !cfNamePattern.MatchString(m.Field):
			return fmt.Errorf("custom_fields[%d]: field %q must match [a-z0-9_]+", i, m.Field)
		case own[m.Field]:
			return fmt.Errorf("custom_fields[%d]: field %q is the agent's own", i, m.Field)
		case m.Type != "" && !slices.Contains(CustomFieldTypes(), m.Type):
			return fmt.Errorf("custom_fields[%d]: unknown type %q", i, m.Type)
		case len(m.Kinds) == 0:
			return fmt.Errorf("custom_fields[%d]: kinds is empty", i)
		}
		t := m.Type
		if t == "" {
			t = "text"
		}
		if prev, ok := types[m.Field]; ok && prev != t {
			return fmt.Errorf("custom_fields[%d]: field %q mapped with types %s and %s", i, m.Field, prev, t)
		}
		types[m.Field] = t
		for _, k := range m.Kinds {
			if specFor(k) == nil {
				return fmt.Errorf("custom_fields[%d]: kind %q is not written to NetBox", i, k)
			}
		}
	}
	return nil
}

// ensureCustomFields creates the custom fields the agent writes that
// NetBox lacks and widens those that do not cover every object type; it
// returns how many it created and how many it changed.
func (c *Client) ensureCustomFields(ctx context.Context, note string) (created, updated int, err error) {
	want := c.wantedCustomFields()
	names := make([]string, len(want))
	for i, w := range want {
		names[i] = w.Name
	}
	have, err := c.listPath(ctx, "extras/custom-fields", url.Values{"name": names})
	if err != nil {
		return 0, 0, err
	}
	existing := map[string]map[string]any{}
	for _, cf := range have {
		if n, ok := cf["name"].(string); ok {
			existing[n] = cf
		}
	}
	var create, update []map[string]any
	for _, w := range want {
		cur, ok := existing[w.Name]
		if !ok {
			if cfNeedsChoiceSet(w.Type) {
				return 0, 0, &SchemaError{Field: w.Name, Problem: fmt.Sprintf("does not exist: a %s field needs a choice set, so create it in NetBox (with its choices) for the agent to write it", w.Type)}
			}
			create = append(create, w.createBody())
			continue
		}
		patch, err := w.patch(cur)
		if err != nil {
			return 0, 0, err
		}
		if patch != nil {
			update = append(update, patch)
		}
	}
	if err := c.sendCustomFields(ctx, http.MethodPost, create, decodeAs[nb.WritableCustomFieldRequest](), note); err != nil {
		return 0, 0, err
	}
	if err := c.sendCustomFields(ctx, http.MethodPatch, update, decodeAs[nb.PatchedWritableCustomFieldRequest](), note); err != nil {
		return len(create), 0, err
	}
	return len(create), len(update), nil
}

// sendCustomFields checks the custom field bodies against a go-netbox request
// model and sends them in one bulk request; no bodies send nothing.
func (c *Client) sendCustomFields(ctx context.Context, method string, bodies []map[string]any, check func([]byte) error, note string) error {
	if len(bodies) == 0 {
		return nil
	}
	if err := checkEach(bodies, check); err != nil {
		return err
	}
	_, err := c.sendList(ctx, method, "extras/custom-fields/", bodies, note)
	return err
}

// createBody is the request that creates the custom field.
func (w customFieldSpec) createBody() map[string]any {
	body := map[string]any{"name": w.Name, "type": w.Type, "object_types": w.ObjectTypes,
		"description": w.Description}
	if w.Label != "" {
		body["label"] = w.Label
	}
	if w.Exact {
		body["filter_logic"] = "exact"
	}
	if w.Unique {
		body["unique"] = true
	}
	return body
}

// patch is the update that makes the existing custom field cur serve the
// agent (more object types, exact filters), or nil when it does already.
func (w customFieldSpec) patch(cur map[string]any) (map[string]any, error) {
	if t, _ := canon(typeChoice, cur["type"]); t != w.Type {
		return nil, &SchemaError{Field: w.Name, Problem: fmt.Sprintf("has type %v, the agent needs %s", t, w.Type)}
	}
	patch := map[string]any{}
	curTypes := stringList(cur["object_types"])
	if all := unionStrings(curTypes, w.ObjectTypes); len(all) != len(curTypes) {
		patch["object_types"] = all
	}
	if fl, _ := canon(typeChoice, cur["filter_logic"]); w.Exact && fl != "exact" {
		patch["filter_logic"] = "exact"
	}
	if len(patch) == 0 {
		return nil, nil
	}
	id, ok := refID(cur["id"])
	if !ok || id == nil {
		return nil, &AnswerError{Endpoint: "extras/custom-fields", Object: w.Name, Field: "id", Problem: "not an object ID", Value: quote(cur["id"])}
	}
	patch["id"] = id
	return patch, nil
}

// cfType is the canonical type of a custom field of NetBox type t.
func cfType(t string) fieldType {
	switch t {
	case "integer":
		return typeInt
	case "decimal":
		return typeFloat
	case "boolean":
		return typeBool
	case "select":
		return typeChoice
	case "multiselect":
		return typeChoiceList
	}
	return typeString
}

// mappedValue reads a mapped attribute of r in the custom field's type.
func mappedValue(m CustomFieldMapping, r *record) (any, bool) {
	raw, ok := r.Attr(m.Attr)
	if !ok {
		return nil, false
	}
	t := cfType(m.Type)
	if t == typeString || t == typeChoice {
		if _, isString := raw.(string); !isString {
			raw = fmt.Sprint(raw)
		}
	}
	v, ok := canon(t, raw)
	return v, ok && v != nil
}

// customFieldsHold compares the custom fields of a body with an object's.
func customFieldsHold(want, have any) bool {
	w, _ := want.(map[string]any)
	h, _ := have.(map[string]any)
	for k, v := range w {
		if !looseEqual(v, h[k]) {
			return false
		}
	}
	return true
}

// looseEqual compares custom field values as NetBox renders them: numbers
// by value, dates by day, "" as nothing, select values bare or as NetBox
// 4.7's {"value", "label"}, multiselect values as sets.
func looseEqual(a, b any) bool {
	a, b = plainCF(a), plainCF(b)
	if la, ok := a.([]any); ok {
		if lb, ok := b.([]any); ok {
			ca, okA := choiceList(la)
			cb, okB := choiceList(lb)
			if okA && okB {
				return equalCanon(ca, cb)
			}
		}
	}
	if na, ok := number(a); ok {
		if nb, ok := number(b); ok {
			return na == nb
		}
	}
	if a == "" {
		a = nil
	}
	if b == "" {
		b = nil
	}
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			return sa == sb || (len(sa) == len(dateLayout) && dateOf(sb) == sa)
		}
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// plainCF reads a custom field value as the engine writes it: NetBox
// 4.7's select {"value", "label"} as its value, a multiselect's list of
// them as a list of values, an empty list as nothing.
func plainCF(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if val, ok := x["value"]; ok && len(x) == 2 {
			if _, labelled := x["label"]; labelled {
				return val
			}
		}
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return plainCF(out)
	case []any:
		if len(x) == 0 {
			return nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainCF(e)
		}
		return out
	}
	return v
}
