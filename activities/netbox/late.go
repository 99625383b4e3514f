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
			p.noteDropped(st, d)
			if len(d.values) == 0 {
				continue
			}
			fields := map[string]any{}
			refs := map[string]Ref{}
			var changes []Change
			for _, name := range sortedKeys(d.values) {
				v := d.values[name]
				var cur any
				if st.obj != nil {
					cur = current(s.field(name), st.obj.Raw)
					if _, pend := v.(pendingRef); !pend && equalCanon(cur, v) {
						continue
					}
				}
				put(s, fields, refs, name, v)
				changes = append(changes, Change{Field: name, From: display(cur), To: display(v)})
			}
			if len(changes) == 0 {
				continue
			}
			op := Operation{Key: st.rec.Key, Name: recordName(st.rec), Fields: fields, Reason: describe(changes), Changes: changes}
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

// sortOps orders operations by key, then ID, for a stable plan.
func sortOps(ops []Operation) {
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Key != ops[j].Key {
			return ops[i].Key < ops[j].Key
		}
		return ops[i].ID < ops[j].ID
	})
}
