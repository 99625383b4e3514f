package fileschema

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// validate checks v against schema s, for the parts of JSON schema that
// Generate uses, and returns what is wrong, by path. root resolves $refs.
func validate(root, s map[string]any, v any, path string) []string {
	if r, ok := s["$ref"].(string); ok {
		def := root["$defs"].(map[string]any)[strings.TrimPrefix(r, "#/$defs/")]
		return validate(root, def.(map[string]any), v, path)
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if t, ok := s["type"]; ok && !hasType(t, v) {
		fail("%v is not of type %v", v, t)
		return errs
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return equal(x, v) }) {
		fail("%v is not one of %v", v, e)
	}
	if p, ok := s["pattern"].(string); ok {
		if str, isStr := v.(string); isStr && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
	}
	if m, ok := s["minimum"].(float64); ok {
		if n, isNum := number(v); isNum && n < m {
			fail("%v is below %v", v, m)
		}
	}
	if m, ok := s["maximum"].(float64); ok {
		if n, isNum := number(v); isNum && n > m {
			fail("%v is above %v", v, m)
		}
	}
	if alts, ok := s["anyOf"].([]any); ok {
		// None fits: say why the closest one does not, where a form of
		// another type is the farthest.
		var closest []string
		best := math.MaxInt
		for _, a := range alts {
			e := validate(root, a.(map[string]any), v, path)
			if len(e) == 0 {
				closest = nil
				break
			}
			score := len(e)
			if len(e) == 1 && strings.HasPrefix(e[0], path+": ") && strings.Contains(e[0], " is not of type ") {
				score += 1000
			}
			if score < best {
				closest, best = e, score
			}
		}
		errs = append(errs, closest...)
	}
	for _, c := range list(s["allOf"]) {
		c := c.(map[string]any)
		if cond, ok := c["if"].(map[string]any); ok {
			if len(validate(root, cond, v, path)) == 0 {
				errs = append(errs, validate(root, c["then"].(map[string]any), v, path)...)
			}
			continue
		}
		errs = append(errs, validate(root, c, v, path)...)
	}
	switch x := v.(type) {
	case map[string]any:
		errs = append(errs, validateObject(root, s, x, path)...)
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, item := range x {
				errs = append(errs, validate(root, items, item, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func validateObject(root, s map[string]any, x map[string]any, path string) []string {
	var errs []string
	for _, r := range list(s["required"]) {
		if _, ok := x[r.(string)]; !ok {
			errs = append(errs, fmt.Sprintf("%s: missing %s", path, r))
		}
	}
	props, _ := s["properties"].(map[string]any)
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p, ok := props[k].(map[string]any)
		if !ok {
			if s["additionalProperties"] == false {
				errs = append(errs, fmt.Sprintf("%s: unknown field %q", path, k))
			}
			continue
		}
		errs = append(errs, validate(root, p, x[k], path+"."+k)...)
	}
	return errs
}

func hasType(t, v any) bool {
	for _, name := range list(t) {
		switch name {
		case "null":
			if v == nil {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "number":
			if _, ok := number(v); ok {
				return true
			}
		case "integer":
			if n, ok := number(v); ok && n == math.Trunc(n) {
				return true
			}
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		}
	}
	return false
}

func list(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case nil:
		return nil
	}
	return []any{v}
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case uint64:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func equal(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	return a == b
}
