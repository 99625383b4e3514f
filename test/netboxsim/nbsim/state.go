package nbsim

import (
	"cmp"
	"slices"
	"time"
)

// state is the whole emulated database: one table per endpoint. Callers hold Server.mu.
type state struct {
	cat    *catalog
	tables map[string]*table
	now    func() time.Time

	changes    []change // the change log, in ID order
	nextChange int64
	requests   int64 // write requests so far, for request IDs
}

func newState(cat *catalog, now func() time.Time) *state {
	s := &state{cat: cat, tables: map[string]*table{}, now: now}
	for ep, k := range cat.kinds {
		s.tables[ep] = newTable(k)
	}
	return s
}

// view reads the state; base is the scheme and host that URLs in responses start with.
type view struct {
	st   *state
	base string
	// memo, when set, keeps what one read-only request renders more than
	// once: nested objects and each object type's custom fields. Only a
	// request that writes nothing sets it, as the state cannot change
	// under it.
	memo *renderMemo
}

// renderMemo is a read-only request's memory of what it rendered.
type renderMemo struct {
	nested       map[nestedKey][]byte
	customFields map[string][]*object
}

// nestedKey names one nested rendering: an object of endpoint as the
// schema ref shows it, at a depth.
type nestedKey struct {
	ref, endpoint string
	id            int64
	depth         int
}

// readOnlyView is the view of a request that writes nothing.
func readOnlyView(st *state, base string) *view {
	return &view{st: st, base: base, memo: &renderMemo{nested: map[nestedKey][]byte{}, customFields: map[string][]*object{}}}
}

func (v *view) table(endpoint string) *table { return v.st.tables[endpoint] }

func (v *view) get(endpoint string, id int64) *object {
	if id == 0 {
		return nil
	}
	t := v.st.tables[endpoint]
	if t == nil {
		return nil
	}
	return t.objs[id]
}

// customFieldsFor lists the custom fields defined for an object type, in NetBox's order
// (weight, then name).
func (v *view) customFieldsFor(objectType string) []*object {
	if v.memo == nil {
		return v.readCustomFieldsFor(objectType)
	}
	out, ok := v.memo.customFields[objectType]
	if !ok {
		out = v.readCustomFieldsFor(objectType)
		v.memo.customFields[objectType] = out
	}
	return out
}

func (v *view) readCustomFieldsFor(objectType string) []*object {
	var out []*object
	for _, cf := range v.st.tables[epCustomFields].objs {
		if slices.Contains(stringList(cf.Fields["object_types"]), objectType) {
			out = append(out, cf)
		}
	}
	slices.SortFunc(out, func(a, b *object) int {
		if c := cmp.Compare(a.id("weight"), b.id("weight")); c != 0 {
			return c
		}
		return cmp.Compare(a.str("name"), b.str("name"))
	})
	return out
}

func (v *view) customField(objectType, name string) *object {
	for _, id := range v.st.tables[epCustomFields].index("name", name) {
		cf := v.st.tables[epCustomFields].objs[id]
		if slices.Contains(stringList(cf.Fields["object_types"]), objectType) {
			return cf
		}
	}
	return nil
}

func stringList(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// tx is a write transaction: every change is recorded so that rollback restores the state,
// which makes bulk operations all or nothing. IDs are not reused after a rollback, as with
// database sequences.
type tx struct {
	*view
	undo []func()

	request  int64                       // the request's number, for the change log
	subject  *object                     // the object being written, which message belongs to
	message  string                      // its changelog_message
	deleting map[string]map[int64]string // objects a delete names, with their messages
	dbError  *dbError                    // what PostgreSQL refused of the request's writes
}

// newTx starts a write transaction for one request.
func (st *state) newTx(base string) *tx {
	st.requests++
	return &tx{view: &view{st: st, base: base}, request: st.requests}
}

func (t *tx) insert(endpoint string, o *object) {
	tb := t.table(endpoint)
	o.ID = tb.nextID
	now := t.st.now()
	o.Created, o.Updated = now, now
	tb.put(o)
	id := o.ID
	t.undo = append(t.undo, func() { tb.remove(id) })
	t.record("create", endpoint, o)
}

func (t *tx) replace(endpoint string, o *object) {
	tb := t.table(endpoint)
	old := tb.objs[o.ID]
	o.Updated = t.st.now()
	tb.put(o)
	t.undo = append(t.undo, func() { tb.put(old) })
	t.record("update", endpoint, o)
}

// replaceQuiet stores o like replace, for a field NetBox derives with a queryset update (a VM's
// disk total, a VM's site from its cluster: virtualization/signals.py): no changelog entry and
// no new last_updated.
func (t *tx) replaceQuiet(endpoint string, o *object) {
	tb := t.table(endpoint)
	old := tb.objs[o.ID]
	tb.put(o)
	t.undo = append(t.undo, func() { tb.put(old) })
}

func (t *tx) remove(endpoint string, id int64) {
	tb := t.table(endpoint)
	old := tb.objs[id]
	if old == nil {
		return
	}
	tb.remove(id)
	t.undo = append(t.undo, func() { tb.put(old) })
	t.record("delete", endpoint, old)
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}
