package inventory

import nb "github.com/netbox-community/go-netbox/v4"

// The virtualization family: cluster types, clusters, virtual machines,
// their interfaces and disks.

func clusterType() Decl {
	return Decl{Kind: KindClusterType, Doc: "A kind of cluster: Proxmox VE, TrueNAS.",
		Shared: true, Section: "cluster_types", Name: "name", Key: []string{"name"},
		NetBox: NetBoxObject{Endpoint: "virtualization/cluster-types", ObjectType: "virtualization.clustertype"},
		Fields: []Field{text("name").required(), slug(), text("description")}}
}

func cluster() Decl {
	// NetBox objects are found by name; sources' clusters are joined by
	// name within their type.
	return Decl{Kind: KindCluster, Doc: "A cluster of hypervisors that runs virtual machines.",
		Section: "clusters", Name: "name", Key: []string{"name"}, MergeKey: []string{"type", "name"},
		NetBox: NetBoxObject{Endpoint: "virtualization/clusters", ObjectType: "virtualization.cluster"},
		Fields: []Field{text("name").required(), choice("status", nb.AllowedClusterStatusValueEnumValues),
			text("description"), text("comments").use(UseInventory),
			ref("type", KindClusterType).required(),
			// The model names the cluster's site; NetBox 4.2+ stores it as the scope.
			ref("site", KindSite).generic("scope_type", "scope_id")}}
}

func virtualMachine() Decl {
	return Decl{Kind: KindVirtualMachine, Doc: "A virtual machine or container.",
		Section: "virtual_machines", Nested: []string{"virtual_machines"}, NestedBy: "cluster",
		Name: "name", Key: []string{"name", "cluster"},
		NetBox: NetBoxObject{Endpoint: "virtualization/virtual-machines", ObjectType: "virtualization.virtualmachine"},
		Fields: []Field{text("name").required(),
			choice("status", nb.AllowedPatchedWritableVirtualMachineWithConfigContextRequestStatusEnumValues),
			number("vcpus"), megabytes("memory"), text("description"), text("comments"),
			ref("cluster", KindCluster), ref("site", KindSite), ref("device", KindDevice),
			ref("role", KindDeviceRole), ref("platform", KindPlatform),
			ref("primary_ip4", KindIPAddress).sameHost(), ref("primary_ip6", KindIPAddress).sameHost()}}
}

func vmInterface() Decl {
	return Decl{Kind: KindVMInterface, Doc: "A network interface of a virtual machine.",
		Section: "vm_interfaces", Parent: "virtual_machine", Nested: []string{"interfaces"},
		Name: "name", Key: []string{"virtual_machine", "name"},
		NetBox: NetBoxObject{Endpoint: "virtualization/interfaces", ObjectType: "virtualization.vminterface"},
		Fields: []Field{text("name").required(), boolean("enabled"), integer("mtu"), text("description"),
			ref("virtual_machine", KindVirtualMachine).required(),
			ref("parent", KindVMInterface).sameHost(), ref("bridge", KindVMInterface).sameHost(),
			ifaceMode(), ref("untagged_vlan", KindVLAN),
			ref("primary_mac_address", KindMACAddress).use(UseDerived)}}
}

func virtualDisk() Decl {
	return Decl{Kind: KindVirtualDisk, Doc: "A disk of a virtual machine, its size in MB.",
		Section: "virtual_disks", Parent: "virtual_machine", Nested: []string{"disks"},
		Name: "name", Key: []string{"virtual_machine", "name"},
		NetBox: NetBoxObject{Endpoint: "virtualization/virtual-disks", ObjectType: "virtualization.virtualdisk"},
		Fields: []Field{text("name").required(), megabytes("size").required(), text("description"),
			ref("virtual_machine", KindVirtualMachine).required()}}
}
