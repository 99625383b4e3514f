package netbox

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Canonical values make a record's desired value and NetBox's current value
// comparable: strings (nil when empty), int64, float64 (int64 when
// integral), bool, sorted []int64, int64 object IDs and genericRef.

// genericRef is the value of a generic foreign key.
type genericRef struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// pendingRef is a reference to a record created by this plan: its ID is
// known only at apply time, by agent_id.
type pendingRef struct {
	Kind inventory.Kind
	Key  string
}

// canon turns a value read from a record, a NetBox answer or a plan's JSON
// into the canonical form of type t; ok is false when v does not fit t.
func canon(t fieldType, v any) (out any, ok bool) {
	if v == nil {
		return nil, true
	}
	switch t {
	case typeString, typeSlug:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return canonText(v, s, strings.TrimSpace(s)), true
	case typeColor:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return canonText(v, s, strings.ToLower(strings.TrimSpace(s))), true
	case typeChoice:
		if m, isMap := v.(map[string]any); isMap {
			v = m["value"]
		}
		if v == nil {
			return nil, true
		}
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		return canonText(v, s, strings.TrimSpace(s)), true
	case typeMAC:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		if m, valid := inventory.NormalizeMAC(s); valid {
			return canonText(v, s, m), true
		}
		return canonText(v, s, strings.ToLower(strings.TrimSpace(s))), s == ""
	case typeIP:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		if a, valid := inventory.NormalizeIP(s); valid {
			return canonText(v, s, a), true
		}
		return nil, s == ""
	case typeInt:
		if _, whole := v.(int64); whole {
			return v, true // a record's own value, canonical already
		}
		n, ok := number(v)
		if !ok || n != math.Trunc(n) {
			return nil, false
		}
		return int64(n), true
	case typeFloat:
		n, ok := number(v)
		if !ok {
			return nil, false
		}
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
		return n, true
	case typeBool:
		b, ok := v.(bool)
		return b, ok
	case typeIntList:
		return intList(v)
	case typeChoiceList:
		return choiceList(v)
	case typeRef:
		return refID(v)
	case typeGeneric:
		g, ok := v.(genericRef)
		return g, ok
	}
	return nil, false
}

// canonText is the canonical form t of the text s that v holds: nil when
// empty, and v itself when t is s, so that reading a value already
// canonical, as most are, makes nothing.
func canonText(v any, s, t string) any {
	if t == s && t != "" {
		return v
	}
	return emptyNil(t)
}

func emptyNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// number reads the numeric forms a value arrives in: Go numbers, JSON
// float64, and NetBox decimals rendered as strings.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		return f, err == nil
	}
	return 0, false
}

func intList(v any) (any, bool) {
	var out []int64
	switch xs := v.(type) {
	case []int64:
		out = append(out, xs...)
	case []any:
		out = make([]int64, 0, len(xs))
		for _, x := range xs {
			n, ok := number(x)
			if !ok || n != math.Trunc(n) {
				return nil, false
			}
			out = append(out, int64(n))
		}
	default:
		return nil, false
	}
	if len(out) == 0 {
		return nil, true
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, true
}

// choiceList reads a list of choice values, bare or as NetBox 4.7 renders
// a multiselect custom field ([{"value", "label"}, ...]), as a sorted set.
func choiceList(v any) (any, bool) {
	var out []string
	add := func(x any) bool {
		s, ok := canon(typeChoice, x)
		if !ok {
			return false
		}
		if s != nil {
			out = append(out, s.(string))
		}
		return true
	}
	switch xs := v.(type) {
	case []string:
		for _, x := range xs {
			add(x)
		}
	case []any:
		for _, x := range xs {
			if !add(x) {
				return nil, false
			}
		}
	case string:
		add(xs)
	default:
		return nil, false
	}
	if len(out) == 0 {
		return nil, true
	}
	return uniqueSorted(out), true
}

// refID reads an object reference: a nested object {"id": ...} or an ID.
func refID(v any) (any, bool) {
	if m, ok := v.(map[string]any); ok {
		v = m["id"]
		if v == nil {
			return nil, true
		}
	}
	n, ok := number(v)
	if !ok || n != math.Trunc(n) || n <= 0 {
		return nil, false
	}
	return int64(n), true
}

// equalCanon compares two canonical values.
func equalCanon(a, b any) bool {
	switch x := a.(type) {
	case []int64:
		y, ok := b.([]int64)
		return ok && slices.Equal(x, y)
	case []string:
		y, ok := b.([]string)
		return ok && slices.Equal(x, y)
	case nil:
		return b == nil
	}
	return a == b
}

// current reads field f of a NetBox object in canonical form.
func current(f *field, raw map[string]any) any {
	if f.Type == typeGeneric {
		t, _ := raw[f.TypeField].(string)
		id, ok := refID(raw[f.Name])
		if t == "" || !ok || id == nil {
			return nil
		}
		return genericRef{Type: t, ID: id.(int64)}
	}
	v, ok := canon(f.Type, raw[f.Name])
	if !ok {
		// A shape the table does not expect: compare as text so a change is
		// still seen, never silently equal.
		return fmt.Sprint(raw[f.Name])
	}
	return v
}

// keyPart renders a canonical value as one part of a natural key: names
// compare case-insensitively and IPs by their host address.
func keyPart(t fieldType, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if t == typeIP {
			if p, err := netip.ParsePrefix(x); err == nil {
				return p.Addr().String()
			}
		}
		return strings.ToLower(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case genericRef:
		return x.Type + ":" + strconv.FormatInt(x.ID, 10)
	}
	return fmt.Sprint(v)
}

// wire renders a canonical value the way NetBox takes it in a request.
func wire(v any) any {
	switch x := v.(type) {
	case []int64, []string:
		return x
	case genericRef:
		return x.ID
	}
	return v
}

// display renders a canonical value for a plan's reasons and table.
func display(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case genericRef:
		return x.Type + ":" + strconv.FormatInt(x.ID, 10)
	case pendingRef:
		return "new " + string(x.Kind) + " " + x.Key
	}
	return v
}
