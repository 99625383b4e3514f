package nbsim

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// prepare validates body as NetBox's serializer and model would, for a create (old == nil) or
// an update of old (partial for PATCH), and returns the object to store.
func (t *tx) prepare(k *kindSpec, body map[string]any, old *object, partial bool) (*object, fieldErrors) {
	errs := fieldErrors{}
	o := &object{Fields: map[string]any{}}
	if old != nil {
		o = old.clone()
	}
	for i := range k.request.Properties {
		p := &k.request.Properties[i]
		val, present := body[p.Name]
		if !present {
			if !partial && k.request.required[p.Name] {
				errs.add(p.Name, "This field is required.")
			}
			continue
		}
		if rel, ok := k.relations[p.Name]; ok {
			if val == nil {
				if !p.Nullable {
					errs.add(p.Name, "This field may not be null.")
				} else {
					o.Fields[p.Name] = nil
				}
				continue
			}
			id, msg := t.resolveRef(rel.Target, val)
			if msg != "" {
				errs.add(p.Name, msg)
				continue
			}
			o.Fields[p.Name] = id
			continue
		}
		switch p.Name {
		case "custom_fields":
			continue
		case "tags":
			ids, msg := t.resolveTags(val)
			if msg != nil {
				errs[p.Name] = msg
				continue
			}
			o.Fields[p.Name] = ids
			continue
		}
		if rel, ok := k.m2m[p.Name]; ok {
			ids, msg := t.resolveMany(rel.Target, val)
			if msg != nil {
				errs.add(p.Name, msg)
				continue
			}
			o.Fields[p.Name] = ids
			continue
		}
		cv, msg := convertValue(p, val)
		if msg == nil {
			cv, msg = normalizeField(k, p.Name, cv)
		}
		if msg != nil {
			if m, ok := msg.(map[string]any); ok {
				errs[p.Name] = m
			} else {
				errs.add(p.Name, msg)
			}
			continue
		}
		o.Fields[p.Name] = cv
	}
	if len(errs) == 0 && k.Validate != nil {
		k.Validate(t, body, o, old, errs)
	}
	if len(errs) == 0 {
		// DRF's UniqueValidator for unique=True model fields runs with the fields.
		t.checkUnique(k, o, errs, false)
	}
	if raw, ok := body["custom_fields"]; ok {
		t.checkCustomFieldNames(k, raw, errs)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if old == nil {
		for f, v := range k.Defaults {
			if _, ok := o.Fields[f]; !ok {
				o.Fields[f] = v
			}
		}
	}
	// From here on the errors are those of the model's full_clean().
	t.checkGeneric(k, o, errs)
	if len(errs) > 0 {
		return nil, errs
	}
	if k.Clean != nil {
		k.Clean(t.view, o, old, errs)
	}
	if msg := t.applyCustomFields(k, o, body["custom_fields"], old); msg != "" {
		errs.add("__all__", msg)
	}
	t.checkUnique(k, o, errs, true)
	if len(errs) > 0 {
		return nil, errs
	}
	return o, nil
}

// normalizeField applies the field-specific parsing NetBox's model fields do (MAC and IP
// address formats).
func normalizeField(k *kindSpec, field string, v any) (any, any) {
	s, ok := v.(string)
	if !ok {
		return v, nil
	}
	switch {
	case field == "mac_address" && k.Endpoint == epMACs:
		m, valid := parseMAC(s)
		if !valid {
			return nil, "Invalid MAC address format: " + s
		}
		return m, nil
	case field == "address" && k.Endpoint == epIPs:
		a, valid := parseAddress(s, false)
		if !valid {
			return nil, "Invalid IP address format: " + s
		}
		return a, nil
	case field == "prefix" && k.Endpoint == epPrefixes:
		a, valid := parseAddress(s, true)
		if !valid {
			return nil, "Invalid IP prefix format: " + s
		}
		return a, nil
	}
	return v, nil
}

// checkUnique applies the kind's uniqueness rules: field rules (constraints == false) or
// constraint rules (constraints == true).
func (t *tx) checkUnique(k *kindSpec, o *object, errs fieldErrors, constraints bool) {
	tb := t.table(k.Endpoint)
	for i, r := range k.Unique {
		if (r.Key == "__all__") != constraints {
			continue
		}
		// full_clean() leaves out the constraints on fields that already failed.
		if constraints && slices.ContainsFunc(r.Fields, func(f string) bool { return errs[f] != nil }) {
			continue
		}
		key, ok := r.key(o)
		if !ok {
			continue
		}
		if id, found := tb.unique[i][key]; found && id != o.ID {
			errs.add(r.Key, r.Message)
		}
	}
}

// checkGeneric validates the generic relations' (type, id) pairs.
func (t *tx) checkGeneric(k *kindSpec, o *object, errs fieldErrors) {
	for _, g := range k.Generic {
		typ, _ := o.Fields[g.TypeField].(string)
		id := o.id(g.IDField)
		switch {
		case typ == "" && id == 0:
			if g.Required {
				errs.add(g.TypeField, "This field is required.")
			}
			o.Fields[g.TypeField], o.Fields[g.IDField] = nil, nil
		case typ == "":
			errs.add(g.TypeField, "This field is required.")
		case g.Targets[typ] == "":
			errs.add(g.TypeField, fmt.Sprintf("Invalid content type: %s", typ))
		case id == 0:
			errs.add(g.IDField, "This field is required.")
		case t.get(g.Targets[typ], id) == nil:
			errs.add(g.IDField, fmt.Sprintf("Related object not found using the provided numeric ID: %d", id))
		}
	}
}

// normalizeJSON turns decoded json.Numbers into int64 or float64, recursively.
func normalizeJSON(v any) any {
	switch t := v.(type) {
	case json.Number:
		if !strings.ContainsAny(t.String(), ".eE") {
			if i, err := t.Int64(); err == nil {
				return i
			}
		}
		f, err := t.Float64()
		if err != nil {
			return t.String()
		}
		return f
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalizeJSON(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = normalizeJSON(x)
		}
		return out
	}
	return v
}

// collect finds what deleting the given objects deletes with them (cascades) and what blocks
// it (protected references from objects that stay), as Django's deletion collector does.
func (t *tx) collect(endpoint string, ids []int64) (doomed map[string]map[int64]bool, blocked []string) {
	doomed = map[string]map[int64]bool{}
	type item struct {
		ep string
		id int64
	}
	queue := make([]item, 0, len(ids))
	mark := func(ep string, id int64) {
		if doomed[ep] == nil {
			doomed[ep] = map[int64]bool{}
		}
		if !doomed[ep][id] {
			doomed[ep][id] = true
			queue = append(queue, item{ep, id})
		}
	}
	for _, id := range ids {
		mark(endpoint, id)
	}
	type guard struct {
		ep string
		id int64
	}
	var guards []guard
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, in := range t.st.cat.incoming[it.ep] {
			if in.M2M {
				continue
			}
			key := itoa(it.id)
			if in.Generic != nil {
				key = t.table(it.ep).kind.ObjectType + ":" + key
			}
			for _, rid := range t.table(in.From).index(in.Field, key) {
				switch in.OnDelete {
				case cascade:
					mark(in.From, rid)
				case protect:
					guards = append(guards, guard{in.From, rid})
				}
			}
		}
	}
	seen := map[guard]bool{}
	for _, g := range guards {
		if doomed[g.ep][g.id] || seen[g] {
			continue
		}
		seen[g] = true
		o := t.get(g.ep, g.id)
		blocked = append(blocked, fmt.Sprintf("%s (%d)", t.table(g.ep).kind.Display(t.view, o), g.id))
	}
	return doomed, blocked
}

// deleteCollected removes the doomed objects and clears references to them from the objects
// that stay (SET_NULL and many-to-many rows).
func (t *tx) deleteCollected(doomed map[string]map[int64]bool) {
	eps := make([]string, 0, len(doomed))
	for ep := range doomed {
		eps = append(eps, ep)
	}
	sort.Strings(eps)
	for _, ep := range eps {
		ids := make([]int64, 0, len(doomed[ep]))
		for id := range doomed[ep] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			for _, in := range t.st.cat.incoming[ep] {
				if in.Generic != nil || (!in.M2M && in.OnDelete != setNull) {
					continue
				}
				for _, rid := range slices.Clone(t.table(in.From).index(in.Field, itoa(id))) {
					if doomed[in.From][rid] {
						continue
					}
					c := t.get(in.From, rid).clone()
					if in.M2M {
						c.Fields[in.Field] = slices.DeleteFunc(c.ids(in.Field), func(x int64) bool { return x == id })
					} else {
						c.Fields[in.Field] = nil
					}
					t.replace(in.From, c)
				}
			}
			old := t.get(ep, id)
			t.remove(ep, id)
			if after := t.table(ep).kind.After; after != nil {
				after(t, nil, old)
			}
		}
	}
}
