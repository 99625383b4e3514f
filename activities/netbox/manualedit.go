package netbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// What the agent does with a field an operator changed in NetBox
// (on_manual_edit): an edit is a NetBox value that differs both from the
// value the agent last wrote there and from what the sources now say.
const (
	// EditKeep leaves the operator's value and reports it (the default).
	EditKeep = "keep"
	// EditOverwrite writes the sources' value and reports the overwrite.
	EditOverwrite = "overwrite"
	// EditReport writes the field on create only; any later difference is
	// reported, never written.
	EditReport = "report"
)

// ManualEditPolicies lists the values on_manual_edit takes; the
// configuration's check takes its list from here.
func ManualEditPolicies() []string { return []string{EditKeep, EditOverwrite, EditReport} }

// writtenHash is the hash agent_written keeps of a canonical value: the
// first 8 hex digits of the SHA-256 of its JSON; "" when it has none.
func writtenHash(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:4])
}

// parseWritten reads agent_written ("field=hash;field=hash"); a pair that
// is not of that form is left out, so its field reads as never written.
func parseWritten(s string) map[string]string {
	if s == "" {
		return nil
	}
	out := map[string]string{}
	for _, pair := range strings.Split(s, ";") {
		name, hash, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && name != "" && hash != "" {
			out[name] = hash
		}
	}
	return out
}

// formatWritten renders hashes by field as agent_written holds them:
// sorted by field, ";"-separated.
func formatWritten(m map[string]string) string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + "=" + m[name]
	}
	return strings.Join(parts, ";")
}

// createdHashes are the hashes of the values a create writes; fields that
// point to objects this plan creates have no value yet and none.
func createdHashes(d desiredSet) string {
	m := make(map[string]string, len(d.values))
	for name, v := range d.values {
		if _, pend := v.(pendingRef); pend {
			continue
		}
		if h := writtenHash(v); h != "" {
			m[name] = h
		}
	}
	return formatWritten(m)
}

// manualEditPolicy is the policy of a record attribute of kind k: a
// "kind.attr" entry wins over a plain "attr" one, and that over the default.
func (c Config) manualEditPolicy(k inventory.Kind, attr string) string {
	if p, ok := c.OnManualEditFields[string(k)+"."+attr]; ok {
		return p
	}
	if p, ok := c.OnManualEditFields[attr]; ok {
		return p
	}
	if c.OnManualEdit != "" {
		return c.OnManualEdit
	}
	return EditKeep
}

// validateManualEdit checks on_manual_edit and its overrides: policies it
// knows, and fields ("attr" or "kind.attr") some kind the agent writes has.
func validateManualEdit(c Config) error {
	if c.OnManualEdit != "" && !slices.Contains(ManualEditPolicies(), c.OnManualEdit) {
		return fmt.Errorf("on_manual_edit: unknown policy %q (one of %s)", c.OnManualEdit, strings.Join(ManualEditPolicies(), ", "))
	}
	keys := make([]string, 0, len(c.OnManualEditFields))
	for k := range c.OnManualEditFields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if p := c.OnManualEditFields[k]; !slices.Contains(ManualEditPolicies(), p) {
			return fmt.Errorf("on_manual_edit_fields.%s: unknown policy %q (one of %s)", k, p, strings.Join(ManualEditPolicies(), ", "))
		}
		if err := CheckManualEditKey(k); err != nil {
			return fmt.Errorf("on_manual_edit_fields.%s: %w", k, err)
		}
	}
	return nil
}

// CheckManualEditKey checks a key of on_manual_edit_fields: a record
// attribute the agent writes to NetBox for some kind ("description"), or
// for the kind it names ("device.serial").
func CheckManualEditKey(key string) error {
	if kind, attr, ok := strings.Cut(key, "."); ok {
		s := specFor(inventory.Kind(kind))
		if s == nil {
			return fmt.Errorf("kind %q is not written to NetBox", kind)
		}
		if !s.writesAttr(attr) {
			return fmt.Errorf("%s has no field %q the agent writes", kind, attr)
		}
		return nil
	}
	for _, s := range specOrder {
		if s.writesAttr(key) {
			return nil
		}
	}
	return fmt.Errorf("no kind has a field %q the agent writes", key)
}

