package netbox

import (
	"sort"
)

// planLate plans the fields that point to objects written after their own
// kind: primary IPs, primary MACs, parent interfaces.
func (p *planner) planLate() {
	for _, s := range specOrder {
		hasLate := false
		for _, f := range s.Fields {
			hasLate = hasLate || f.Late
		}
		if !hasLate {
			continue
		}
		for _, st := range p.byKind[s.Kind] {
			if !st.writable {
				continue
			}
			d := p.desired(st, true)
			p.dropHeld(st, &d)
			p.noteDropped(st, d)
			if len(d.values) == 0 {
				continue
			}
			fields := map[string]any{}
			refs := map[string]Ref{}
			var changes []Change
			var w *writtenSet
			var wrote []string
			if st.obj != nil {
				w = st.written
				if w == nil {
					w = newWrittenSet(st.obj.Written)
				}
			}
			for _, name := range sortedKeys(d.values) {
				v := d.values[name]
				var cur any
				if st.obj != nil {
					cur = current(s.field(name), st.obj.Raw)
					_, pend := v.(pendingRef)
					if !pend && equalCanon(cur, v) {
						w.agree(name, v)
						continue
					}
					if !pend && !p.editCheck(st, w, s.field(name), cur, v) {
						continue
					}
					w.wrote(name, v)
					wrote = append(wrote, name)
				}
				put(s, fields, refs, name, v)
				changes = append(changes, Change{Field: name, From: display(cur), To: display(v)})
			}
			if len(changes) == 0 {
				continue
			}
			if w != nil {
				recordLate(st, w, wrote, fields)
			}
			op := Operation{Key: st.rec.Key, Name: recordName(st.rec), Fields: fields, Reason: describe(changes), Changes: changes,
				Sources: st.rec.sourcesOf(s, changedFields(changes))}
			if len(refs) > 0 {
				op.Refs = refs
			}
			if st.obj != nil {
				op.ID = st.obj.ID
				op.LastUpdated = st.obj.LastUpdated
				op.AfterUpdate = st.mainUpdated
			}
			if st.outcome == outUnchanged {
				st.outcome = outUpdate
			}
			p.add(s.Kind, OpUpdate, PhaseLate, op)
		}
	}
}

// recordLate records the hashes of a late update's fields. When the main
// update of the object writes agent_written, the late one leaves it to
// that write, which drops the late fields' hashes: the main update may
// apply without the late one, and a hash must never claim a value the
// agent did not write (the fields read as never written until the next
// write records them). Otherwise the late update writes agent_written.
func recordLate(st *recState, w *writtenSet, wrote []string, fields map[string]any) {
	if st.mainCF != nil {
		for _, name := range wrote {
			w.forget(name)
		}
		st.mainCF[CFAgentWritten] = w.text()
		return
	}
	if v, ok := w.value(); ok {
		fields["custom_fields"] = map[string]any{CFAgentWritten: v}
	}
}

// sortOps orders operations by group, key, then ID, for a stable plan whose
// groups (Operation.Group) are runs.
func sortOps(ops []Operation) {
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Group != ops[j].Group {
			return ops[i].Group < ops[j].Group
		}
		if ops[i].Key != ops[j].Key {
			return ops[i].Key < ops[j].Key
		}
		return ops[i].ID < ops[j].ID
	})
}
