package nbsim

import "fmt"

// The rules of NetBox's VirtualMachine model (virtualization/models/virtualmachines.py).

// cleanVM is VirtualMachine.clean(), up to its first error as NetBox raises it, and the site
// VirtualMachine.save() derives from the cluster (from 4.6 also from the host device).
func cleanVM(v *view, o, old *object, errs fieldErrors) {
	standalone := v.st.cat.rel.standaloneVMHosts()
	if standalone {
		cleanVMHost(v, o, errs)
	} else {
		cleanVMHostInCluster(v, o, errs)
	}
	if len(errs) > 0 {
		return
	}
	if old != nil {
		var total int64
		for _, id := range v.table(epVirtualDisks).index("virtual_machine", itoa(o.ID)) {
			total += v.get(epVirtualDisks, id).id("size")
		}
		if total != 0 {
			if o.Fields["disk"] == nil {
				o.Fields["disk"] = total
			} else if o.id("disk") != total {
				errs.add("disk", fmt.Sprintf("The specified disk size (%d) must match the aggregate size of assigned virtual disks (%d).", o.id("disk"), total))
				return
			}
		}
	}
	checkPrimaryIPs(v, o, epVMInterfaces, "virtual_machine", "VM", errs)
	if o.Fields["site"] != nil {
		return
	}
	if c := v.get(epClusters, o.id("cluster")); c != nil && v.scopeSite(c) != 0 {
		o.Fields["site"] = v.scopeSite(c)
	} else if dev := v.get(epDevices, o.id("device")); standalone && dev != nil && dev.id("site") != 0 {
		o.Fields["site"] = dev.id("site")
	}
}

// cleanVMHostInCluster: up to 4.5 a VM has a site or a cluster, and a host device only within
// its cluster.
func cleanVMHostInCluster(v *view, o *object, errs fieldErrors) {
	cluster := v.get(epClusters, o.id("cluster"))
	dev := v.get(epDevices, o.id("device"))
	switch {
	case o.Fields["site"] == nil && cluster == nil:
		errs.add("cluster", "A virtual machine must be assigned to a site and/or cluster.")
	case cluster != nil && v.scopeSite(cluster) != 0 && o.Fields["site"] != nil && v.scopeSite(cluster) != o.id("site"):
		errs.add("cluster", fmt.Sprintf("The selected cluster (%s) is not assigned to this site (%s).",
			cluster.str("name"), v.get(epSites, o.id("site")).str("name")))
	case dev != nil && cluster == nil:
		errs.add("device", "Must specify a cluster when assigning a host device.")
	case dev != nil && dev.id("cluster") != cluster.ID:
		errs.add("device", fmt.Sprintf("The selected device (%s) is not assigned to this cluster (%s).",
			deviceDisplay(v, dev), cluster.str("name")))
	}
}

// cleanVMHost: from 4.6 a VM has a site, a cluster or a device; a device outside any cluster
// hosts VMs of its own, one in a cluster only that cluster's.
func cleanVMHost(v *view, o *object, errs fieldErrors) {
	cluster := v.get(epClusters, o.id("cluster"))
	dev := v.get(epDevices, o.id("device"))
	site := v.get(epSites, o.id("site"))
	switch {
	case site == nil && cluster == nil && dev == nil:
		errs.add("__all__", "A virtual machine must be assigned to a site, cluster, or device.")
	case cluster != nil && site != nil && v.scopeSite(cluster) != 0 && v.scopeSite(cluster) != site.ID:
		errs.add("cluster", fmt.Sprintf("The selected cluster (%s) is not assigned to this site (%s).",
			cluster.str("name"), site.str("name")))
	case dev != nil && site != nil && dev.id("site") != 0 && dev.id("site") != site.ID:
		errs.add("site", fmt.Sprintf("The selected device (%s) is not assigned to this site (%s).",
			deviceDisplay(v, dev), site.str("name")))
	case dev != nil && cluster == nil && dev.id("cluster") != 0:
		errs.add("cluster", fmt.Sprintf("Must specify the assigned device's cluster (%s) when assigning host device %s.",
			v.get(epClusters, dev.id("cluster")).str("name"), deviceDisplay(v, dev)))
	case dev != nil && cluster != nil && dev.id("cluster") != cluster.ID:
		errs.add("device", fmt.Sprintf("The selected device (%s) is not assigned to this cluster (%s).",
			deviceDisplay(v, dev), cluster.str("name")))
	}
}
