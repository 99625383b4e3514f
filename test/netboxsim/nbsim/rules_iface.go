package nbsim

import (
	"fmt"
	"slices"
)

// The rules of NetBox's Interface and VMInterface models: clean() and the post_save signal
// that assigns a new interface's primary MAC (dcim/models/device_components.py,
// virtualization/models/virtualmachines.py, dcim/models/mixins.py, dcim/signals.py).

// nonConnectableTypes are the interface types that take no cable, so neither channels nor a
// channel ID (dcim/constants.py NONCONNECTABLE_IFACE_TYPES at v4.7.3, less "channel" itself).
func nonConnectableTypes() []string {
	return []string{"virtual", "lag", "bridge", "ieee802.11a", "ieee802.11g", "ieee802.11n", "ieee802.11ac",
		"ieee802.11ad", "ieee802.11ax", "ieee802.11ay", "ieee802.11be", "ieee802.15.1", "ieee802.15.4",
		"other-wireless", "gsm", "cdma", "lte", "4g", "5g"}
}

// cleanInterface checks an interface of a device or a VM: its parent, bridge and LAG belong to
// the same device or VM, its type allows them, and its primary MAC is its own.
func cleanInterface(v *view, o, old *object, errs fieldErrors) {
	ep, parentField, parentNoun := epInterfaces, "device", "device"
	if _, ok := o.Fields["virtual_machine"]; ok {
		ep, parentField, parentNoun = epVMInterfaces, "virtual_machine", "virtual machine"
	}
	cleanInterfaceRefs(v, o, ep, parentField, parentNoun, errs)
	if ep == epInterfaces && len(errs) == 0 {
		cleanInterfaceType(v, o, errs)
	}
	if len(errs) == 0 {
		cleanInterfaceVLANs(v, o, ep, errs)
	}
	cleanPrimaryMAC(v, o, old, ep, errs)
}

// cleanInterfaceRefs checks that the parent, bridge and LAG are other interfaces of the same
// device or VM.
func cleanInterfaceRefs(v *view, o *object, ep, parentField, parentNoun string, errs fieldErrors) {
	for _, f := range []struct{ field, self, other string }{
		{"parent", "An interface cannot be its own parent.", "The selected parent interface (%s) belongs to a different %s (%s)"},
		{"bridge", "An interface cannot be bridged to itself.", "The selected bridge interface (%s) belongs to a different %s (%s)."},
		{"lag", "A LAG interface cannot be its own parent.", "The selected LAG interface (%s) belongs to a different %s (%s)."},
	} {
		id := o.id(f.field)
		if id == 0 {
			continue
		}
		if id == o.ID {
			errs.add(f.field, f.self)
			continue
		}
		if other := v.get(ep, id); other != nil && other.id(parentField) != o.id(parentField) {
			owner := v.get(epDevices, other.id(parentField))
			name := ""
			if parentField == "device" && owner != nil {
				name = deviceDisplay(v, owner)
			} else if vm := v.get(epVMs, other.id(parentField)); vm != nil {
				name = vm.str("name")
			}
			errs.add(f.field, fmt.Sprintf(f.other, other.str("name"), parentNoun, name))
		}
	}
}

// cleanInterfaceType applies the rules of a device interface's type, in NetBox's order, up to
// the first that fails: only virtual interfaces (and from 4.7 channel subinterfaces) have a
// parent, virtual ones no LAG, and from 4.7 the channel rules of InterfaceValidationMixin.
func cleanInterfaceType(v *view, o *object, errs fieldErrors) {
	typ := o.str("type")
	if !v.st.cat.rel.channelInterfaces() {
		if o.id("parent") != 0 && typ != "virtual" {
			errs.add("parent", "Only virtual interfaces may be assigned to a parent interface.")
			return
		}
	} else if cleanChannels(v, o, errs) {
		return
	}
	if typ == "virtual" && o.id("lag") != 0 {
		errs.add("lag", "Virtual interfaces cannot have a parent LAG interface.")
	}
}

