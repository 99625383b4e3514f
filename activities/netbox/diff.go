package netbox

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// desiredSet is what a record wants its NetBox object to hold.
type desiredSet struct {
	// values maps a field to its canonical value, or to a pendingRef when
	// it points to an object this plan creates.
	values map[string]any
	// explicitSlug is true when the record names its slug; a derived slug is
	// written on create only, never forced on an existing object.
	explicitSlug bool
	missing      []string // required references that cannot be resolved
	dropped      []string // optional references that cannot be resolved
	// held maps fields to the records held for adoption they point to
	// (adopt: report); values holds their objects' IDs, for matching.
	held map[string]*recState
}

// desired computes the values of the fields of one phase (late or not).
func (p *planner) desired(st *recState, late bool) desiredSet {
	n := 0
	for i := range st.spec.Fields {
		if f := &st.spec.Fields[i]; !f.KeyOnly && f.Late == late {
			n++
		}
	}
	d := desiredSet{values: make(map[string]any, n)}
	r := st.rec
	for i := range st.spec.Fields {
		f := &st.spec.Fields[i]
		if f.KeyOnly || f.Late != late {
			continue
		}
		if f.isRef() {
			p.desiredRef(st, f, &d)
			continue
		}
		raw, ok := r.Attr(f.attr())
		if f.Type == typeSlug {
			if ok {
				d.explicitSlug = true
			} else if from := r.String(f.SlugFrom); from != "" {
				raw, ok = inventory.Slug(from), true
			}
		}
		if !ok {
			continue
		}
		v, ok := canon(f.Type, raw)
		if !ok {
			d.dropped = append(d.dropped, fmt.Sprintf("%s: %T is not a %s", f.attr(), raw, typeName(f.Type)))
			continue
		}
		if why := p.notTaken(st.spec, f, v); why != "" {
			d.dropped = append(d.dropped, why)
			continue
		}
		if v != nil {
			d.values[f.Name] = v
		}
	}
	p.dropForeignHost(st, &d)
	return d
}

// notTaken says why NetBox does not take choice value v for field f, or
// "" when it does or did not say which values it takes.
func (p *planner) notTaken(s *kindSpec, f *field, v any) string {
	str, isString := v.(string)
	if f.Type != typeChoice || !isString {
		return ""
	}
	cs := p.facts.choices[s.Endpoint]
	if ok, known := cs.takes(f.Name, str); ok || !known {
		return ""
	}
	return fmt.Sprintf("%s: %q %s", f.attr(), str, notAChoice(s, f.Name, str, p.facts.version, cs[f.Name]))
}

// desiredRef resolves one reference field.
func (p *planner) desiredRef(st *recState, f *field, d *desiredSet) {
	key := st.rec.Ref(f.attr())
	if key == "" && f.Derive != nil {
		key = f.Derive(p, st)
	}
	if key == "" {
		return
	}
	problem := ""
	target := p.lookup(key)
	switch {
	case target == nil:
		problem = fmt.Sprintf("%s %s is not in the inventory", f.attr(), key)
	case !kindIn(target.rec.Kind, f.Targets):
		problem = fmt.Sprintf("%s %s is a %s", f.attr(), key, target.rec.Kind)
	case f.SameHost && !p.onSameHost(st, target):
		problem = fmt.Sprintf("%s %s is %s, not on %s", f.attr(), key, p.hostLine(target), p.hostName(p.hostOf(st)))
	case target.status == recHeld:
		if d.held == nil {
			d.held = map[string]*recState{}
		}
		d.held[f.Name] = target
		if target.obj != nil {
			d.values[f.Name] = refValue(f, target)
		}
		return
	case target.status == recBound:
		d.values[f.Name] = refValue(f, target)
		return
	case target.status == recNew:
		d.values[f.Name] = pendingRef{Kind: target.rec.Kind, Key: target.rec.Key}
		return
	case target.status == recAmbiguous:
		problem = fmt.Sprintf("%s %s is ambiguous", f.attr(), key)
	default:
		problem = fmt.Sprintf("%s %s is not planned", f.attr(), key)
	}
	// A part (an interface's address, a VM's disk) is not made without the
	// record it is part of: it would float in NetBox, beside whatever the
	// objects that tie already hold.
	if f.Required || isParent(st.rec.Kind, f.attr()) && target != nil {
		d.missing = append(d.missing, problem)
	} else {
		d.dropped = append(d.dropped, problem)
	}
}