// writesAttr reports whether the kind writes record attribute attr.
func (s *kindSpec) writesAttr(attr string) bool {
	for i := range s.Fields {
		if f := &s.Fields[i]; !f.KeyOnly && f.attr() == attr {
			return true
		}
	}
	return false
}

// editCheck decides whether an update writes field f of st's object,
// whose NetBox value cur differs from the sources' value v, and reports
// an operator's edit (a value that is neither v nor the one the agent
// last wrote) as the field's policy says.
// written holds the hashes of agent_written.
func (p *planner) editCheck(st *recState, written *writtenSet, f *field, cur, v any) bool {
	policy := p.cfg.manualEditPolicy(st.spec.Kind, f.attr())
	recorded, has := written.hash(f.Name)
	edited := has && writtenHash(cur) != recorded
	if !edited && policy != EditReport {
		return true
	}
	what := "differs in NetBox"
	if edited {
		what = "was edited in NetBox"
		p.plan.Summary.ManualEdits++
	}
	var outcome string
	switch {
	case policy == EditReport:
		outcome = "not written (on_manual_edit: report)"
	case policy == EditOverwrite:
		outcome = "overwritten (on_manual_edit: overwrite)"
	default:
		outcome = "kept (on_manual_edit: keep)"
	}
	// Named as the record and on_manual_edit_fields name it, and as NetBox
	// does where that differs.
	name := f.attr()
	if f.Name != name {
		name += " (NetBox " + f.Name + ")"
	}
	p.plan.Findings = append(p.plan.Findings, Finding{Kind: st.rec.Kind, Key: st.rec.Key, ID: st.obj.ID, Field: f.attr(),
		Reason: fmt.Sprintf("%s %s (%s); the sources say %s; %s", name, what, editValue(cur), editValue(v), outcome)})
	return edited && policy == EditOverwrite
}

// writtenSet is the agent_written an update keeps: the object's hashes,
// the new ones of the fields it writes and of those NetBox holds as the
// sources say. It is written only with a field (never on its own), so
// that an unchanged object is never written for it.
//
// Most objects of a re-sync are unchanged, and their set is never read:
// the old text is parsed and the agreed values hashed only when a field
// is looked up or the set is written (settle).
type writtenSet struct {
	old     string
	hashes  map[string]string // nil until settled
	agreed  []writtenValue    // values NetBox holds as the sources say, not yet hashed
	changed bool              // a field is written
}

// writtenValue is a field's value whose hash a writtenSet keeps.
type writtenValue struct {
	name  string
	value any
}

func newWrittenSet(old string) *writtenSet { return &writtenSet{old: old} }

// settle parses the old hashes once and hashes the agreed values, in the
// order they were agreed.
func (w *writtenSet) settle() map[string]string {
	if w.hashes == nil {
		w.hashes = parseWritten(w.old)
		if w.hashes == nil {
			w.hashes = map[string]string{}
		}
	}
	for _, a := range w.agreed {
		if h := writtenHash(a.value); h != "" {
			w.hashes[a.name] = h
		}
	}
	w.agreed = w.agreed[:0]
	return w.hashes
}

// hash is the hash the set holds of field name.
func (w *writtenSet) hash(name string) (string, bool) {
	h, ok := w.settle()[name]
	return h, ok
}

// agree records that NetBox holds the sources' value v in field name.
func (w *writtenSet) agree(name string, v any) {
	w.agreed = append(w.agreed, writtenValue{name: name, value: v})
}

// wrote records the write of v into field name; a reference to an object
// this plan creates has no value yet, and its field no hash.
func (w *writtenSet) wrote(name string, v any) {
	w.changed = true
	if _, pend := v.(pendingRef); pend {
		w.forget(name)
		return
	}
	w.agree(name, v)
}

// forget drops the hash of field name.
func (w *writtenSet) forget(name string) { delete(w.settle(), name) }

// text renders the set as agent_written holds it.
func (w *writtenSet) text() string { return formatWritten(w.settle()) }

// value is the agent_written to write, or "" when it need not be.
func (w *writtenSet) value() (string, bool) {
	if !w.changed {
		return "", false
	}
	s := w.text()
	return s, s != w.old
}

// editValue renders a value for a manual edit's finding.
func editValue(v any) string {
	if v == nil {
		return "none"
	}
	return quote(display(v))
}
