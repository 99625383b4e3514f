package netbox

import (
	"context"
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

var macParents = map[inventory.Kind]macParent{
	inventory.KindDevice:         {inventory.KindInterface, "dcim.interface", "device"},
	inventory.KindVirtualMachine: {inventory.KindVMInterface, "virtualization.vminterface", "virtual_machine"},
}

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
	want := pending(recs)
	macsByRec := make(map[*recState][]string, len(want))
	var all []string
	for _, st := range want {
		if m := p.macsOf(st); len(m) > 0 {
			macsByRec[st] = m
			all = append(all, m...)
		}
	}
	if len(all) == 0 {
		return nil
	}
	if err := p.readMACs(ctx, uniqueSorted(all)); err != nil {
		return err
	}
	mp, isParent := macParents[s.Kind]
	ifaceType := s.ObjectType
	if isParent {
		ifaceType = mp.ifaceType
	}
	// The interfaces each record's MACs are assigned to.
	ifIDs := make(map[*recState][]int64, len(macsByRec))
	parentOf := map[int64]int64{}
	var unknown []string
	for _, st := range want {
		for _, mac := range macsByRec[st] {
			for _, mo := range p.macs[mac] {
				if t, _ := mo.Raw["assigned_object_type"].(string); t != ifaceType {
					continue
				}
				v, ok := refID(mo.Raw["assigned_object_id"])
				if !ok || v == nil {
					continue
				}
				id := v.(int64)
				ifIDs[st] = append(ifIDs[st], id)
				if isParent {
					if parent, known := nestedParentID(mo.Raw, mp.parentField); known {
						parentOf[id] = parent
					} else {
						unknown = append(unknown, strconv.FormatInt(id, 10))
					}
				}
			}
		}
	}
	if len(unknown) > 0 {
		// NetBox nests the parent in assigned_object; when an answer does
		// not, the interfaces themselves name it.
		is := specFor(mp.ifaceKind)
		raws, err := listIn(ctx, p.f, is, nil, "id", uniqueSorted(unknown))
		if err != nil {
			return err
		}
		for _, r := range raws {
			if o := p.objs[mp.ifaceKind].add(r); o != nil {
				if v, ok := refID(o.Raw[mp.parentField]); ok && v != nil {
					parentOf[o.ID] = v.(int64)
				}
			}
		}
	}
	candIDs := make(map[*recState][]int64, len(ifIDs))
	var missing []string
	for _, st := range want {
		seen := map[int64]bool{}
		for _, id := range ifIDs[st] {
			if isParent {
				parent, ok := parentOf[id]
				if !ok {
					continue
				}
				id = parent
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			candIDs[st] = append(candIDs[st], id)
			if _, have := p.objs[s.Kind].byID[id]; !have {
				missing = append(missing, strconv.FormatInt(id, 10))
			}
		}
	}
	if err := p.fetchIn(ctx, s, "id", missing); err != nil {
		return err
	}
	for _, st := range want {
		var cands []*object
		for _, id := range candIDs[st] {
			if o, ok := p.objs[s.Kind].byID[id]; ok {
				cands = append(cands, o)
			}
		}
		p.decide(st, cands, "MAC")
	}
	return nil
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
			p.decide(st, index[k], "natural key "+strings.Join(nk, "+"))
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
