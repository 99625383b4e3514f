package nbsim

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"time"
)

// object is one stored NetBox object: its writable field values in normalised form (foreign keys
// as int64 IDs, choices as their value strings, tags and other many-to-many fields as []int64,
// custom field data as map[string]any).
type object struct {
	ID      int64
	Fields  map[string]any
	Created time.Time
	Updated time.Time
}

func (o *object) clone() *object {
	c := *o
	c.Fields = make(map[string]any, len(o.Fields))
	for k, v := range o.Fields {
		switch t := v.(type) {
		case []int64:
			c.Fields[k] = slices.Clone(t)
		case map[string]any:
			c.Fields[k] = maps.Clone(t)
		default:
			c.Fields[k] = v
		}
	}
	return &c
}

func (o *object) id(field string) int64 {
	v, _ := o.Fields[field].(int64)
	return v
}

func (o *object) str(field string) string {
	v, _ := o.Fields[field].(string)
	return v
}

func (o *object) ids(field string) []int64 {
	v, _ := o.Fields[field].([]int64)
	return v
}

func (o *object) customFields() map[string]any {
	v, _ := o.Fields["custom_fields"].(map[string]any)
	return v
}

// idList is a sorted list of object IDs.
type idList []int64

func (l idList) insert(id int64) idList {
	n := len(l)
	if n == 0 || l[n-1] < id {
		return append(l, id)
	}
	i := sort.Search(n, func(i int) bool { return l[i] >= id })
	if i < n && l[i] == id {
		return l
	}
	l = append(l, 0)
	copy(l[i+1:], l[i:])
	l[i] = id
	return l
}

func (l idList) remove(id int64) idList {
	i := sort.Search(len(l), func(i int) bool { return l[i] >= id })
	if i < len(l) && l[i] == id {
		return append(l[:i], l[i+1:]...)
	}
	return l
}

// table holds every object of one kind with its indexes. Index keys are the string forms that
// indexKeys produces; unique holds the composite keys of the kind's uniqueness rules.
type table struct {
	kind    *kindSpec
	objs    map[int64]*object
	order   idList // ascending IDs; rebuilt lazily after deletes
	stale   bool
	nextID  int64
	indexes map[string]map[string]idList
	unique  []map[string]int64
}

func newTable(k *kindSpec) *table {
	t := &table{kind: k, objs: map[int64]*object{}, nextID: 1, indexes: map[string]map[string]idList{}}
	t.unique = make([]map[string]int64, len(k.Unique))
	for i := range t.unique {
		t.unique[i] = map[string]int64{}
	}
	return t
}

func (t *table) ordered() idList {
	if t.stale {
		t.order = t.order[:0]
		for id := range t.objs {
			t.order = append(t.order, id)
		}
		slices.Sort(t.order)
		t.stale = false
	}
	return t.order
}

func (t *table) index(name, key string) idList {
	return t.indexes[name][key]
}

func (t *table) addIndex(o *object) {
	for name, keys := range indexKeys(t.kind, o) {
		m := t.indexes[name]
		if m == nil {
			m = map[string]idList{}
			t.indexes[name] = m
		}
		for _, k := range keys {
			m[k] = m[k].insert(o.ID)
		}
	}
	for i, r := range t.kind.Unique {
		if key, ok := r.key(o); ok {
			t.unique[i][key] = o.ID
		}
	}
}

func (t *table) dropIndex(o *object) {
	for name, keys := range indexKeys(t.kind, o) {
		m := t.indexes[name]
		for _, k := range keys {
			if l := m[k].remove(o.ID); len(l) == 0 {
				delete(m, k)
			} else {
				m[k] = l
			}
		}
	}
	for i, r := range t.kind.Unique {
		if key, ok := r.key(o); ok && t.unique[i][key] == o.ID {
			delete(t.unique[i], key)
		}
	}
}

// put stores o (new or replacing the object with its ID) and keeps the indexes current.
func (t *table) put(o *object) {
	if old, ok := t.objs[o.ID]; ok {
		t.dropIndex(old)
	} else if !t.stale {
		t.order = t.order.insert(o.ID)
	}
	t.objs[o.ID] = o
	t.addIndex(o)
	if o.ID >= t.nextID {
		t.nextID = o.ID + 1
	}
}

func (t *table) remove(id int64) {
	o, ok := t.objs[id]
	if !ok {
		return
	}
	t.dropIndex(o)
	delete(t.objs, id)
	t.stale = true
}

// indexKeys lists, per index name, the keys under which o is found: every foreign key, the
// kind's indexed scalar fields, generic relations, tags and custom field values.
func indexKeys(k *kindSpec, o *object) map[string][]string {
	out := map[string][]string{}
	for field := range k.relations {
		if id := o.id(field); id != 0 {
			out[field] = []string{itoa(id)}
		}
	}
	for field, rel := range k.m2m {
		if rel.Target == "" {
			continue
		}
		for _, id := range o.ids(field) {
			out[field] = append(out[field], itoa(id))
		}
	}
	for _, field := range k.Indexed {
		if v, ok := o.Fields[field]; ok && v != nil {
			out[field] = []string{indexValue(k, field, v)}
		}
	}
	for _, g := range k.Generic {
		if key := g.key(o); key != "" {
			out[g.Name] = []string{key}
		}
	}
	for name, v := range o.customFields() {
		if v != nil {
			out["cf_"+name] = []string{cfIndexValue(v)}
		}
	}
	return out
}

func indexValue(k *kindSpec, field string, v any) string {
	if f := k.IndexNormalize[field]; f != nil {
		return f(v)
	}
	return scalarString(v)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
