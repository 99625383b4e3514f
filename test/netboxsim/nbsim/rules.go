package nbsim

import (
	"fmt"
)

// This file holds the rules of NetBox's models that tables cannot express: clean() checks,
// computed read-only fields and the signals that keep derived values current.

func taggedItems(v *view, o *object) any {
	n := 0
	for _, t := range v.st.tables {
		n += len(t.index("tags", itoa(o.ID)))
	}
	return int64(n)
}

// treeDepth computes _depth, the number of ancestors, for the nested kinds at endpoint.
func treeDepth(endpoint string) func(*view, *object) any {
	return func(v *view, o *object) any {
		depth := int64(0)
		for p := v.get(endpoint, o.id("parent")); p != nil && depth < 100; p = v.get(endpoint, p.id("parent")) {
			depth++
		}
		return depth
	}
}

// primaryIP is NetBox's primary_ip property with PREFER_IPV4 off: IPv6 first.
func primaryIP(_ *view, o *object) any {
	if id := o.id("primary_ip6"); id != 0 {
		return id
	}
	if id := o.id("primary_ip4"); id != 0 {
		return id
	}
	return nil
}

func interfaceMAC(v *view, o *object) any {
	if m := v.get(epMACs, o.id("primary_mac_address")); m != nil {
		return m.str("mac_address")
	}
	return nil
}

func (v *view) ifaceType(o *object) string {
	if _, ok := o.Fields["virtual_machine"]; ok {
		return "virtualization.vminterface"
	}
	return "dcim.interface"
}

func interfaceMACs(v *view, o *object) any {
	return []int64(v.table(epMACs).index("assigned_object", v.ifaceType(o)+":"+itoa(o.ID)))
}

func clusterSum(field string) func(*view, *object) any {
	return func(v *view, o *object) any {
		var sum float64
		found := false
		for _, id := range v.table(epVMs).index("cluster", itoa(o.ID)) {
			switch x := v.get(epVMs, id).Fields[field].(type) {
			case int64:
				sum += float64(x)
				found = true
			case float64:
				sum += x
				found = true
			}
		}
		if !found {
			return nil
		}
		if field == "vcpus" {
			return sum
		}
		return int64(sum)
	}
}

func cleanLocation(v *view, o, _ *object, errs fieldErrors) {
	if p := v.get(epLocations, o.id("parent")); p != nil && p.id("site") != o.id("site") {
		site := v.get(epSites, o.id("site"))
		errs.add("__all__", fmt.Sprintf("Parent location (%s) must belong to the same site (%s).", p.str("name"), site.str("name")))
	}
}

// assignedTo reports whether ip is assigned to an interface (of ifaceEndpoint) of the device or VM parentID.
func (v *view) assignedTo(ip *object, ifaceEndpoint, parentField string, parentID int64) bool {
	typ, _ := ip.Fields["assigned_object_type"].(string)
	iface := v.get(interfaceTargets[typ], ip.id("assigned_object_id"))
	return iface != nil && interfaceTargets[typ] == ifaceEndpoint && iface.id(parentField) == parentID && parentID != 0
}

// checkPrimaryIPs applies Device.clean() and VirtualMachine.clean()'s primary IP rules.
func checkPrimaryIPs(v *view, o *object, ifaceEndpoint, parentField, noun string, errs fieldErrors) {
	for _, fam := range []int64{4, 6} {
		field := fmt.Sprintf("primary_ip%d", fam)
		ip := v.get(epIPs, o.id(field))
		if ip == nil {
			continue
		}
		addr := ip.str("address")
		if got := familyOf(addr); got != fam {
			if noun == "device" {
				errs.add(field, fmt.Sprintf("%s is not an IPv%d address.", addr, fam))
			} else {
				errs.add(field, fmt.Sprintf("Must be an IPv%d address. (%s is an IPv%d address.)", fam, addr, got))
			}
			continue
		}
		ok := v.assignedTo(ip, ifaceEndpoint, parentField, o.ID)
		if nat := v.get(epIPs, ip.id("nat_inside")); !ok && nat != nil {
			ok = v.assignedTo(nat, ifaceEndpoint, parentField, o.ID)
		}
		if !ok {
			errs.add(field, fmt.Sprintf("The specified IP address (%s) is not assigned to this %s.", addr, noun))
		}
	}
}

// scopeSite is the site a cluster or prefix is scoped to (directly or through a location).
func (v *view) scopeSite(o *object) int64 {
	switch o.Fields["scope_type"] {
	case "dcim.site":
		return o.id("scope_id")
	case "dcim.location":
		if l := v.get(epLocations, o.id("scope_id")); l != nil {
			return l.id("site")
		}
	}
	return 0
}

