package inventory

import nb "github.com/netbox-community/go-netbox/v4"

// The ipam family: IP addresses and services.

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
