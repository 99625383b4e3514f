package nbsim

import (
	"strconv"
	"strings"
)

// specialFilter compiles the filters that follow generic relations or other tables
// (assignments, scopes, parents, MACs of interfaces, addresses). ok is false when base is not
// one of them for this kind.
func (v *view) specialFilter(k *kindSpec, tb *table, base, lookup string, values []string) ([]filter, bool, string) {
	var g *genericRelation
	for i := range k.Generic {
		g = &k.Generic[i]
	}
	switch {
	case g != nil && base == g.TypeField:
		return []filter{{match: func(o *object) bool {
			return matchString(scalarString(o.Fields[g.TypeField]), lookup, values, false)
		}}}, true, ""
	case g != nil && base == g.IDField:
		if _, msg := parseIDs(values); msg != "" {
			return nil, false, msg
		}
		return []filter{{match: func(o *object) bool {
			return matchString(scalarString(o.Fields[g.IDField]), lookup, values, false)
		}}}, true, ""
	}
	if g != nil {
		var f []filter
		var ok bool
		var msg string
		switch g.Name {
		case "assigned_object":
			f, ok, msg = v.assignmentFilter(tb, base, lookup, values)
		case "parent":
			f, ok, msg = v.parentFilter(tb, base, lookup, values)
		case "scope":
			f, ok, msg = v.scopeFilter(tb, base, lookup, values)
		}
		if ok || msg != "" {
			return f, ok, msg
		}
	}
	switch {
	case base == "mac_address" && (k.Endpoint == epInterfaces || k.Endpoint == epVMInterfaces):
		macs := v.table(epMACs)
		var keys []string
		for _, val := range values {
			for _, id := range macs.index("mac_address", normalizeMAC(val)) {
				if key := macs.kind.Generic[0].key(macs.objs[id]); strings.HasPrefix(key, k.ObjectType+":") {
					keys = append(keys, strings.TrimPrefix(key, k.ObjectType+":"))
				}
			}
		}
		return []filter{idKeysFilter(keys, lookup == "n")}, true, ""
	case base == "address" && k.Endpoint == epIPs:
		return []filter{addressFilter(tb, lookup, values)}, true, ""
	case base == "family" && (k.Endpoint == epIPs || k.Endpoint == epPrefixes):
		return []filter{{match: func(o *object) bool {
			return matchString(scalarString(ipFamily(v, o)), lookup, values, false)
		}}}, true, ""
	}
	return nil, false, ""
}

func idKeysFilter(keys []string, negate bool) filter {
	set := map[string]bool{}
	var cand idList
	for _, key := range keys {
		if id, err := strconv.ParseInt(key, 10, 64); err == nil && !set[key] {
			set[key] = true
			cand = cand.insert(id)
		}
	}
	if negate {
		return filter{match: func(o *object) bool { return !set[itoa(o.ID)] }}
	}
	return filter{cand: cand, hasCand: true, match: func(o *object) bool { return set[itoa(o.ID)] }}
}

// assignmentFilter: interface_id, vminterface_id, device(_id), virtual_machine(_id) on IP and
// MAC addresses, all through the assigned interface.
func (v *view) assignmentFilter(tb *table, base, lookup string, values []string) ([]filter, bool, string) {
	var keys []string
	switch base {
	case "interface_id", "vminterface_id":
		ep, typ := epInterfaces, "dcim.interface"
		if base == "vminterface_id" {
			ep, typ = epVMInterfaces, "virtualization.vminterface"
		}
		ids, msg := parseIDs(values)
		if msg != "" {
			return nil, false, msg
		}
		for _, id := range ids {
			if v.get(ep, id) == nil {
				return nil, false, invalidChoice(itoa(id))
			}
			keys = append(keys, typ+":"+itoa(id))
		}
	case "device_id", "virtual_machine_id", "device", "virtual_machine":
		parentEp, ifaceEp, field, typ := epDevices, epInterfaces, "device", "dcim.interface"
		if strings.HasPrefix(base, "virtual_machine") {
			parentEp, ifaceEp, field, typ = epVMs, epVMInterfaces, "virtual_machine", "virtualization.vminterface"
		}
		var parents []int64
		if strings.HasSuffix(base, "_id") {
			ids, msg := parseIDs(values)
			if msg != "" {
				return nil, false, msg
			}
			parents = ids
		} else {
			for _, name := range values {
				parents = append(parents, v.table(parentEp).index("name", name)...)
			}
		}
		for _, p := range parents {
			for _, iface := range v.table(ifaceEp).index(field, itoa(p)) {
				keys = append(keys, typ+":"+itoa(iface))
			}
		}
	default:
		return nil, false, ""
	}
	return []filter{tb.keyFilter("assigned_object", keys, lookup == "n")}, true, ""
}

