package netbox

import (
	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// dcimExtras: sites, locations, manufacturers, device types and roles,
// platforms, devices, interfaces and MAC addresses. Their fields and keys
// are declared in inventory (kinds_dcim.go there).
func dcimExtras() map[inventory.Kind]extras {
	return map[inventory.Kind]extras{
		inventory.KindSite: {
			checkCreate: decodeAs[nb.WritableSiteRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableSiteRequest](),
		},
		inventory.KindLocation: {
			checkCreate: decodeAs[nb.WritableLocationRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableLocationRequest](),
		},
		inventory.KindManufacturer: {
			checkCreate: decodeAs[nb.ManufacturerRequest](),
			checkUpdate: decodeAs[nb.PatchedManufacturerRequest](),
		},
		inventory.KindDeviceType: {
			checkCreate: decodeAs[nb.WritableDeviceTypeRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableDeviceTypeRequest](),
		},
		inventory.KindDeviceRole: {
			checkCreate: decodeAs[nb.WritableDeviceRoleRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableDeviceRoleRequest](),
		},
		inventory.KindPlatform: {
			// From 4.4 a platform's name and slug are unique per manufacturer
			// (one without a manufacturer counts as its own scope), so a name
			// alone may match several.
			scopedFrom:  Version.platformsPerManufacturer,
			checkCreate: decodeAs[nb.PlatformRequest](),
			checkUpdate: decodeAs[nb.PatchedPlatformRequest](),
		},
		inventory.KindDevice: {
			candidates:   []candidateQuery{{Param: "name", Field: "name"}},
			orphanStatus: "offline",
			checkCreate:  decodeAs[nb.WritableDeviceWithConfigContextRequest](),
			checkUpdate:  decodeAs[nb.PatchedWritableDeviceWithConfigContextRequest](),
		},
		inventory.KindInterface: {
			candidates:     []candidateQuery{{Param: "device_id", Field: "device"}},
			createDefaults: map[string]any{"type": "other"},
			checkCreate:    decodeAs[nb.WritableInterfaceRequest](),
			checkUpdate:    decodeAs[nb.PatchedWritableInterfaceRequest](),
		},
		inventory.KindMACAddress: {
			candidates:  []candidateQuery{{Param: "mac_address", Field: "mac_address"}},
			checkCreate: decodeAs[nb.MACAddressRequest](),
			checkUpdate: decodeAs[nb.PatchedMACAddressRequest](),
		},
	}
}
