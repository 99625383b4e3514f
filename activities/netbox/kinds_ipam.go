package netbox

import (
	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// The ipam family: IP addresses and services.
func init() {
	register(
		&kindSpec{
			Kind: inventory.KindIPAddress, Endpoint: "ipam/ip-addresses", ObjectType: "ipam.ipaddress",
			Fields: []field{{Name: "address", Type: typeIP}, choice("status", "active"), str("dns_name"),
				str("description"), choice("role", "loopback"),
				generic("interface", "assigned_object_type", "assigned_object_id", false,
					inventory.KindInterface, inventory.KindVMInterface),
				{Name: "vrf", Type: typeRef, KeyOnly: true}},
			// IP address + VRF: the host part decides, so that a hand-made
			// 10.0.0.5/32 is found for a record 10.0.0.5/24.
			NaturalKeys:  [][]string{{"address", "vrf"}},
			Candidates:   []candidateQuery{{Param: "address", Field: "address"}},
			OrphanStatus: "deprecated",
			checkCreate:  decodeAs[nb.WritableIPAddressRequest](),
			checkUpdate:  decodeAs[nb.PatchedWritableIPAddressRequest](),
		},
		&kindSpec{
			Kind: inventory.KindService, Endpoint: "ipam/services", ObjectType: "ipam.service",
			Fields: []field{str("name"), choice("protocol", "tcp"), {Name: "ports", Type: typeIntList},
				str("description"),
				generic("parent", "parent_object_type", "parent_object_id", true,
					inventory.KindDevice, inventory.KindVirtualMachine)},
			NaturalKeys: [][]string{{"parent_object_id", "name"}},
			Candidates: []candidateQuery{{Field: "parent_object_id", ParamFor: map[string]string{
				"dcim.device": "device_id", "virtualization.virtualmachine": "virtual_machine_id"}}},
			checkCreate: decodeAs[nb.WritableServiceRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableServiceRequest](),
		},
	)
}
