package nbsim

import (
	"fmt"
	"strings"
)

// VLAN groups and VLANs (ipam/models/vlans.py), and the 802.1Q rules of interfaces
// (dcim/api/serializers_/device_components.py InterfaceSerializer.validate,
// dcim/models/device_components.py BaseInterface.save and Interface.clean,
// virtualization/models/virtualmachines.py VMInterface.clean).

// vlanGroupScopes are the scope types of a VLAN group that the emulator serves (NetBox also
// takes regions, site groups, racks and cluster groups).
var vlanGroupScopes = map[string]string{"dcim.site": epSites, "dcim.location": epLocations, "virtualization.cluster": epClusters}

func vlanKinds() []*kindSpec {
	group := &kindSpec{
		Endpoint: epVLANGroups, ObjectType: "ipam.vlangroup", ModelName: "VLANGroup", Verbose: "VLAN group",
		Schema: "VLANGroup", Request: "VLANGroupRequest", Brief: "BriefVLANGroup",
		Defaults:  map[string]any{"vid_ranges": []any{[]any{int64(1), int64(4094)}}},
		Relations: map[string]onDelete{"tenant": protect},
		// VLANGroup.Meta.constraints: name and slug unique per scope; a group without a scope
		// has null scope fields, which never conflict.
		Unique: []uniqueRule{
			togetherUnique("VLAN group", "scope type", "scope id", "name")("scope_type", "scope_id", "name"),
			togetherUnique("VLAN group", "scope type", "scope id", "slug")("scope_type", "scope_id", "slug"),
		},
		Indexed: []string{"name", "slug"}, Search: []string{"name", "slug", "description"},
		Generic: []genericRelation{{Name: "scope", TypeField: "scope_type", IDField: "scope_id", Render: "scope", Targets: vlanGroupScopes}},
		Display: nameDisplay, Clean: cleanVLANGroup,
		Counts:   map[string]counter{"vlan_count": {Endpoint: epVLANs, Field: "group"}},
		Computed: map[string]func(*view, *object) any{"utilization": vlanGroupUtilization},
	}
	vlan := &kindSpec{
		Endpoint: epVLANs, ObjectType: "ipam.vlan", ModelName: "VLAN", Verbose: "VLAN",
		Schema: "VLAN", Request: "WritableVLANRequest", Brief: "BriefVLAN",
		Defaults: map[string]any{"status": "active"},
		// VLAN.group and VLAN.site are on_delete=PROTECT.
		Relations: map[string]onDelete{"group": protect, "site": protect, "tenant": protect},
		Unique: []uniqueRule{
			togetherUnique("VLAN", "group", "VLAN ID")("group", "vid"),
			togetherUnique("VLAN", "group", "name")("group", "name"),
		},
		Indexed: []string{"name", "vid"}, Search: []string{"name", "description"},
		Display: vlanDisplay, Clean: cleanVLAN,
		Counts: map[string]counter{"prefix_count": {Endpoint: epPrefixes, Field: "vlan"}},
	}
	return []*kindSpec{group, vlan}
}

// vlanGroupUtilization is VLANQuerySet.annotate_utilization: the group's VLANs as a share of
// the VIDs its ranges hold, in percent rounded to two places, rendered by a CharField.
func vlanGroupUtilization(v *view, o *object) any {
	total := vlanIDCount(o)
	if total == 0 {
		return nil
	}
	n := len(v.table(epVLANs).index("group", itoa(o.ID)))
	return fmt.Sprintf("%.2f", float64(n)*100/float64(total))
}

// vlanIDCount is VLANGroup.total_vlan_ids: how many VIDs its ranges hold.
func vlanIDCount(o *object) int64 {
	var total int64
	for _, r := range vidRanges(o.Fields["vid_ranges"]) {
		total += r[1] - r[0] + 1
	}
	return total
}

// vlanDisplay is VLAN.__str__: "name (vid)".
func vlanDisplay(_ *view, o *object) string {
	return fmt.Sprintf("%s (%d)", o.str("name"), o.id("vid"))
}

