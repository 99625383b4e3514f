package netbox

import (
	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// virtualizationExtras: cluster types, clusters, virtual machines, their
// interfaces and disks. Their fields and keys are declared in inventory
// (kinds_virtualization.go there).
func virtualizationExtras() map[inventory.Kind]extras {
	return map[inventory.Kind]extras{
		inventory.KindClusterType: {
			checkCreate: decodeAs[nb.ClusterTypeRequest](),
			checkUpdate: decodeAs[nb.PatchedClusterTypeRequest](),
		},
		inventory.KindCluster: {
			candidates:   []candidateQuery{{Param: "name", Field: "name"}},
			orphanStatus: "offline",
			checkCreate:  decodeAs[nb.WritableClusterRequest](),
			checkUpdate:  decodeAs[nb.PatchedWritableClusterRequest](),
		},
		inventory.KindVirtualMachine: {
			candidates:   []candidateQuery{{Param: "name", Field: "name"}},
			orphanStatus: "offline",
			checkCreate:  decodeAs[nb.WritableVirtualMachineWithConfigContextRequest](),
			checkUpdate:  decodeAs[nb.PatchedWritableVirtualMachineWithConfigContextRequest](),
		},
		inventory.KindVMInterface: {
			candidates:  []candidateQuery{{Param: "virtual_machine_id", Field: "virtual_machine"}},
			checkCreate: decodeAs[nb.WritableVMInterfaceRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableVMInterfaceRequest](),
		},
		// NetBox keeps a VM's disk as the sum of its virtual disks, set on
		// each disk's save (virtualization/signals.py), and refuses a VM
		// whose disk differs from the sum.
		inventory.KindVirtualDisk: {
			candidates:    []candidateQuery{{Param: "virtual_machine_id", Field: "virtual_machine"}},
			checkCreate:   decodeAs[nb.VirtualDiskRequest](),
			checkUpdate:   decodeAs[nb.PatchedVirtualDiskRequest](),
			batchByParent: true,
		},
	}
}