// refValue is the value of reference f to target's NetBox object.
func refValue(f *field, target *recState) any {
	if f.Type == typeGeneric {
		return genericRef{Type: target.spec.ObjectType, ID: target.obj.ID}
	}
	return target.obj.ID
}

func kindIn(k inventory.Kind, ks []inventory.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func typeName(t fieldType) string {
	switch t {
	case typeInt:
		return "integer"
	case typeFloat:
		return "number"
	case typeBool:
		return "boolean"
	case typeIntList:
		return "list of integers"
	case typeChoiceList:
		return "list of choices"
	}
	return "string"
}

// put writes a desired value into a request body, or into refs when it
// points to an object this plan creates.
func put(s *kindSpec, fields map[string]any, refs map[string]Ref, name string, v any) {
	f := s.field(name)
	switch x := v.(type) {
	case pendingRef:
		refs[name] = Ref(x)
		if f.Type == typeGeneric {
			fields[f.TypeField] = specFor(x.Kind).ObjectType
		}
	case genericRef:
		fields[f.TypeField] = x.Type
		fields[name] = x.ID
	default:
		fields[name] = wire(v)
	}
}

// diffMain plans the create or update of one record's main fields.
func (p *planner) diffMain(st *recState) {
	switch st.status {
	case recNew:
		d := p.desired(st, false)
		if len(d.held) > 0 {
			p.waitFor(st, heldRoots(d))
			return
		}
		if len(d.missing) > 0 {
			p.skip(st, "cannot create: "+strings.Join(d.missing, "; "))
			return
		}
		p.noteDropped(st, d)
		st.writable = true
		st.outcome = outCreate
		p.add(st.spec.Kind, OpCreate, PhaseMain, p.createOp(st, d))
	case recBound:
		p.diffBound(st)
	}
}

// diffBound plans the update of a record matched to an existing object:
// none for one tagged agent-ignore, or made by hand and not adopted.
func (p *planner) diffBound(st *recState) {
	o := st.obj
	if o.Ignore {
		st.outcome = outSkipped
		p.finding(st.rec.Kind, st.rec.Key, o.ID, "tagged "+TagIgnore+": left alone")
		return
	}
	owned := o.Agent || st.how == "agent_id"
	if !owned && !p.adopts(st) {
		return
	}
	d := p.desired(st, false)
	if !owned && len(d.held) > 0 {
		p.waitFor(st, heldRoots(d))
		return
	}
	st.writable = true
	p.dropHeld(st, &d)
	p.noteDropped(st, d)
	for _, m := range d.missing {
		p.finding(st.rec.Kind, st.rec.Key, o.ID, "field not written: "+m)
	}
	prefix := ""
	if !owned {
		prefix = fmt.Sprintf("adopt (matched by %s)", st.how)
	}
	if op, ok := p.updateOp(st, d, prefix); ok {
		st.outcome = outUpdate
		st.mainUpdated = true
		p.add(st.spec.Kind, OpUpdate, PhaseMain, op)
	}
}

// adopts decides, by the policy of st's kind, whether the hand-made
// object st is matched to is taken over; when not, st is left alone or
// held and reported.
func (p *planner) adopts(st *recState) bool {
	o := st.obj
	switch {
	case p.cfg.adoptPolicy(st.rec.Kind) == AdoptAuto:
		return true
	case p.holdsBack(st):
		p.hold(st)
	case p.cfg.adoptPolicy(st.rec.Kind) == AdoptReport:
		st.outcome = outSkipped
		p.finding(st.rec.Kind, st.rec.Key, o.ID, fmt.Sprintf("made by hand, matched by %s: used as it is, nothing written (adopt: report)", st.matched()))
	default:
		st.outcome = outSkipped
		p.finding(st.rec.Kind, st.rec.Key, o.ID, fmt.Sprintf("made by hand, matched by %s: left alone (adopt: never)", st.matched()))
	}
	return false
}

// dropHeld takes the fields that point to records held for adoption out
// of the values an object of the agent's gets: it keeps what it has.
func (p *planner) dropHeld(st *recState, d *desiredSet) {
	for _, name := range sortedKeys(d.held) {
		delete(d.values, name)
		h := d.held[name]
		p.finding(st.rec.Kind, st.rec.Key, 0, fmt.Sprintf("field not written: %s %s waits for adoption (adopt: report)", st.spec.field(name).attr(), h.rec.Key))
	}
}

// heldRoots are the records matched to hand-made objects that the held
// references of d wait for, each once, by key.
func heldRoots(d desiredSet) []*recState {
	seen := map[string]bool{}
	var out []*recState
	for _, name := range sortedKeys(d.held) {
		for _, r := range d.held[name].heldBy {
			if !seen[r.rec.Key] {
				seen[r.rec.Key] = true
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rec.Key < out[j].rec.Key })
	return out
}

func (p *planner) noteDropped(st *recState, d desiredSet) {
	for _, s := range d.dropped {
		p.finding(st.rec.Kind, st.rec.Key, 0, "field not written: "+s)
	}
}

func (p *planner) add(k inventory.Kind, op Op, phase Phase, o Operation) {
	g := opGroup{kind: k, op: op, phase: phase}
	if s := specs[k]; s != nil && s.BatchByParent != "" {
		o.Group = p.parentGroup(s, o)
	}
	p.ops[g] = append(p.ops[g], o)
}

// parentGroup names the parent of o's object: its NetBox ID, read from
// the object or from the create's body, or the key of the parent this
// plan creates. One parent gets one name in each group of operations.
func (p *planner) parentGroup(s *kindSpec, o Operation) string {
	if r, ok := o.Refs[s.BatchByParent]; ok {
		return "key:" + r.Key
	}
	v := o.Fields[s.BatchByParent]
	if o.ID != 0 {
		if obj := p.objs[s.Kind].object(o.ID); obj != nil {
			v = obj.Raw[s.BatchByParent]
		}
	}
	if id, ok := refID(v); ok && id != nil {
		return fmt.Sprintf("id:%d", id)
	}
	return ""
}

// reserve makes room for n more operations of a group, so that a group
// of 30,000 creates is not grown, and left half empty, by doubling.
func (p *planner) reserve(k inventory.Kind, op Op, phase Phase, n int) {
	if n > 0 {
		g := opGroup{kind: k, op: op, phase: phase}
		p.ops[g] = slices.Grow(p.ops[g], n)
	}
}

// createOp builds the body of a new object: its fields, the ownership tag
// and custom fields, and NetBox's required defaults.
func (p *planner) createOp(st *recState, d desiredSet) Operation {
	s := st.spec
	fields := make(map[string]any, createSize(s, d))
	refs := map[string]Ref{}
	for _, name := range sortedKeys(d.values) {
		put(s, fields, refs, name, d.values[name])
	}
	for k, v := range s.CreateDefaults {
		if _, ok := fields[k]; !ok {
			fields[k] = v
		}
	}
	fields["tags"] = recordTags(st.rec)
	cf := map[string]any{CFAgentID: st.rec.Key, CFLastSeen: p.today}
	if w := createdHashes(d); w != "" {
		cf[CFAgentWritten] = w
	}
	if st.rec.Source != "" {
		cf[CFAgentSource] = st.rec.Source
	}
	for _, m := range p.mappings[s.Kind] {
		if v, ok := mappedValue(m, st.rec); ok {
			cf[m.Field] = v
		}
	}
	fields["custom_fields"] = cf
	op := Operation{Key: st.rec.Key, Name: recordName(st.rec), Fields: fields, Reason: "new",
		Sources: st.rec.sourcesOf(s, sortedKeys(d.values))}
	if len(refs) > 0 {
		op.Refs = refs
	}
	return op
}

// createSize is the number of fields createOp writes, so that its map is
// made at its size: a map that grows past eight entries leaves the eight
// behind, and a first sync holds a create body per object.
func createSize(s *kindSpec, d desiredSet) int {
	n := 2 // tags, custom_fields
	for name, v := range d.values {
		switch v.(type) {
		case pendingRef:
			if s.field(name).Type == typeGeneric {
				n++ // its object type
			}
		case genericRef:
			n += 2
		default:
			n++
		}
	}
	for k := range s.CreateDefaults {
		if _, ok := d.values[k]; !ok {
			n++
		}
	}
	return n
}

// updateOp diffs an existing object against the record; ok is false when
// nothing changes.
func (p *planner) updateOp(st *recState, d desiredSet, prefix string) (Operation, bool) {
	s, o := st.spec, st.obj
	fields := map[string]any{}
	refs := map[string]Ref{}
	var changes []Change
	written := newWrittenSet(o.Written)
	for i := range s.Fields {
		f := &s.Fields[i]
		v, ok := d.values[f.Name]
		if !ok || (f.Type == typeSlug && !d.explicitSlug) {
			continue
		}
		cur := current(f, o.Raw)
		_, pend := v.(pendingRef)
		if !pend && equalCanon(cur, v) {
			written.agree(f.Name, v)
			continue
		}
		if !pend && !p.editCheck(st, written, f, cur, v) {
			continue
		}
		put(s, fields, refs, f.Name, v)
		written.wrote(f.Name, v)
		changes = append(changes, Change{Field: f.Name, From: display(cur), To: display(v)})
	}
	if o.Orphan && s.hasStatus() {
		if _, named := d.values["status"]; !named {
			if cur := current(s.field("status"), o.Raw); cur != "active" {
				fields["status"] = "active"
				written.wrote("status", "active")
				changes = append(changes, Change{Field: "status", From: display(cur), To: "active"})
			}
		}
	}
	if tags, changed := o.withTags(recordTags(st.rec), TagOrphan); changed {
		fields["tags"] = tags
		changes = append(changes, Change{Field: "tags", From: tagSlugs(o.Tags), To: tagSlugs(tags)})
	}
	cf, cfChanges := p.customFieldChanges(st)
	changes = append(changes, cfChanges...)
	if w, ok := written.value(); ok {
		cf[CFAgentWritten] = w
	}
	// agent_last_seen alone is written once a day, so that a re-run on the
	// same day writes nothing.
	seenOnly := len(changes) == 0 && dateOf(o.LastSeen) != p.today
	if dateOf(o.LastSeen) != p.today {
		cf[CFLastSeen] = p.today
	}
	if len(changes) == 0 && !seenOnly {
		return Operation{}, false
	}
	if len(cf) > 0 {
		fields["custom_fields"] = cf
	}
	reason := describe(changes)
	if seenOnly {
		reason = "seen " + p.today
	}
	if o.Orphan {
		reason = "no longer orphaned; " + reason
	}
	if prefix != "" {
		reason = prefix + "; " + reason
	}
	st.written = written
	if _, ok := cf[CFAgentWritten]; ok {
		st.mainCF = cf
	}
	op := Operation{Key: st.rec.Key, ID: o.ID, Name: recordName(st.rec), Fields: fields, Reason: reason,
		Changes: changes, LastUpdated: o.LastUpdated, Sources: st.rec.sourcesOf(s, changedFields(changes))}
	if len(refs) > 0 {
		op.Refs = refs
	}
	return op, true
}

// customFieldChanges are the custom fields of st's object that change,
// agent_last_seen aside: the agent's ownership fields and the mapped ones.
func (p *planner) customFieldChanges(st *recState) (map[string]any, []Change) {
	o := st.obj
	cf := map[string]any{}
	var changes []Change
	set := func(name string, from, to any) {
		cf[name] = to
		changes = append(changes, Change{Field: "custom_fields." + name, From: from, To: to})
	}
	if o.AgentID != st.rec.Key {
		set(CFAgentID, emptyNil(o.AgentID), st.rec.Key)
	}
	if st.rec.Source != "" && o.Source != st.rec.Source {
		set(CFAgentSource, emptyNil(o.Source), st.rec.Source)
	}
	if o.OrphanedSince != "" {
		set(CFOrphanedSince, o.OrphanedSince, nil)
	}
	for _, m := range p.mappings[st.spec.Kind] {
		v, ok := mappedValue(m, st.rec)
		if !ok {
			continue
		}
		cur, _ := o.Raw["custom_fields"].(map[string]any)
		if c, _ := canon(cfType(m.Type), cur[m.Field]); !equalCanon(c, v) {
			set(m.Field, display(c), v)
		}
	}
	return cf, changes
}

// changedFields lists the fields changes move.
func changedFields(changes []Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.Field
	}
	return out
}

// describe renders changes as "name: a -> b, status: x -> y".
func describe(changes []Change) string {
	parts := make([]string, 0, len(changes))
	for _, c := range changes {
		parts = append(parts, fmt.Sprintf("%s: %v -> %v", c.Field, orNone(c.From), orNone(c.To)))
	}
	return strings.Join(parts, ", ")
}

func orNone(v any) any {
	if v == nil {
		return "none"
	}
	if xs, ok := v.([]string); ok {
		return "[" + strings.Join(xs, " ") + "]"
	}
	return v
}

// recordName is a short label of a record for reports: the field that
// names a record of its kind (a device type's model, an IP's address).
func recordName(r *record) string {
	name := "name"
	if d := r.Kind.Decl(); d != nil {
		name = d.Name
	}
	v, _ := r.Attr(name)
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v) // a VLAN's VID
	}
}
