package netbox

import (
	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// ipamExtras: VLAN groups, VLANs, IP addresses and services. Their fields and keys are
// declared in inventory (kinds_ipam.go there).
func ipamExtras() map[inventory.Kind]extras {
	return map[inventory.Kind]extras{
		inventory.KindVLANGroup: {
			candidates:  []candidateQuery{{Param: "name", Field: "name"}},
			checkCreate: decodeAs[nb.VLANGroupRequest](),
			checkUpdate: decodeAs[nb.PatchedVLANGroupRequest](),
		},
		inventory.KindVLAN: {
			candidates:   []candidateQuery{{Param: "group_id", Field: "group"}},
			orphanStatus: "deprecated",
			checkCreate:  decodeAs[nb.WritableVLANRequest](),
			checkUpdate:  decodeAs[nb.PatchedWritableVLANRequest](),
		},
		inventory.KindIPAddress: {
			candidates:   []candidateQuery{{Param: "address", Field: "address"}},
			orphanStatus: "deprecated",
			checkCreate:  decodeAs[nb.WritableIPAddressRequest](),
			checkUpdate:  decodeAs[nb.PatchedWritableIPAddressRequest](),
		},
		inventory.KindService: {
			candidates: []candidateQuery{{Field: "parent_object_id", ParamFor: map[string]string{
				"dcim.device": "device_id", "virtualization.virtualmachine": "virtual_machine_id"}}},
			checkCreate: decodeAs[nb.WritableServiceRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableServiceRequest](),
		},
	}
}
