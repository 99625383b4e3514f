package netbox

import (
	"fmt"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// AdoptPolicy says what the planner does with a NetBox object the agent
// did not make (no netbox-agent tag, no agent_id) that is the same thing
// as a record: the same serial, a MAC of its interfaces, or its name in
// its scope.
type AdoptPolicy string

// The adoption policies.
const (
	// AdoptNever leaves the object as it is and writes nothing to it; its
	// ID still serves the references of other records, so records that
	// are not themselves matched are created on it (an interface on a
	// device made by hand).
	AdoptNever AdoptPolicy = "never"
	// AdoptReport writes nothing to the object, creates nothing for the
	// record nor for the records that refer to it, and reports it in the
	// plan (Plan.Adoptable), until an operator decides. Objects of shared
	// kinds (sites, manufacturers, types, roles, platforms, cluster types)
	// are used as they are, as under never: they are reference data, the
	// same thing by name.
	AdoptReport AdoptPolicy = "report"
	// AdoptAuto takes the object over: the agent's tag and custom fields
	// are added and the fields the agent owns updated, with on_manual_edit
	// deciding for fields that differ.
	AdoptAuto AdoptPolicy = "auto"
)

// AdoptPolicies lists the values netbox.adopt takes.
func AdoptPolicies() []string {
	return []string{string(AdoptNever), string(AdoptReport), string(AdoptAuto)}
}

// adoptPolicy is the policy for kind k: its override in AdoptKinds, else
// Adopt; "" is report, the default.
func (c Config) adoptPolicy(k inventory.Kind) AdoptPolicy {
	if p, ok := c.AdoptKinds[k]; ok && p != "" {
		return p
	}
	if c.Adopt == "" {
		return AdoptReport
	}
	return c.Adopt
}

// validateAdopt checks adopt and adopt_kinds: each a policy, each kind
// one the agent writes.
func validateAdopt(c Config) error {
	if !validAdopt(c.Adopt) {
		return fmt.Errorf("adopt %q: must be one of %s", c.Adopt, strings.Join(AdoptPolicies(), ", "))
	}
	kinds := make([]string, 0, len(c.AdoptKinds))
	for k := range c.AdoptKinds {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		if err := CheckAdoptKind(inventory.Kind(k)); err != nil {
			return fmt.Errorf("adopt_kinds: %w", err)
		}
		if p := c.AdoptKinds[inventory.Kind(k)]; p == "" || !validAdopt(p) {
			return fmt.Errorf("adopt_kinds.%s %q: must be one of %s", k, p, strings.Join(AdoptPolicies(), ", "))
		}
	}
	return nil
}

func validAdopt(p AdoptPolicy) bool {
	return p == "" || p == AdoptNever || p == AdoptReport || p == AdoptAuto
}

// CheckAdoptKind reports whether k is a kind adopt_kinds may name: one
// the agent writes to NetBox.
func CheckAdoptKind(k inventory.Kind) error {
	if specFor(k) != nil {
		return nil
	}
	names := make([]string, len(specOrder))
	for i, s := range specOrder {
		names[i] = string(s.Kind)
	}
	return fmt.Errorf("unknown kind %q (known: %s)", k, strings.Join(names, ", "))
}

// holdsBack reports whether a hand-made object matched to st waits for an
// operator under st's kind's policy: report, on a kind that is not shared.
func (p *planner) holdsBack(st *recState) bool {
	if p.cfg.adoptPolicy(st.rec.Kind) != AdoptReport {
		return false
	}
	d := st.rec.Kind.Decl()
	return d == nil || !d.Shared
}

// hold keeps st back for adoption: nothing is written for it, nothing is
// created that refers to it, and the plan reports it as adoptable.
func (p *planner) hold(st *recState) {
	o := st.obj
	st.status = recHeld
	st.outcome = outSkipped
	st.heldBy = []*recState{st}
	name := objectName(st.spec, o)
	p.plan.Adoptable = append(p.plan.Adoptable, Finding{Kind: st.rec.Kind, Key: st.rec.Key, ID: o.ID,
		Name: name, Match: st.matched(),
		Reason: fmt.Sprintf("made by hand: %s #%d %q is the same thing by %s; nothing written (adopt: report)",
			st.rec.Kind, o.ID, name, st.matched())})
}

// waitFor keeps st back because a reference of it points to a record held
// for adoption: creating or adopting it would build on an object the
// operator has not decided about. held are the records matched to
// hand-made objects it waits for.
func (p *planner) waitFor(st *recState, held []*recState) {
	st.status = recHeld
	st.outcome = outSkipped
	st.heldBy = held
	parts := make([]string, len(held))
	for i, h := range held {
		parts[i] = fmt.Sprintf("%s %s (#%d)", h.rec.Kind, h.rec.Key, h.obj.ID)
	}
	id := int64(0)
	if st.obj != nil {
		id = st.obj.ID
	}
	p.finding(st.rec.Kind, st.rec.Key, id, "not written: waits for the adoption of "+strings.Join(parts, ", ")+" (adopt: report)")
}

// matched names how a record was matched with the value that matched:
// "serial 7XK2M93", "MAC 24:6e:96:01:02:03", "natural key name+site (pve1, #3)".
func (st *recState) matched() string {
	if st.matchValue == "" {
		return st.how
	}
	return st.how + " " + st.matchValue
}

// objectName is the name of a NetBox object as its kind names it: a
// device's name, an IP's address, a VLAN's VID.
func objectName(s *kindSpec, o *object) string {
	name := "name"
	if d := s.Kind.Decl(); d != nil {
		name = s.fieldNetBoxName(d.Name)
	}
	switch v := o.Raw[name].(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return fmt.Sprintf("%g", v)
	default:
		return fmt.Sprint(v)
	}
}

// fieldNetBoxName is NetBox's name of the declared field name.
func (s *kindSpec) fieldNetBoxName(name string) string {
	if d := s.Kind.Decl(); d != nil {
		if f := d.Field(name); f != nil {
			return f.NetBoxField()
		}
	}
	return name
}

// isParent reports whether attr is the reference to the record a record
// of kind k is part of (an IP's interface).
func isParent(k inventory.Kind, attr string) bool {
	d := k.Decl()
	return d != nil && d.Parent != "" && d.Parent == attr
}

// dropForeignHost leaves out a VM's host device when the agent may not
// write that device (made by hand and not adopted, or tagged agent-ignore)
// and it is not in the VM's cluster: NetBox refuses a host outside the
// VM's cluster, and the agent cannot put the device in it.
func (p *planner) dropForeignHost(st *recState, d *desiredSet) {
	if st.rec.Kind != inventory.KindVirtualMachine {
		return
	}
	id, ok := d.values["device"].(int64)
	if !ok {
		return
	}
	host := p.lookup(st.rec.Ref("device"))
	if host == nil || host.obj == nil || host.obj.ID != id || host.writable {
		return
	}
	have, _ := refID(host.obj.Raw["cluster"])
	if want, ok := d.values["cluster"].(int64); ok && have == any(want) {
		return
	}
	delete(d.values, "device")
	d.dropped = append(d.dropped, fmt.Sprintf("device %s (#%d) is not the agent's to write and not in the VM's cluster, where NetBox takes a VM's host only",
		host.rec.Key, id))
}

// AdoptableLine reads an adoptable finding for operators: the record, the
// NetBox object made by hand and what matched.
func (f Finding) AdoptableLine() string {
	return fmt.Sprintf("%s %s: NetBox #%d %q, matched by %s", f.Kind, f.Key, f.ID, f.Name, f.Match)
}
