package netbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// macParent says how a device or VM is found from the MACs of its
// interfaces: the interface kind, its content type, and the nested parent
// field of NetBox's assigned_object.
type macParent struct {
	ifaceKind   inventory.Kind
	ifaceType   string
	parentField string
}

// macParents holds, per device or VM kind, how it is found from the MACs
// of its interfaces (macParentsOf).
var macParents = macParentsOf()

// macsOf returns the MACs of an interface record, or of the interfaces of
// a device or VM record.
func (p *planner) macsOf(st *recState) []string {
	var ifaces []*recState
	if mp, ok := macParents[st.rec.Kind]; ok {
		ifaces = p.childrenOf(st.rec.Key, mp.ifaceKind, mp.parentField)
	} else {
		ifaces = []*recState{st}
	}
	var out []string
	for _, ifc := range ifaces {
		for _, m := range p.childrenOf(ifc.rec.Key, inventory.KindMACAddress, "interface") {
			if mac, ok := inventory.NormalizeMAC(m.rec.String("mac_address")); ok {
				out = append(out, mac)
			}
		}
	}
	return uniqueSorted(out)
}

// readMACs reads the MAC address objects with the given values, once each.
func (p *planner) readMACs(ctx context.Context, macs []string) error {
	var want []string
	for _, m := range macs {
		if !p.macRead[m] {
			want = append(want, m)
			p.macRead[m] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	ms := specFor(inventory.KindMACAddress)
	raws, err := listIn(ctx, p.f, ms, nil, "mac_address", want)
	if err != nil {
		return err
	}
	set := p.objs[inventory.KindMACAddress]
	for _, r := range raws {
		o := set.add(r)
		if o == nil {
			continue
		}
		if mac, ok := canon(typeMAC, o.Raw["mac_address"]); ok && mac != nil {
			k := mac.(string)
			if !containsObject(p.macs[k], o) {
				p.macs[k] = append(p.macs[k], o)
			}
		}
	}
	return nil
}

func containsObject(xs []*object, o *object) bool {
	for _, x := range xs {
		if x.ID == o.ID {
			return true
		}
	}
	return false
}

// matchByMAC binds interfaces by their MAC, and devices and VMs by the MACs
// of their interfaces.
func (p *planner) matchByMAC(ctx context.Context, s *kindSpec, recs []*recState) error {
	m := newMACMatch(s, pending(recs))
	all := m.collectMACs(p)
	if len(all) == 0 {
		return nil
	}
	if err := p.readMACs(ctx, uniqueSorted(all)); err != nil {
		return err
	}
	unknown := m.assignedInterfaces(p)
	if err := m.readParents(ctx, p, unknown); err != nil {
		return err
	}
	cands, err := m.candidates(ctx, p)
	if err != nil {
		return err
	}
	for _, st := range m.want {
		value := ""
		if len(cands[st]) == 1 {
			value = strings.Join(m.matchedMACs(st, cands[st][0].ID), ", ")
		}
		p.decide(st, cands[st], "MAC", value)
	}
	return nil
}

// matchedMACs are the MACs of st that lead to the object id: those on its
// interfaces, or on the interface itself.
func (m *macMatch) matchedMACs(st *recState, id int64) []string {
	var out []string
	for ifc, macs := range m.via[st] {
		if to, ok := m.parentOf[ifc]; ifc == id && !m.isParent || ok && to == id && m.isParent {
			out = append(out, macs...)
		}
	}
	return uniqueSorted(out)
}

// macMatch carries one matchByMAC call: the records still unmatched,
// their MACs, and the interfaces and parents those MACs lead to.
type macMatch struct {
	s *kindSpec
	// parent says how a device or VM is found from its interfaces; isParent
	// is false when s is an interface kind, matched by its own MACs.
	parent   macParent
	isParent bool
	// ifaceType is the content type of the interfaces the MACs must be on.
	ifaceType string
	want      []*recState
	macs      map[*recState][]string
	ifaces    map[*recState][]int64 // interface IDs the record's MACs are assigned to
	// via holds, per record, the record's MACs on each interface ID.
	via      map[*recState]map[int64][]string
	parentOf map[int64]int64 // interface ID -> device or VM ID
}

func newMACMatch(s *kindSpec, want []*recState) *macMatch {
	m := &macMatch{s: s, want: want, ifaceType: s.ObjectType,
		macs: make(map[*recState][]string, len(want)), parentOf: map[int64]int64{}}
	m.parent, m.isParent = macParents[s.Kind]
	if m.isParent {
		m.ifaceType = m.parent.ifaceType
	}
	return m
}

// collectMACs notes each record's MACs and returns them all.
func (m *macMatch) collectMACs(p *planner) []string {
	var all []string
	for _, st := range m.want {
		if macs := p.macsOf(st); len(macs) > 0 {
			m.macs[st] = macs
			all = append(all, macs...)
		}
	}
	return all
}

// assignedInterfaces notes the interfaces each record's MACs are assigned
// to, and their parents where NetBox nests them in the MAC; it returns the
// IDs of the interfaces whose parent it did not name.
func (m *macMatch) assignedInterfaces(p *planner) []string {
	m.ifaces = make(map[*recState][]int64, len(m.macs))
	m.via = make(map[*recState]map[int64][]string, len(m.macs))
	var unknown []string
	for _, st := range m.want {
		for _, mac := range m.macs[st] {
			for _, mo := range p.macs[mac] {
				if t, _ := mo.Raw["assigned_object_type"].(string); t != m.ifaceType {
					continue
				}
				v, ok := refID(mo.Raw["assigned_object_id"])
				if !ok || v == nil {
					continue
				}
				id := v.(int64)
				m.ifaces[st] = append(m.ifaces[st], id)
				if m.via[st] == nil {
					m.via[st] = map[int64][]string{}
				}
				m.via[st][id] = append(m.via[st][id], mac)
				if !m.isParent {
					continue
				}
				if parent, known := nestedParentID(mo.Raw, m.parent.parentField); known {
					m.parentOf[id] = parent
				} else {
					unknown = append(unknown, strconv.FormatInt(id, 10))
				}
			}
		}
	}
	return unknown
}

// readParents reads the interfaces whose parent the MAC objects did not
// nest, for the parent they name themselves.
func (m *macMatch) readParents(ctx context.Context, p *planner, ifaceIDs []string) error {
	if len(ifaceIDs) == 0 {
		return nil
	}
	raws, err := listIn(ctx, p.f, specFor(m.parent.ifaceKind), nil, "id", uniqueSorted(ifaceIDs))
	if err != nil {
		return err
	}
	for _, r := range raws {
		if o := p.objs[m.parent.ifaceKind].add(r); o != nil {
			if v, ok := refID(o.Raw[m.parent.parentField]); ok && v != nil {
				m.parentOf[o.ID] = v.(int64)
			}
		}
	}
	return nil
}

// candidates are the objects of the matched kind each record's MACs lead
// to: the interfaces themselves, or their devices or VMs, read when the
// planner does not hold them yet.
func (m *macMatch) candidates(ctx context.Context, p *planner) (map[*recState][]*object, error) {
	ids := make(map[*recState][]int64, len(m.ifaces))
	var missing []string
	for _, st := range m.want {
		seen := map[int64]bool{}
		for _, id := range m.ifaces[st] {
			if m.isParent {
				parent, ok := m.parentOf[id]
				if !ok {
					continue
				}
				id = parent
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			ids[st] = append(ids[st], id)
			if _, have := p.objs[m.s.Kind].byID[id]; !have {
				missing = append(missing, strconv.FormatInt(id, 10))
			}
		}
	}
	if err := p.fetchIn(ctx, m.s, "id", missing); err != nil {
		return nil, err
	}
	out := make(map[*recState][]*object, len(ids))
	for _, st := range m.want {
		for _, id := range ids[st] {
			if o, ok := p.objs[m.s.Kind].byID[id]; ok {
				out[st] = append(out[st], o)
			}
		}
	}
	return out, nil
}

// nestedParentID reads assigned_object.<field>.id of a MAC address object.
func nestedParentID(raw map[string]any, field string) (int64, bool) {
	ao, ok := raw["assigned_object"].(map[string]any)
	if !ok {
		return 0, false
	}
	id, ok := refID(ao[field])
	if !ok || id == nil {
		return 0, false
	}
	return id.(int64), true
}

// matchByNaturalKey binds records by their natural keys (name, device +
// name, address + VRF, ...), reading candidates by filter first.
func (p *planner) matchByNaturalKey(ctx context.Context, s *kindSpec, recs []*recState) error {
	want := pending(recs)
	keys := s.naturalKeys(p.facts.version)
	if len(want) == 0 || len(keys) == 0 {
		return nil
	}
	desired := make(map[*recState]map[string]any, len(want))
	params := map[string][]string{}
	for _, st := range want {
		d := p.desired(st, false).values
		desired[st] = d
		for _, cq := range s.Candidates {
			param, value := cq.Param, ""
			switch v := d[cq.Field].(type) {
			case string:
				value = keyPart(s.field(cq.Field).Type, v)
				if s.field(cq.Field).Type != typeIP {
					value = v
				}
			case int64:
				value = strconv.FormatInt(v, 10)
			case genericRef:
				param, value = cq.ParamFor[v.Type], strconv.FormatInt(v.ID, 10)
			}
			if param != "" && value != "" {
				params[param] = append(params[param], value)
			}
		}
	}
	for _, param := range sortedKeys(params) {
		if err := p.fetchIn(ctx, s, param, params[param]); err != nil {
			return err
		}
	}
	objs := p.objs[s.Kind].sorted()
	for _, nk := range keys {
		index := make(map[string][]*object)
		for _, o := range objs {
			if k, ok := objectKey(s, nk, o); ok {
				index[k] = append(index[k], o)
			}
		}
		for _, st := range want {
			if st.status != recPending {
				continue
			}
			k, ok := recordKey(s, nk, desired[st])
			if !ok {
				continue
			}
			p.decide(st, index[k], "natural key "+strings.Join(nk, "+"), keyValues(s, nk, desired[st]))
		}
	}
	return nil
}

// objectKey is the natural key nk of a NetBox object.
func objectKey(s *kindSpec, nk []string, o *object) (string, bool) {
	parts := make([]string, len(nk))
	empty := true
	for i, name := range nk {
		f := s.field(name)
		parts[i] = keyPart(f.Type, current(f, o.Raw))
		if parts[i] != "" {
			empty = false
		}
	}
	return strings.Join(parts, "\x00"), !empty
}

// recordKey is the natural key nk of a record's desired values; ok is
// false when a part points to an object not created yet.
func recordKey(s *kindSpec, nk []string, d map[string]any) (string, bool) {
	parts := make([]string, len(nk))
	empty := true
	for i, name := range nk {
		v := d[name]
		if _, pend := v.(pendingRef); pend {
			return "", false
		}
		parts[i] = keyPart(s.field(name).Type, v)
		if parts[i] != "" {
			empty = false
		}
	}
	return strings.Join(parts, "\x00"), !empty
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return uniqueSorted(out)
}

// keyValues renders the values of natural key nk of a record for reports:
// "(pve1, #3)", a reference as the ID of its NetBox object.
func keyValues(s *kindSpec, nk []string, d map[string]any) string {
	parts := make([]string, len(nk))
	for i, name := range nk {
		switch v := d[name].(type) {
		case nil:
			parts[i] = "none"
		case genericRef:
			parts[i] = "#" + strconv.FormatInt(v.ID, 10)
		case int64:
			parts[i] = strconv.FormatInt(v, 10)
			if f := s.field(name); f != nil && f.isRef() {
				parts[i] = "#" + parts[i]
			}
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
