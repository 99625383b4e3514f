package gen_test

import (
	"fmt"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/bench/gen"
)

// The shape of the benchmark's largest inventory, kind by kind.
func ExampleBuild() {
	_, sum, err := gen.Build(gen.Options{Objects: 100_000, Seed: 1, Changed: 0.01})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range []inventory.Kind{
		inventory.KindSite, inventory.KindManufacturer, inventory.KindDeviceType, inventory.KindDeviceRole,
		inventory.KindPlatform, inventory.KindClusterType, inventory.KindCluster, inventory.KindDevice,
		inventory.KindInterface, inventory.KindMACAddress, inventory.KindIPAddress, inventory.KindVirtualMachine,
		inventory.KindVMInterface, inventory.KindVirtualDisk,
	} {
		fmt.Printf("%s: %d\n", k, sum.ByKind[k])
	}
	fmt.Println("objects:", sum.Objects, "changed:", sum.Changed)
	// Output:
	// site: 3
	// manufacturer: 4
	// device_type: 4
	// device_role: 4
	// platform: 3
	// cluster_type: 1
	// cluster: 390
	// device: 2344
	// interface: 9376
	// mac_address: 28096
	// ip_address: 17540
	// virtual_machine: 9360
	// vm_interface: 18720
	// virtual_disk: 14155
	// objects: 100000 changed: 1000
}