// parentFilter: device(_id) and virtual_machine(_id) on services.
func (v *view) parentFilter(tb *table, base, lookup string, values []string) ([]filter, bool, string) {
	typ, ep := "dcim.device", epDevices
	switch base {
	case "device_id", "device":
	case "virtual_machine_id", "virtual_machine":
		typ, ep = "virtualization.virtualmachine", epVMs
	default:
		return nil, false, ""
	}
	var ids []int64
	if strings.HasSuffix(base, "_id") {
		parsed, msg := parseIDs(values)
		if msg != "" {
			return nil, false, msg
		}
		ids = parsed
	} else {
		for _, name := range values {
			ids = append(ids, v.table(ep).index("name", name)...)
		}
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = typ + ":" + itoa(id)
	}
	return []filter{tb.keyFilter("parent", keys, lookup == "n")}, true, ""
}

// scopeFilter: site(_id) and location(_id) on clusters and prefixes, through their scope.
func (v *view) scopeFilter(tb *table, base, lookup string, values []string) ([]filter, bool, string) {
	target, byID := "", strings.HasSuffix(base, "_id")
	switch strings.TrimSuffix(base, "_id") {
	case "site":
		target = epSites
	case "location":
		target = epLocations
	default:
		return nil, false, ""
	}
	want := map[int64]bool{}
	for _, val := range values {
		var found []int64
		if byID {
			id, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return nil, false, "“" + val + "” is not a valid value."
			}
			if v.get(target, id) != nil {
				found = []int64{id}
			}
		} else {
			found = v.table(target).index("slug", val)
		}
		if len(found) == 0 {
			return nil, false, invalidChoice(val)
		}
		for _, id := range found {
			want[id] = true
		}
	}
	negate := lookup == "n"
	return []filter{{match: func(o *object) bool {
		var id int64
		if target == epSites {
			id = v.scopeSite(o)
		} else if o.Fields["scope_type"] == "dcim.location" {
			id = o.id("scope_id")
		}
		return want[id] != negate
	}}}, true, ""
}

// addressFilter is NetBox's net_in lookup: a value with a mask matches exactly, one without
// matches the host part.
func addressFilter(tb *table, lookup string, values []string) filter {
	if lookup != "" && lookup != "n" {
		return filter{match: func(o *object) bool { return matchString(o.str("address"), lookup, values, false) }}
	}
	exact := map[string]bool{}
	var hosts []string
	for _, val := range values {
		if strings.Contains(val, "/") {
			if a, ok := parseAddress(val, false); ok {
				exact[a] = true
				hosts = append(hosts, hostOf(a))
			}
			continue
		}
		hosts = append(hosts, hostOf(val))
	}
	f := tb.keyFilter("address", hosts, false)
	inner := f.match
	f.exact = false
	f.match = func(o *object) bool {
		return inner(o) && (exact[o.str("address")] || hostOnly(values, o.str("address")))
	}
	if lookup == "n" {
		return filter{match: func(o *object) bool { return !f.match(o) }}
	}
	return f
}

func hostOnly(values []string, addr string) bool {
	for _, val := range values {
		if !strings.Contains(val, "/") && hostOf(val) == hostOf(addr) {
			return true
		}
	}
	return false
}
