package netbox

import (
	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// The dcim family: sites, locations, manufacturers, device types and roles,
// platforms, devices, interfaces and MAC addresses.
func init() {
	nameKeys := [][]string{{"name"}, {"slug"}}
	register(
		&kindSpec{
			Kind: inventory.KindSite, Endpoint: "dcim/sites", ObjectType: "dcim.site",
			Fields:      []field{str("name"), slug("name"), choice("status", "active"), str("description")},
			NaturalKeys: nameKeys, FetchAll: true,
			checkCreate: decodeAs[nb.WritableSiteRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableSiteRequest](),
		},
		&kindSpec{
			Kind: inventory.KindLocation, Endpoint: "dcim/locations", ObjectType: "dcim.location",
			Fields: []field{str("name"), slug("name"), str("description"),
				requiredRef("site", inventory.KindSite)},
			NaturalKeys: [][]string{{"site", "name"}, {"site", "slug"}}, FetchAll: true,
			checkCreate: decodeAs[nb.WritableLocationRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableLocationRequest](),
		},
		&kindSpec{
			Kind: inventory.KindManufacturer, Endpoint: "dcim/manufacturers", ObjectType: "dcim.manufacturer",
			Fields:      []field{str("name"), slug("name"), str("description")},
			NaturalKeys: nameKeys, FetchAll: true,
			checkCreate: decodeAs[nb.ManufacturerRequest](),
			checkUpdate: decodeAs[nb.PatchedManufacturerRequest](),
		},
		&kindSpec{
			Kind: inventory.KindDeviceType, Endpoint: "dcim/device-types", ObjectType: "dcim.devicetype",
			Fields: []field{str("model"), slug("model"), str("part_number"),
				{Name: "u_height", Type: typeFloat}, str("description"),
				requiredRef("manufacturer", inventory.KindManufacturer)},
			NaturalKeys: [][]string{{"manufacturer", "model"}, {"manufacturer", "slug"}}, FetchAll: true,
			checkCreate: decodeAs[nb.WritableDeviceTypeRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableDeviceTypeRequest](),
		},
		&kindSpec{
			Kind: inventory.KindDeviceRole, Endpoint: "dcim/device-roles", ObjectType: "dcim.devicerole",
			Fields: []field{str("name"), slug("name"), {Name: "color", Type: typeColor},
				boolean("vm_role"), str("description")},
			NaturalKeys: nameKeys, FetchAll: true,
			checkCreate: decodeAs[nb.WritableDeviceRoleRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableDeviceRoleRequest](),
		},
		&kindSpec{
			Kind: inventory.KindPlatform, Endpoint: "dcim/platforms", ObjectType: "dcim.platform",
			Fields: []field{str("name"), slug("name"), str("description"),
				ref("manufacturer", inventory.KindManufacturer)},
			// From 4.4 a platform's name and slug are unique per manufacturer
			// (one without a manufacturer counts as its own scope), so a name
			// alone may match several.
			NaturalKeys: nameKeys, FetchAll: true,
			ScopedKeys:  [][]string{{"manufacturer", "name"}, {"manufacturer", "slug"}},
			Scoped:      Version.platformsPerManufacturer,
			checkCreate: decodeAs[nb.PlatformRequest](),
			checkUpdate: decodeAs[nb.PatchedPlatformRequest](),
		},
		&kindSpec{
			Kind: inventory.KindDevice, Endpoint: "dcim/devices", ObjectType: "dcim.device",
			Fields: []field{str("name"), str("serial"), str("asset_tag"), choice("status", "active"),
				str("description"), str("comments"),
				requiredRef("site", inventory.KindSite), ref("location", inventory.KindLocation),
				requiredRef("device_type", inventory.KindDeviceType), requiredRef("role", inventory.KindDeviceRole),
				ref("platform", inventory.KindPlatform), ref("cluster", inventory.KindCluster),
				primaryIP("primary_ip4", 4), primaryIP("primary_ip6", 6)},
			NaturalKeys: [][]string{{"name", "site"}},
			MatchSerial: true, MatchMAC: true,
			Candidates:   []candidateQuery{{Param: "name", Field: "name"}},
			OrphanStatus: "offline",
			checkCreate:  decodeAs[nb.WritableDeviceWithConfigContextRequest](),
			checkUpdate:  decodeAs[nb.PatchedWritableDeviceWithConfigContextRequest](),
		},
		&kindSpec{
			Kind: inventory.KindInterface, Endpoint: "dcim/interfaces", ObjectType: "dcim.interface",
			Fields: []field{str("name"), choice("type", "other"), boolean("enabled"), integer("mtu"),
				str("description"), boolean("mgmt_only"),
				requiredRef("device", inventory.KindDevice),
				ref("parent", inventory.KindInterface), ref("bridge", inventory.KindInterface),
				ref("lag", inventory.KindInterface), primaryMAC()},
			NaturalKeys:    [][]string{{"device", "name"}},
			MatchMAC:       true,
			Candidates:     []candidateQuery{{Param: "device_id", Field: "device"}},
			CreateDefaults: map[string]any{"type": "other"},
			checkCreate:    decodeAs[nb.WritableInterfaceRequest](),
			checkUpdate:    decodeAs[nb.PatchedWritableInterfaceRequest](),
		},
		&kindSpec{
			Kind: inventory.KindMACAddress, Endpoint: "dcim/mac-addresses", ObjectType: "dcim.macaddress",
			Fields: []field{{Name: "mac_address", Type: typeMAC}, str("description"),
				generic("interface", "assigned_object_type", "assigned_object_id", false,
					inventory.KindInterface, inventory.KindVMInterface)},
			NaturalKeys: [][]string{{"mac_address", "assigned_object_id"}},
			Candidates:  []candidateQuery{{Param: "mac_address", Field: "mac_address"}},
			checkCreate: decodeAs[nb.MACAddressRequest](),
			checkUpdate: decodeAs[nb.PatchedMACAddressRequest](),
		},
	)
}
