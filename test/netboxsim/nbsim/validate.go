package nbsim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// fieldErrors is NetBox's validation body: field name -> list of messages (or nested errors).
type fieldErrors map[string]any

func (e fieldErrors) add(field string, msg any) {
	list, _ := e[field].([]any)
	e[field] = append(list, msg)
}

// patternMessages are the messages of NetBox's regex validators, by pattern.
var patternMessages = map[string]string{
	`^[-a-zA-Z0-9_]+$`: `Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.`,
	`^[-\w]+$`:         `Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.`,
	`^[0-9a-f]{6}$`:    `Enter a valid hexadecimal RGB color code.`,
	`^[a-z0-9_]+$`:     `Only alphanumeric characters and underscores are allowed.`,
	`^([0-9A-Za-z_-]+|\*)(\.[0-9A-Za-z_-]+)*\.?$`: `Only alphanumeric characters, asterisks, hyphens, periods, and underscores are allowed in DNS names`,
}

// convertValue checks one value against an openapi property, as DRF's field for it would, and
// returns its normalised form or a message.
func convertValue(p *propSpec, v any) (any, any) {
	if v == nil {
		if p.Nullable {
			return nil, nil
		}
		if len(p.Enum) == 0 {
			return nil, "This field may not be null."
		}
		// NetBox's ChoiceField turns a null into a blank.
		v = ""
	}
	switch p.Type {
	case "string":
		return convertString(p, v)
	case "integer":
		i, ok := toInt(v)
		if !ok || pyType(v) == "bool" {
			return nil, "A valid integer is required."
		}
		if p.Minimum != nil && float64(i) < *p.Minimum {
			return nil, fmt.Sprintf("Ensure this value is greater than or equal to %d.", int64(*p.Minimum))
		}
		if p.Maximum != nil && float64(i) > *p.Maximum {
			return nil, fmt.Sprintf("Ensure this value is less than or equal to %d.", int64(*p.Maximum))
		}
		return i, nil
	case "number":
		f, ok := toFloat(v)
		if !ok {
			return nil, "A valid number is required."
		}
		return f, nil
	case "boolean":
		b, ok := toBool(v)
		if !ok {
			return nil, "Must be a valid boolean."
		}
		return b, nil
	case "array":
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Sprintf("Expected a list of items but got type %q.", pyType(v))
		}
		if p.Items == nil {
			return list, nil
		}
		itemErrs := map[string]any{}
		var ints []int64
		var out []any
		for i, x := range list {
			cv, msg := convertValue(p.Items, x)
			if msg != nil {
				itemErrs[strconv.Itoa(i)] = []any{msg}
				continue
			}
			if n, ok := cv.(int64); ok && p.Items.Type == "integer" {
				ints = append(ints, n)
			} else {
				out = append(out, cv)
			}
		}
		if len(itemErrs) > 0 {
			return nil, itemErrs
		}
		if p.Items.Type == "integer" {
			if ints == nil {
				ints = []int64{}
			}
			return ints, nil
		}
		if out == nil {
			out = []any{}
		}
		return out, nil
	case "object":
		if _, ok := v.(map[string]any); !ok {
			return nil, fmt.Sprintf("Expected a dictionary of items but got type %q.", pyType(v))
		}
		return normalizeJSON(v), nil
	}
	return normalizeJSON(v), nil
}

func convertString(p *propSpec, v any) (any, any) {
	if len(p.Enum) > 0 {
		return convertChoice(p, v)
	}
	var s string
	switch t := v.(type) {
	case string:
		s = strings.TrimSpace(t)
	case json.Number:
		s = t.String()
	default:
		return nil, "Not a valid string."
	}
	if s == "" {
		if p.MinLength > 0 {
			return nil, "This field may not be blank."
		}
		return s, nil
	}
	if p.MaxLength > 0 && len([]rune(s)) > p.MaxLength {
		return nil, fmt.Sprintf("Ensure this field has no more than %d characters.", p.MaxLength)
	}
	if p.pattern != nil && !p.pattern.MatchString(s) {
		if msg, ok := patternMessages[p.Pattern]; ok {
			return nil, msg
		}
		return nil, "This value does not match the required pattern."
	}
	return s, nil
}

// convertChoice checks a choice value as NetBox's ChoiceField does.
func convertChoice(p *propSpec, v any) (any, any) {
	switch t := v.(type) {
	case string:
		if t == "" {
			if p.allowed("") {
				return "", nil
			}
			return nil, "This field may not be blank."
		}
		if p.allowed(t) {
			return t, nil
		}
	case map[string]any, []any:
		return nil, `Value must be passed directly (e.g. "foo": 123); do not use a dictionary or list.`
	}
	return nil, fmt.Sprintf("%s is not a valid choice.", pyStr(v))
}