// cleanChannels is InterfaceValidationMixin.clean of NetBox 4.7 (dcim/models/mixins.py): a
// channel subinterface is bound by channel_id to one of its parent's channels. It reports
// whether it found an error.
func cleanChannels(v *view, o *object, errs fieldErrors) bool {
	typ := o.str("type")
	cabled := !slices.Contains(nonConnectableTypes(), typ)
	canBind := typ == "channel" || cabled
	channels, bound := o.Fields["channels"] != nil, o.Fields["channel_id"] != nil
	parent := v.get(epInterfaces, o.id("parent"))
	fail := func(field, msg string) bool { errs.add(field, msg); return true }
	switch {
	case parent != nil && typ != "virtual" && !bound:
		return fail("parent", "Only virtual interfaces, or a channel subinterface with a channel ID assigned, may be assigned to a parent interface.")
	case channels && bound:
		return fail("__all__", "An interface cannot be both channelized and bound to a channel on a parent interface.")
	case channels && (!cabled || typ == "channel"):
		return fail("channels", fmt.Sprintf("%s interfaces cannot be channelized.", interfaceTypeLabel(v, typ)))
	case typ == "channel" && !bound:
		return fail("channel_id", "Channel interfaces must have a channel ID assigned.")
	case bound && !canBind:
		return fail("channel_id", "A channel ID cannot be assigned to a virtual, LAG, bridge, or wireless interface.")
	case !bound:
		return false
	case parent == nil:
		return fail("parent", "A channel subinterface must be assigned to a parent interface.")
	case parent.Fields["channels"] == nil:
		return fail("parent", fmt.Sprintf("The parent interface (%s) is not channelized.", parent.str("name")))
	case o.id("channel_id") > parent.id("channels"):
		return fail("channel_id", fmt.Sprintf("Invalid channel ID (%d): the parent interface provides only %d channels.",
			o.id("channel_id"), parent.id("channels")))
	}
	return false
}

// interfaceTypeLabel is the label of an interface type, as get_type_display() gives it.
func interfaceTypeLabel(v *view, typ string) string {
	if p := v.table(epInterfaces).kind.schema.props["type"]; p != nil && p.labels[typ] != "" {
		return p.labels[typ]
	}
	return typ
}

// cleanPrimaryMAC checks that the interface's primary MAC is assigned to it. Up to 4.3 any
// other MAC is refused; from 4.4 an unassigned one is taken (and, on a create, assigned to the
// interface by afterInterface) and one of another interface is refused by that interface's
// name; from 4.7 those are non-field errors, and an update may not take an unassigned one.
func cleanPrimaryMAC(v *view, o, old *object, ep string, errs fieldErrors) {
	m := v.get(epMACs, o.id("primary_mac_address"))
	if m == nil {
		return
	}
	rel := v.st.cat.rel
	typ, _ := m.Fields["assigned_object_type"].(string)
	owner := v.get(interfaceTargets[typ], m.id("assigned_object_id"))
	mac := m.str("mac_address")
	key := "primary_mac_address"
	if rel.primaryMACNonField() {
		key = "__all__"
	}
	switch {
	case o.ID != 0 && interfaceTargets[typ] == ep && m.id("assigned_object_id") == o.ID:
	case !rel.primaryMACElsewhere():
		errs.add("primary_mac_address", fmt.Sprintf("MAC address %s is not assigned to this interface.", mac))
	case owner == nil:
		if rel.primaryMACNonField() && old != nil {
			errs.add(key, "Only a MAC address assigned to this interface can be its primary MAC address.")
		}
	default:
		errs.add(key, fmt.Sprintf("MAC address %s is assigned to a different interface (%s).", mac, owner.str("name")))
	}
}

// afterInterface is update_mac_address_interface (dcim/signals.py, from 4.4): a new interface
// whose primary MAC is assigned to nothing gets it assigned.
func afterInterface(t *tx, o, old *object) {
	if o == nil || old != nil || !t.st.cat.rel.primaryMACElsewhere() {
		return
	}
	m := t.get(epMACs, o.id("primary_mac_address"))
	if m == nil || m.Fields["assigned_object_type"] != nil {
		return
	}
	c := m.clone()
	c.Fields["assigned_object_type"] = t.ifaceType(o)
	c.Fields["assigned_object_id"] = o.ID
	t.replace(epMACs, c)
}
