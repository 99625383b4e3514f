package nbsim

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// filter is one compiled query parameter. cand, when set, lists every object that can match
// (sorted), so that the cheapest filter drives the scan; match decides for one object.
type filter struct {
	cand    idList
	hasCand bool
	exact   bool // match is exactly membership in cand
	match   func(o *object) bool
}

// reservedParams are query parameters that are not filters.
var reservedParams = map[string]bool{"limit": true, "offset": true, "brief": true, "fields": true, "exclude": true,
	"omit": true, "ordering": true, "format": true}

var lookupSuffixes = map[string]bool{"n": true, "ic": true, "nic": true, "ie": true, "nie": true, "isw": true,
	"nisw": true, "iew": true, "niew": true, "empty": true, "gt": true, "gte": true, "lt": true, "lte": true}

func splitLookup(key string) (string, string) {
	if i := strings.LastIndex(key, "__"); i > 0 && lookupSuffixes[key[i+2:]] {
		return key[:i], key[i+2:]
	}
	return key, ""
}

func invalidChoice(v string) string {
	return fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v)
}

func inList(l idList) func(int64) bool {
	return func(id int64) bool {
		i := sort.Search(len(l), func(i int) bool { return l[i] >= id })
		return i < len(l) && l[i] == id
	}
}

// union merges sorted lists.
func union(lists ...idList) idList {
	switch len(lists) {
	case 0:
		return idList{}
	case 1:
		return lists[0]
	}
	var out idList
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// keyFilter matches objects found under any of keys in the index name; negate inverts it.
func (t *table) keyFilter(name string, keys []string, negate bool) filter {
	lists := make([]idList, 0, len(keys))
	for _, k := range keys {
		lists = append(lists, t.index(name, k))
	}
	cand := union(lists...)
	in := inList(cand)
	if negate {
		return filter{match: func(o *object) bool { return !in(o.ID) }}
	}
	return filter{cand: cand, hasCand: true, exact: true, match: func(o *object) bool { return in(o.ID) }}
}

// parseFilters compiles a list request's query into filters, answering NetBox's 400 body for
// invalid values of known filters; unknown parameters are ignored, as NetBox does.
func (v *view) parseFilters(k *kindSpec, q url.Values) ([]filter, fieldErrors) {
	errs := fieldErrors{}
	var out []filter
	keys := make([]string, 0, len(q))
	for key := range q {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	tb := v.table(k.Endpoint)
	for _, key := range keys {
		if reservedParams[key] {
			continue
		}
		values := q[key]
		base, lookup := splitLookup(key)
		f, ok, msg := v.compileFilter(k, tb, base, lookup, values)
		if msg != "" {
			errs.add(key, msg)
			continue
		}
		if ok {
			out = append(out, f...)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func parseIDs(values []string) ([]int64, string) {
	ids := make([]int64, 0, len(values))
	for _, s := range values {
		for _, part := range strings.Split(s, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil {
				return nil, "Enter a whole number."
			}
			ids = append(ids, id)
		}
	}
	return ids, ""
}

func (v *view) compileFilter(k *kindSpec, tb *table, base, lookup string, values []string) ([]filter, bool, string) {
	switch base {
	case "id":
		return idFilter(tb, lookup, values)
	case "q":
		needle := strings.ToLower(strings.TrimSpace(values[0]))
		if needle == "" {
			return nil, false, ""
		}
		return []filter{{match: func(o *object) bool {
			for _, f := range k.Search {
				if strings.Contains(strings.ToLower(scalarString(o.Fields[f])), needle) {
					return true
				}
			}
			return false
		}}}, true, ""
	case "tag", "tag_id":
		return v.tagFilters(tb, base, lookup, values)
	}
	if name, ok := strings.CutPrefix(base, "cf_"); ok {
		cf := v.customField(k.ObjectType, name)
		if cf == nil || cf.str("filter_logic") == "disabled" {
			return nil, false, ""
		}
		return []filter{customFieldFilter(tb, cf, lookup, values)}, true, ""
	}
	if f, ok, msg := v.specialFilter(k, tb, base, lookup, values); ok || msg != "" {
		return f, ok, msg
	}
	if fk, ok := strings.CutSuffix(base, "_id"); ok {
		if rel, isRel := k.relations[fk]; isRel {
			return v.relationFilter(tb, fk, rel, lookup, values, true)
		}
	}
	if rel, isRel := k.relations[base]; isRel {
		return v.relationFilter(tb, base, rel, lookup, values, false)
	}
	p := k.request.props[base]
	if p == nil || p.Type == "array" || p.Type == "object" || p.Type == "any" || k.m2m[base].Target != "" {
		return nil, false, ""
	}
	if len(p.Enum) > 0 && (lookup == "" || lookup == "n") {
		for _, val := range values {
			if !p.allowed(val) {
				return nil, false, invalidChoice(val)
			}
		}
	}
	if lookup == "" && slices.Contains(k.IExact, base) {
		return []filter{iexactFilter(base, values)}, true, ""
	}
	return []filter{scalarFilter(tb, base, lookup, values)}, true, ""
}

// iexactFilter matches field against any of values, ignoring case.
func iexactFilter(field string, values []string) filter {
	want := make(map[string]bool, len(values))
	for _, val := range values {
		want[strings.ToLower(val)] = true
	}
	return filter{match: func(o *object) bool {
		return o.Fields[field] != nil && want[strings.ToLower(scalarString(o.Fields[field]))]
	}}
}

func idFilter(tb *table, lookup string, values []string) ([]filter, bool, string) {
	ids, msg := parseIDs(values)
	if msg != "" {
		return nil, false, msg
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	switch lookup {
	case "":
		var cand idList
		for _, id := range ids {
			if tb.objs[id] != nil {
				cand = append(cand, id)
			}
		}
		in := inList(cand)
		return []filter{{cand: cand, hasCand: true, exact: true, match: func(o *object) bool { return in(o.ID) }}}, true, ""
	case "n":
		in := inList(ids)
		return []filter{{match: func(o *object) bool { return !in(o.ID) }}}, true, ""
	case "gt", "gte", "lt", "lte":
		x := ids[0]
		return []filter{{match: func(o *object) bool { return compareInt(o.ID, x, lookup) }}}, true, ""
	}
	return nil, false, ""
}

func compareInt(a, b int64, lookup string) bool {
	switch lookup {
	case "gt":
		return a > b
	case "gte":
		return a >= b
	case "lt":
		return a < b
	case "lte":
		return a <= b
	}
	return false
}

// tagFilters: each tag value is its own filter, so that repeats are AND, as in NetBox.
func (v *view) tagFilters(tb *table, base, lookup string, values []string) ([]filter, bool, string) {
	tags := v.table(epTags)
	var ids []int64
	for _, val := range values {
		if base == "tag_id" {
			id, err := strconv.ParseInt(val, 10, 64)
			if err != nil || tags.objs[id] == nil {
				return nil, false, invalidChoice(val)
			}
			ids = append(ids, id)
			continue
		}
		found := tags.index("slug", val)
		if len(found) == 0 {
			return nil, false, invalidChoice(val)
		}
		ids = append(ids, found[0])
	}
	if lookup == "n" {
		keys := make([]string, len(ids))
		for i, id := range ids {
			keys[i] = itoa(id)
		}
		return []filter{tb.keyFilter("tags", keys, true)}, true, ""
	}
	out := make([]filter, 0, len(ids))
	for _, id := range ids {
		out = append(out, tb.keyFilter("tags", []string{itoa(id)}, false))
	}
	return out, true, ""
}

// relationFilter handles "<fk>_id" (byID) and "<fk>" (by the target's slug, or name) filters,
// which NetBox checks against existing objects.
func (v *view) relationFilter(tb *table, field string, rel relation, lookup string, values []string, byID bool) ([]filter, bool, string) {
	if lookup != "" && lookup != "n" {
		return nil, false, ""
	}
	target := v.table(rel.Target)
	var keys []string
	for _, val := range values {
		if val == "null" {
			keys = append(keys, "")
			continue
		}
		if byID {
			id, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return nil, false, fmt.Sprintf("“%s” is not a valid value.", val)
			}
			if target == nil || target.objs[id] == nil {
				return nil, false, invalidChoice(val)
			}
			keys = append(keys, itoa(id))
			continue
		}
		if target == nil {
			return nil, false, invalidChoice(val)
		}
		attr := "slug"
		if target.kind.request.props["slug"] == nil {
			attr = "name"
		}
		found := target.index(attr, val)
		if len(found) == 0 {
			return nil, false, invalidChoice(val)
		}
		for _, id := range found {
			keys = append(keys, itoa(id))
		}
	}
	wantNull := slices.Contains(keys, "")
	f := tb.keyFilter(field, keys, lookup == "n")
	if wantNull {
		inner := f.match
		negate := lookup == "n"
		f = filter{match: func(o *object) bool {
			isNull := o.id(field) == 0
			if negate {
				return inner(o) && !isNull
			}
			return inner(o) || isNull
		}}
	}
	return []filter{f}, true, ""
}

func scalarFilter(tb *table, field, lookup string, values []string) filter {
	k := tb.kind
	if lookup == "" && slices.Contains(k.Indexed, field) {
		keys := make([]string, len(values))
		for i, val := range values {
			keys[i] = indexValue(k, field, val)
		}
		return tb.keyFilter(field, keys, false)
	}
	return filter{match: func(o *object) bool {
		return matchString(scalarString(o.Fields[field]), lookup, values, o.Fields[field] == nil)
	}}
}

// matchString applies a NetBox string lookup; values are OR-ed (and AND-ed when negated).
func matchString(got, lookup string, values []string, isNull bool) bool {
	lower := strings.ToLower(got)
	for _, want := range values {
		lw := strings.ToLower(want)
		var hit bool
		switch strings.TrimPrefix(lookup, "n") {
		case "":
			hit = got == want
		case "ic":
			hit = strings.Contains(lower, lw)
		case "ie":
			hit = lower == lw
		case "isw":
			hit = strings.HasPrefix(lower, lw)
		case "iew":
			hit = strings.HasSuffix(lower, lw)
		case "empty":
			empty := got == "" || isNull
			hit = (lw == "true") == empty
		case "gt", "gte", "lt", "lte":
			a, errA := strconv.ParseFloat(got, 64)
			b, errB := strconv.ParseFloat(want, 64)
			hit = errA == nil && errB == nil && compareFloat(a, b, lookup)
		}
		negated := strings.HasPrefix(lookup, "n")
		if negated && hit {
			return false
		}
		if !negated && hit {
			return true
		}
	}
	return strings.HasPrefix(lookup, "n")
}

func compareFloat(a, b float64, lookup string) bool {
	switch lookup {
	case "gt":
		return a > b
	case "gte":
		return a >= b
	case "lt":
		return a < b
	}
	return a <= b
}

// customFieldFilter is CustomField.to_filter(): text fields with loose filter logic match
// case-insensitive substrings, others match exactly.
func customFieldFilter(tb *table, cf *object, lookup string, values []string) filter {
	name := cf.str("name")
	typ := cf.str("type")
	if lookup == "" && (typ == "text" || typ == "longtext" || typ == "url") && cf.str("filter_logic") == "loose" {
		lookup = "ic"
	}
	if lookup == "" {
		keys := make([]string, 0, len(values))
		for _, val := range values {
			switch typ {
			case "boolean":
				if b, ok := toBool(val); ok {
					val = strconv.FormatBool(b)
				}
			case "decimal":
				if f, err := strconv.ParseFloat(val, 64); err == nil {
					val = scalarString(f)
				}
			}
			keys = append(keys, val)
		}
		return tb.keyFilter("cf_"+name, keys, false)
	}
	return filter{match: func(o *object) bool {
		v, ok := o.customFields()[name]
		return matchString(scalarString(v), lookup, values, !ok || v == nil)
	}}
}
