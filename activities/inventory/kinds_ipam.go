package inventory

import nb "github.com/netbox-community/go-netbox/v4"

// The ipam family: VLAN groups, VLANs, IP addresses and services.

func vlanGroup() Decl {
	// NetBox keeps a group's name and slug unique within its scope
	// (ipam/models/vlans.py VLANGroup: scope_type, scope_id, name); the
	// model scopes a group to a cluster.
	return Decl{Kind: KindVLANGroup, Doc: "A group of VLANs, unique by VID and name, scoped to a cluster.",
		Section: "vlan_groups", Name: "name", Key: []string{"name", "cluster"},
		NetBox: NetBoxObject{Endpoint: "ipam/vlan-groups", ObjectType: "ipam.vlangroup"},
		Fields: []Field{text("name").required(), slug(), text("description"),
			ref("cluster", KindCluster).generic("scope_type", "scope_id")}}
}

func vlan() Decl {
	// NetBox keeps a VID and a name unique within a group (VLAN: group,
	// vid and group, name); the model knows a VLAN by its group and VID.
	return Decl{Kind: KindVLAN, Doc: "An 802.1Q VLAN (VID 1-4094) of a VLAN group.",
		Section: "vlans", Parent: "group", Nested: []string{"vlans"},
		Name: "vid", Key: []string{"group", "vid"},
		NetBox: NetBoxObject{Endpoint: "ipam/vlans", ObjectType: "ipam.vlan"},
		Fields: []Field{integer("vid").required().between(1, 4094), text("name").required(),
			choice("status", nb.AllowedPatchedWritableVLANRequestStatusEnumValues), text("description"),
			ref("group", KindVLANGroup).required()}}
}

func ipAddress() Decl {
	// IP address + VRF: the host part decides, so that a hand-made
	// 10.0.0.5/32 is found for a record 10.0.0.5/24.
	return Decl{Kind: KindIPAddress, Doc: "An IP address with its prefix length, on an interface or on none.",
		Section: "ip_addresses", Parent: "interface", Nested: []string{"ips"},
		Name: "address", Key: []string{"address", "vrf"}, Unscoped: true,
		NetBox: NetBoxObject{Endpoint: "ipam/ip-addresses", ObjectType: "ipam.ipaddress"},
		Fields: []Field{ip("address").required(), choice("status", nb.AllowedIPAddressStatusValueEnumValues),
			text("dns_name"), text("description"), choice("role", nb.AllowedIPAddressRoleValueEnumValues),
			ref("interface", KindInterface, KindVMInterface).generic("assigned_object_type", "assigned_object_id"),
			ref("vrf").use(UseMatch)}}
}

func service() Decl {
	return Decl{Kind: KindService, Doc: "A service a device or virtual machine offers: a protocol and ports.",
		Section: "services", Parent: "parent", Nested: []string{"services"},
		Name: "name", Key: []string{"parent", "name"}, MergeKey: []string{"parent", "protocol", "name"},
		NetBox: NetBoxObject{Endpoint: "ipam/services", ObjectType: "ipam.service"},
		Fields: []Field{text("name").required(),
			choice("protocol", nb.AllowedPatchedWritableServiceRequestProtocolEnumValues).required(),
			ports("ports").required(), text("description"),
			ref("parent", KindDevice, KindVirtualMachine).required().generic("parent_object_type", "parent_object_id")}}
}
