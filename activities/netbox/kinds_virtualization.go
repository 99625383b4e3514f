package netbox

import (
	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// The virtualization family: cluster types, clusters, virtual machines,
// their interfaces and disks.
func init() {
	register(
		&kindSpec{
			Kind: inventory.KindClusterType, Endpoint: "virtualization/cluster-types", ObjectType: "virtualization.clustertype",
			Fields:      []field{str("name"), slug("name"), str("description")},
			NaturalKeys: [][]string{{"name"}, {"slug"}}, FetchAll: true,
			checkCreate: decodeAs[nb.ClusterTypeRequest](),
			checkUpdate: decodeAs[nb.PatchedClusterTypeRequest](),
		},
		&kindSpec{
			Kind: inventory.KindCluster, Endpoint: "virtualization/clusters", ObjectType: "virtualization.cluster",
			Fields: []field{str("name"), choice("status", "active"), str("description"),
				requiredRef("type", inventory.KindClusterType),
				// The model names the cluster's site; NetBox 4.2+ stores it as the scope.
				generic("site", "scope_type", "scope_id", false, inventory.KindSite)},
			NaturalKeys:  [][]string{{"name"}},
			Candidates:   []candidateQuery{{Param: "name", Field: "name"}},
			OrphanStatus: "offline",
			checkCreate:  decodeAs[nb.WritableClusterRequest](),
			checkUpdate:  decodeAs[nb.PatchedWritableClusterRequest](),
		},
		&kindSpec{
			Kind: inventory.KindVirtualMachine, Endpoint: "virtualization/virtual-machines", ObjectType: "virtualization.virtualmachine",
			Fields: []field{str("name"), choice("status", "active"), {Name: "vcpus", Type: typeFloat},
				integer("memory"), str("description"), str("comments"),
				ref("cluster", inventory.KindCluster), ref("site", inventory.KindSite),
				ref("device", inventory.KindDevice), ref("role", inventory.KindDeviceRole),
				ref("platform", inventory.KindPlatform),
				primaryIP("primary_ip4", 4), primaryIP("primary_ip6", 6)},
			NaturalKeys:  [][]string{{"name", "cluster"}},
			MatchMAC:     true,
			Candidates:   []candidateQuery{{Param: "name", Field: "name"}},
			OrphanStatus: "offline",
			checkCreate:  decodeAs[nb.WritableVirtualMachineWithConfigContextRequest](),
			checkUpdate:  decodeAs[nb.PatchedWritableVirtualMachineWithConfigContextRequest](),
		},
		&kindSpec{
			Kind: inventory.KindVMInterface, Endpoint: "virtualization/interfaces", ObjectType: "virtualization.vminterface",
			Fields: []field{str("name"), boolean("enabled"), integer("mtu"), str("description"),
				requiredRef("virtual_machine", inventory.KindVirtualMachine),
				ref("parent", inventory.KindVMInterface), ref("bridge", inventory.KindVMInterface),
				primaryMAC()},
			NaturalKeys: [][]string{{"virtual_machine", "name"}},
			MatchMAC:    true,
			Candidates:  []candidateQuery{{Param: "virtual_machine_id", Field: "virtual_machine"}},
			checkCreate: decodeAs[nb.WritableVMInterfaceRequest](),
			checkUpdate: decodeAs[nb.PatchedWritableVMInterfaceRequest](),
		},
		&kindSpec{
			Kind: inventory.KindVirtualDisk, Endpoint: "virtualization/virtual-disks", ObjectType: "virtualization.virtualdisk",
			Fields: []field{str("name"), integer("size"), str("description"),
				requiredRef("virtual_machine", inventory.KindVirtualMachine)},
			NaturalKeys: [][]string{{"virtual_machine", "name"}},
			Candidates:  []candidateQuery{{Param: "virtual_machine_id", Field: "virtual_machine"}},
			checkCreate: decodeAs[nb.VirtualDiskRequest](),
			checkUpdate: decodeAs[nb.PatchedVirtualDiskRequest](),
		},
	)
}