func cleanDevice(v *view, o, old *object, errs fieldErrors) {
	if l := v.get(epLocations, o.id("location")); l != nil && l.id("site") != o.id("site") {
		errs.add("location", fmt.Sprintf("Location %s does not belong to site %s.", l.str("name"), v.get(epSites, o.id("site")).str("name")))
	}
	checkPrimaryIPs(v, o, epInterfaces, "device", "device", errs)
	if ip := v.get(epIPs, o.id("oob_ip")); ip != nil && !v.assignedTo(ip, epInterfaces, "device", o.ID) {
		errs.add("oob_ip", fmt.Sprintf("The specified IP address (%s) is not assigned to this device.", ip.str("address")))
	}
	if p := v.get(epPlatforms, o.id("platform")); p != nil && p.id("manufacturer") != 0 {
		dt := v.get(epDeviceTypes, o.id("device_type"))
		if dt != nil && dt.id("manufacturer") != p.id("manufacturer") {
			errs.add("platform", fmt.Sprintf("The assigned platform is limited to %s device types, but this device's type belongs to %s.",
				v.get(epManufacturers, p.id("manufacturer")).str("name"), v.get(epManufacturers, dt.id("manufacturer")).str("name")))
		}
	}
	if c := v.get(epClusters, o.id("cluster")); c != nil {
		if s := v.scopeSite(c); s != 0 && s != o.id("site") {
			errs.add("cluster", fmt.Sprintf("The assigned cluster belongs to a different site (%s)", v.get(epSites, s).str("name")))
		}
	}
	// Device.save(): a new device takes what it lacks of its type's airflow, cooling method (4.7)
	// and default platform.
	if dt := v.get(epDeviceTypes, o.id("device_type")); old == nil && dt != nil {
		for field, from := range map[string]string{"airflow": "airflow", "cooling_method": "cooling_method", "platform": "default_platform"} {
			if scalarString(o.Fields[field]) == "" && dt.Fields[from] != nil {
				o.Fields[field] = dt.Fields[from]
			}
		}
	}
}

// cleanCluster is the (_site, name) constraint as full_clean() checks it: on an update, with the
// site the cluster had (Cluster._site is cached on save). A new cluster's _site is not set
// until it is saved, so PostgreSQL refuses a duplicate then (afterCluster).
func cleanCluster(v *view, o, old *object, errs fieldErrors) {
	if old == nil {
		return
	}
	if site := v.scopeSite(old); site != 0 && v.clusterNamed(o.str("name"), site, o.ID) != nil {
		errs.add("__all__", "Cluster with this  site and Name already exists.")
	}
}

// clusterNamed is another cluster than self with name at site.
func (v *view) clusterNamed(name string, site, self int64) *object {
	for _, id := range v.table(epClusters).index("name", name) {
		if c := v.get(epClusters, id); id != self && v.scopeSite(c) == site {
			return c
		}
	}
	return nil
}

// afterVirtualDisk keeps the VM's disk equal to the sum of its virtual disks, as NetBox's
// update_virtualmachine_disk signal does.
func afterVirtualDisk(t *tx, o, old *object) {
	for _, x := range []*object{o, old} {
		if x == nil {
			continue
		}
		vm := t.get(epVMs, x.id("virtual_machine"))
		if vm == nil {
			continue
		}
		var total int64
		ids := t.table(epVirtualDisks).index("virtual_machine", itoa(vm.ID))
		for _, id := range ids {
			total += t.get(epVirtualDisks, id).id("size")
		}
		var disk any
		if len(ids) > 0 {
			disk = total
		}
		if vm.Fields["disk"] != disk {
			c := vm.clone()
			c.Fields["disk"] = disk
			t.replaceQuiet(epVMs, c)
		}
	}
}

// afterCluster moves the cluster's VMs to the cluster's site, as NetBox's
// update_virtualmachine_site signal does.
func afterCluster(t *tx, o, old *object) {
	if o == nil {
		return
	}
	site := t.scopeSite(o)
	if site == 0 {
		return
	}
	if old == nil && t.clusterNamed(o.str("name"), site, o.ID) != nil {
		t.fail("IntegrityError", fmt.Sprintf("duplicate key value violates unique constraint \"virtualization_cluster_unique__site_name\"\n"+
			"DETAIL:  Key (_site_id, name)=(%d, %s) already exists.", site, o.str("name")))
	}
	for _, id := range t.table(epVMs).index("cluster", itoa(o.ID)) {
		vm := t.get(epVMs, id)
		if vm.id("site") != site {
			c := vm.clone()
			c.Fields["site"] = site
			t.replaceQuiet(epVMs, c)
		}
	}
}
