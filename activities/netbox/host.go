package netbox

import "github.com/netbox-agent/netbox-agent/activities/inventory"

// maxHostDepth bounds the walk from a record up to its host, so that a
// reference cycle in a bad inventory cannot loop.
const maxHostDepth = 4

// hostOf is the device or virtual machine st is part of, found by
// following each kind's parent reference (an IP to its interface, the
// interface to its device); st itself for a device or VM, nil when the
// chain ends before a host.
func (p *planner) hostOf(st *recState) *recState {
	for range maxHostDepth {
		if st == nil {
			return nil
		}
		if _, isHost := macParents[st.rec.Kind]; isHost {
			return st
		}
		d := st.rec.Kind.Decl()
		if d == nil || d.Parent == "" {
			return nil
		}
		st = p.lookup(st.rec.Ref(d.Parent))
	}
	return nil
}

// onSameHost reports whether target belongs to the same device or
// virtual machine as st.
func (p *planner) onSameHost(st, target *recState) bool {
	host := p.hostOf(st)
	return host != nil && host == p.hostOf(target)
}

// hostLine says where target is: "on dns1" or "on no device or virtual
// machine".
func (p *planner) hostLine(target *recState) string {
	host := p.hostOf(target)
	if host == nil {
		return "on no device or virtual machine"
	}
	return "on " + p.hostName(host)
}

// hostName names a device or virtual machine record by its kind and name.
func (p *planner) hostName(host *recState) string {
	if host == nil {
		return "no device or virtual machine"
	}
	name := host.rec.String("name")
	if name == "" {
		name = host.rec.Key
	}
	kind := "device"
	if host.rec.Kind == inventory.KindVirtualMachine {
		kind = "virtual machine"
	}
	return kind + " " + name
}