// cleanVLANGroup is VLANGroup.clean(): a scope needs both its type and its ID.
func cleanVLANGroup(_ *view, o, _ *object, errs fieldErrors) {
	typ, _ := o.Fields["scope_type"].(string)
	switch {
	case typ != "" && o.id("scope_id") == 0:
		errs.add("__all__", "Cannot set scope_type without scope_id.")
	case typ == "" && o.id("scope_id") != 0:
		errs.add("__all__", "Cannot set scope_id without scope_type.")
	}
}

// cleanVLAN is VLAN.clean(): the VID must lie in one of its group's ranges, and a VLAN of a
// site-scoped group may name only that site.
func cleanVLAN(v *view, o, _ *object, errs fieldErrors) {
	g := v.get(epVLANGroups, o.id("group"))
	if g == nil {
		return
	}
	if g.str("scope_type") == "dcim.site" && o.id("site") != 0 && o.id("site") != g.id("scope_id") {
		errs.add("__all__", fmt.Sprintf("VLAN is assigned to group %s (scope: %s); cannot also assign to site %s.",
			g.str("name"), v.get(epSites, g.id("scope_id")).str("name"), v.get(epSites, o.id("site")).str("name")))
		return
	}
	ranges := vidRanges(g.Fields["vid_ranges"])
	vid := o.id("vid")
	for _, r := range ranges {
		if vid >= r[0] && vid <= r[1] {
			return
		}
	}
	parts := make([]string, len(ranges))
	for i, r := range ranges {
		parts[i] = fmt.Sprintf("%d-%d", r[0], r[1])
	}
	errs.add("vid", fmt.Sprintf("VID must be in ranges %s for VLANs in group %s", strings.Join(parts, ", "), g.str("name")))
}

// vidRanges reads a group's vid_ranges ([[lower, upper], ...], inclusive) as stored.
func vidRanges(v any) [][2]int64 {
	var out [][2]int64
	list, _ := v.([]any)
	for _, r := range list {
		pair, _ := r.([]any)
		if len(pair) != 2 {
			continue
		}
		lo, hi := toInt64(pair[0]), toInt64(pair[1])
		out = append(out, [2]int64{lo, hi})
	}
	return out
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

// validateInterfaceVLANs is the 802.1Q part of InterfaceSerializer.validate: an interface
// without a mode takes no VLANs, access and tagged-all interfaces no tagged VLANs; on an
// update the values not in the body are the interface's own.
func validateInterfaceVLANs(_ *tx, _ map[string]any, o, _ *object, errs fieldErrors) {
	mode := o.str("mode")
	tagged := len(o.ids("tagged_vlans")) > 0
	switch {
	case mode != "q-in-q" && o.id("qinq_svlan") != 0:
		errs.add("qinq_svlan", "Interface mode does not support q-in-q service vlan")
	case mode == "" && o.id("untagged_vlan") != 0:
		errs.add("untagged_vlan", "Interface mode does not support untagged vlan")
	}
	if tagged && (mode == "" || mode == "access" || mode == "tagged-all") {
		errs.add("tagged_vlans", "Interface mode does not support tagged vlans")
	}
}

// cleanInterfaceVLANs is the VLAN part of Interface.clean and VMInterface.clean: the untagged
// VLAN is global or of the parent's site. It then does what BaseInterface.save does: an
// interface without a mode loses its untagged VLAN.
func cleanInterfaceVLANs(v *view, o *object, ep string, errs fieldErrors) {
	parentField, noun, parentEp := "device", "device", epDevices
	if ep == epVMInterfaces {
		parentField, noun, parentEp = "virtual_machine", "virtual machine", epVMs
	}
	if u := v.get(epVLANs, o.id("untagged_vlan")); u != nil && u.id("site") != 0 {
		if p := v.get(parentEp, o.id(parentField)); p == nil || p.id("site") != u.id("site") {
			errs.add("untagged_vlan", fmt.Sprintf("The untagged VLAN (%s) must belong to the same site as the interface's parent %s, or it must be global.",
				vlanDisplay(v, u), noun))
			return
		}
	}
	if o.str("mode") == "" {
		o.Fields["untagged_vlan"] = nil
	}
}