// resolveRef finds the object a foreign key value names: a numeric ID, or a dictionary of
// attributes, as NetBox's get_related_object_by_attrs does.
func (v *view) resolveRef(target string, val any) (int64, string) {
	if attrs, ok := val.(map[string]any); ok {
		params := flattenAttrs("", attrs)
		ids := v.matchAttrs(target, params)
		switch {
		case len(ids) == 0:
			return 0, "Related object not found using the provided attributes: " + pyRepr(params)
		case len(ids) > 1:
			return 0, "Multiple objects match the provided attributes: " + pyRepr(params)
		}
		return ids[0], ""
	}
	id, ok := toInt(val)
	if !ok || pyType(val) == "bool" {
		return 0, "Related objects must be referenced by numeric ID or by dictionary of attributes. Received an unrecognized value: " + fmt.Sprint(val)
	}
	if target == "" || v.get(target, id) == nil {
		return 0, fmt.Sprintf("Related object not found using the provided numeric ID: %d", id)
	}
	return id, ""
}

func flattenAttrs(prefix string, attrs map[string]any) map[string]any {
	out := map[string]any{}
	for k, val := range attrs {
		if m, ok := val.(map[string]any); ok {
			for fk, fv := range flattenAttrs(prefix+k+"__", m) {
				out[fk] = fv
			}
			continue
		}
		out[prefix+k] = val
	}
	return out
}

// matchAttrs lists the objects of endpoint whose fields equal params (keys may follow one
// foreign key with "__").
func (v *view) matchAttrs(endpoint string, params map[string]any) []int64 {
	tb := v.table(endpoint)
	if tb == nil {
		return nil
	}
	var candidates []int64
	if id, ok := toInt(params["id"]); ok {
		candidates = []int64{id}
	} else {
		for _, f := range tb.kind.Indexed {
			if pv, ok := params[f]; ok {
				candidates = tb.index(f, indexValue(tb.kind, f, normalizeParam(pv)))
				break
			}
		}
		if candidates == nil {
			candidates = tb.ordered()
		}
	}
	var out []int64
	for _, id := range candidates {
		o := tb.objs[id]
		if o != nil && v.attrsMatch(tb.kind, o, params) {
			out = append(out, id)
		}
	}
	return out
}

func normalizeParam(v any) any {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	return v
}

func (v *view) attrsMatch(k *kindSpec, o *object, params map[string]any) bool {
	for key, want := range params {
		field, rest, nested := strings.Cut(key, "__")
		if field == "id" && !nested {
			if id, ok := toInt(want); !ok || id != o.ID {
				return false
			}
			continue
		}
		if nested {
			rel, ok := k.relations[field]
			target := v.get(rel.Target, o.id(field))
			if !ok || target == nil || !v.attrsMatch(v.table(rel.Target).kind, target, map[string]any{rest: want}) {
				return false
			}
			continue
		}
		if scalarString(o.Fields[field]) != scalarString(normalizeParam(want)) {
			return false
		}
	}
	return true
}

// resolveTags checks a tag list as NestedTagSerializer(many=True) does: a list, whose items
// get_related_object_by_attrs resolves; its Django ValidationError stops at the first bad item
// and is reported as the field's messages.
func (v *view) resolveTags(val any) ([]int64, any) {
	list, ok := val.([]any)
	switch {
	case val == nil:
		return nil, []any{"This field may not be null."}
	case !ok:
		return nil, map[string]any{v.st.cat.rel.nonFieldKey(): []any{fmt.Sprintf("Expected a list of items but got type %q.", pyType(val))}}
	}
	ids := []int64{}
	for _, item := range list {
		id, msg := v.resolveRef(epTags, item)
		if msg != "" {
			return nil, []any{msg}
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// resolveMany checks a list of primary keys, as DRF's PrimaryKeyRelatedField(many=True) does.
func (v *view) resolveMany(target string, val any) ([]int64, any) {
	list, ok := val.([]any)
	switch {
	case val == nil:
		return nil, "This field may not be null."
	case !ok:
		return nil, fmt.Sprintf("Expected a list of items but got type %q.", pyType(val))
	}
	ids := []int64{}
	for _, item := range list {
		id, ok := toInt(item)
		if _, isMap := item.(map[string]any); isMap {
			ok = false
		}
		if !ok {
			return nil, fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pyType(item))
		}
		if target == "" || v.get(target, id) == nil {
			return nil, fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", id)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}
