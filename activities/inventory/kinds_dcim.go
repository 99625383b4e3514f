package inventory

import nb "github.com/netbox-community/go-netbox/v4"

// The dcim family: sites, locations, manufacturers, device types and roles,
// platforms, devices, interfaces and MAC addresses.

func site() Decl {
	return Decl{Kind: KindSite, Doc: "A site: a building, campus or home that holds devices.",
		Shared: true, Section: "sites", Name: "name", Key: []string{"name"},
		NetBox: NetBoxObject{Endpoint: "dcim/sites", ObjectType: "dcim.site"},
		Fields: []Field{text("name").required(), slug(),
			choice("status", nb.AllowedLocationStatusValueEnumValues), text("description")}}
}

func location() Decl {
	return Decl{Kind: KindLocation, Doc: "A location within a site: a room, a floor, a rack row.",
		Shared: true, Section: "locations", Name: "name", Key: []string{"site", "name"},
		NetBox: NetBoxObject{Endpoint: "dcim/locations", ObjectType: "dcim.location"},
		Fields: []Field{text("name").required(), slug(), text("description"),
			ref("site", KindSite).required(), ref("parent", KindLocation)}}
}

func manufacturer() Decl {
	return Decl{Kind: KindManufacturer, Doc: "A maker of devices and platforms.",
		Shared: true, Section: "manufacturers", Name: "name", Key: []string{"name"},
		NetBox: NetBoxObject{Endpoint: "dcim/manufacturers", ObjectType: "dcim.manufacturer"},
		Fields: []Field{text("name").required(), slug(), text("description")}}
}

func deviceType() Decl {
	return Decl{Kind: KindDeviceType, Doc: "A model of device, by its manufacturer.",
		Shared: true, Section: "device_types", Name: "model", Key: []string{"manufacturer", "model"},
		NetBox: NetBoxObject{Endpoint: "dcim/device-types", ObjectType: "dcim.devicetype"},
		Fields: []Field{text("model").required(), slug(), text("part_number"), number("u_height"),
			text("description"), ref("manufacturer", KindManufacturer).required()}}
}

func deviceRole() Decl {
	return Decl{Kind: KindDeviceRole, Doc: "What a device or virtual machine does: hypervisor, storage, switch.",
		Shared: true, Section: "device_roles", Name: "name", Key: []string{"name"},
		NetBox: NetBoxObject{Endpoint: "dcim/device-roles", ObjectType: "dcim.devicerole"},
		Fields: []Field{text("name").required(), slug(), color("color"), boolean("vm_role"),
			text("description")}}
}

func platform() Decl {
	// NetBox 4.4 made a platform's name unique per manufacturer; before, it
	// was unique alone (the NetBox mapping drops the scope there).
	return Decl{Kind: KindPlatform, Doc: "An operating system or firmware, optionally by its manufacturer.",
		Shared: true, Section: "platforms", Name: "name", Key: []string{"manufacturer", "name"},
		NetBox: NetBoxObject{Endpoint: "dcim/platforms", ObjectType: "dcim.platform"},
		Fields: []Field{text("name").required(), slug(), text("description"),
			ref("manufacturer", KindManufacturer)}}
}

func device() Decl {
	return Decl{Kind: KindDevice, Doc: "A physical machine: a server, NAS, switch or appliance.",
		Section: "devices", Nested: []string{"devices"}, NestedBy: "cluster",
		Name: "name", Key: []string{"name", "site"},
		NetBox: NetBoxObject{Endpoint: "dcim/devices", ObjectType: "dcim.device"},
		Fields: []Field{text("name").required(), serial("serial").identifies(), serial("asset_tag"),
			choice("status", nb.AllowedDeviceStatusValueEnumValues), text("description"), text("comments"),
			ref("site", KindSite).required(), ref("location", KindLocation),
			ref("device_type", KindDeviceType).required().qualifiedBy("manufacturer"),
			ref("role", KindDeviceRole).required(), ref("platform", KindPlatform), ref("cluster", KindCluster),
			ref("primary_ip4", KindIPAddress).sameHost(), ref("primary_ip6", KindIPAddress).sameHost()}}
}

func iface() Decl {
	return Decl{Kind: KindInterface, Doc: "A network interface of a device.",
		Section: "interfaces", Parent: "device", Nested: []string{"interfaces"},
		Name: "name", Key: []string{"device", "name"},
		NetBox: NetBoxObject{Endpoint: "dcim/interfaces", ObjectType: "dcim.interface"},
		Fields: []Field{text("name").required(),
			choice("type", nb.AllowedInterfaceTypeValueEnumValues).openChoices(),
			boolean("enabled"), integer("mtu"), text("description"), boolean("mgmt_only"),
			ref("device", KindDevice).required(),
			ref("parent", KindInterface).sameHost(), ref("bridge", KindInterface).sameHost(),
			ref("lag", KindInterface).sameHost(), ifaceMode(), ref("untagged_vlan", KindVLAN),
			ref("primary_mac_address", KindMACAddress).use(UseDerived)}}
}

// ifaceMode is an interface's 802.1Q mode; NetBox refuses an untagged
// VLAN on an interface without one (dcim/api/serializers_/device_components.py
// InterfaceSerializer.validate) and drops it on save (BaseInterface.save).
// Releases may add modes (q-in-q came in 4.2), so its values stay open.
func ifaceMode() Field {
	return choice("mode", nb.AllowedPatchedWritableInterfaceRequestModeEnumValues).openChoices()
}

func macAddress() Decl {
	return Decl{Kind: KindMACAddress, Doc: "The MAC address of an interface.",
		Section: "mac_addresses", Parent: "interface", Nested: []string{"mac", "mac_address"},
		Name: "mac_address", Key: []string{"mac_address", "interface"},
		NetBox: NetBoxObject{Endpoint: "dcim/mac-addresses", ObjectType: "dcim.macaddress"},
		Fields: []Field{mac("mac_address").required(), text("description"),
			ref("interface", KindInterface, KindVMInterface).generic("assigned_object_type", "assigned_object_id")}}
}
