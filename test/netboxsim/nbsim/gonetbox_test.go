package nbsim_test

import (
	"context"
	"net/http/httptest"
	"testing"

	netbox "github.com/netbox-community/go-netbox/v4"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

const testToken = "0123456789abcdef0123456789abcdef01234567"

func ptr[T any](v T) *T { return &v }

// TestGoNetBoxRoundTrip drives the emulator with go-netbox's own client: every kind the agent
// writes is created from go-netbox's request models and read back into its response models.
func TestGoNetBoxRoundTrip(t *testing.T) {
	for _, v := range nbsim.Versions() {
		t.Run("netbox-"+v, func(t *testing.T) { testGoNetBoxRoundTrip(t, nbsim.New(nbsim.Options{Version: v, Token: testToken})) })
	}
}

func testGoNetBoxRoundTrip(t *testing.T, sim *nbsim.Server) {
	ts := httptest.NewServer(sim)
	defer ts.Close()
	ctx := context.Background()
	c := netbox.NewAPIClientFor(ts.URL, testToken)

	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	site, _, err := c.DcimAPI.DcimSitesCreate(ctx).WritableSiteRequest(*netbox.NewWritableSiteRequest("Lab", "lab")).Execute()
	must("create site", err)
	mfr, _, err := c.DcimAPI.DcimManufacturersCreate(ctx).ManufacturerRequest(*netbox.NewManufacturerRequest("Acme", "acme")).Execute()
	must("create manufacturer", err)
	dt, _, err := c.DcimAPI.DcimDeviceTypesCreate(ctx).WritableDeviceTypeRequest(*netbox.NewWritableDeviceTypeRequest(
		netbox.Int32AsBriefDeviceTypeRequestManufacturer(ptr(mfr.Id)), "X1", "x1")).Execute()
	must("create device type", err)
	role, _, err := c.DcimAPI.DcimDeviceRolesCreate(ctx).WritableDeviceRoleRequest(*netbox.NewWritableDeviceRoleRequest("Hypervisor", "hypervisor")).Execute()
	must("create role", err)
	platform, _, err := c.DcimAPI.DcimPlatformsCreate(ctx).PlatformRequest(*netbox.NewPlatformRequest("Proxmox VE 8", "proxmox-ve-8")).Execute()
	must("create platform", err)
	tag, _, err := c.ExtrasAPI.ExtrasTagsCreate(ctx).TagRequest(*netbox.NewTagRequest("netbox-agent", "netbox-agent")).Execute()
	must("create tag", err)

	devReq := netbox.NewWritableDeviceWithConfigContextRequest(
		netbox.Int32AsDeviceBayTemplateRequestDeviceType(ptr(dt.Id)),
		netbox.Int32AsDeviceWithConfigContextRequestRole(ptr(role.Id)),
		netbox.Int32AsDeviceWithConfigContextRequestSite(ptr(site.Id)))
	devReq.SetName("pve1")
	devReq.SetSerial("SN-1")
	devReq.SetPlatform(netbox.Int32AsDeviceTypeRequestDefaultPlatform(ptr(platform.Id)))
	devReq.SetTags([]netbox.NestedTagRequest{*netbox.NewNestedTagRequest(tag.Name, tag.Slug)})
	dev, _, err := c.DcimAPI.DcimDevicesCreate(ctx).WritableDeviceWithConfigContextRequest(*devReq).Execute()
	must("create device", err)

	iface, _, err := c.DcimAPI.DcimInterfacesCreate(ctx).WritableInterfaceRequest(*netbox.NewWritableInterfaceRequest(
		netbox.Int32AsBriefInterfaceRequestDevice(ptr(dev.Id)), "eno1", netbox.INTERFACETYPEVALUE__1000BASE_T)).Execute()
	must("create interface", err)
	macReq := netbox.NewMACAddressRequest("aa:bb:cc:00:11:22")
	macReq.SetAssignedObjectType("dcim.interface")
	macReq.SetAssignedObjectId(int64(iface.Id))
	mac, _, err := c.DcimAPI.DcimMacAddressesCreate(ctx).MACAddressRequest(*macReq).Execute()
	must("create MAC", err)
	patchIface := netbox.NewPatchedWritableInterfaceRequest()
	patchIface.SetPrimaryMacAddress(netbox.Int32AsInterfaceRequestPrimaryMacAddress(ptr(mac.Id)))
	iface, _, err = c.DcimAPI.DcimInterfacesPartialUpdate(ctx, iface.Id).PatchedWritableInterfaceRequest(*patchIface).Execute()
	must("set primary MAC", err)
	if got := iface.GetMacAddress(); got != "AA:BB:CC:00:11:22" {
		t.Errorf("interface mac_address = %q, want AA:BB:CC:00:11:22", got)
	}

	ipReq := netbox.NewWritableIPAddressRequest("192.0.2.10/24")
	ipReq.SetAssignedObjectType("dcim.interface")
	ipReq.SetAssignedObjectId(int64(iface.Id))
	ip, _, err := c.IpamAPI.IpamIpAddressesCreate(ctx).WritableIPAddressRequest(*ipReq).Execute()
	must("create IP", err)
	patchDev := netbox.NewPatchedWritableDeviceWithConfigContextRequest()
	patchDev.SetPrimaryIp4(netbox.Int32AsDeviceWithConfigContextRequestPrimaryIp4(ptr(ip.Id)))
	_, _, err = c.DcimAPI.DcimDevicesPartialUpdate(ctx, dev.Id).PatchedWritableDeviceWithConfigContextRequest(*patchDev).Execute()
	must("set primary IPv4", err)

	ctype, _, err := c.VirtualizationAPI.VirtualizationClusterTypesCreate(ctx).ClusterTypeRequest(*netbox.NewClusterTypeRequest("Proxmox VE", "proxmox-ve")).Execute()
	must("create cluster type", err)
	clReq := netbox.NewWritableClusterRequest("alpha", netbox.Int32AsClusterRequestType(ptr(ctype.Id)))
	clReq.SetScopeType("dcim.site")
	clReq.SetScopeId(site.Id)
	cluster, _, err := c.VirtualizationAPI.VirtualizationClustersCreate(ctx).WritableClusterRequest(*clReq).Execute()
	must("create cluster", err)
	vmReq := netbox.NewWritableVirtualMachineWithConfigContextRequest("vm100")
	vmReq.SetCluster(netbox.Int32AsDeviceWithConfigContextRequestCluster(ptr(cluster.Id)))
	vmReq.SetVcpus(2)
	vmReq.SetMemory(2048)
	vm, _, err := c.VirtualizationAPI.VirtualizationVirtualMachinesCreate(ctx).WritableVirtualMachineWithConfigContextRequest(*vmReq).Execute()
	must("create VM", err)
	if vm.Site.Get() == nil || vm.Site.Get().Id != site.Id {
		t.Errorf("VM site = %v, want the cluster's site %d", vm.Site.Get(), site.Id)
	}
	_, _, err = c.VirtualizationAPI.VirtualizationVirtualDisksCreate(ctx).VirtualDiskRequest(*netbox.NewVirtualDiskRequest(
		netbox.Int32AsPatchedVirtualDiskRequestVirtualMachine(ptr(vm.Id)), "scsi0", 32768)).Execute()
	must("create virtual disk", err)

	// Read everything back.
	gotDev, _, err := c.DcimAPI.DcimDevicesRetrieve(ctx, dev.Id).Execute()
	must("read device", err)
	if gotDev.GetName() != "pve1" || gotDev.PrimaryIp4.Get() == nil || gotDev.PrimaryIp4.Get().Id != ip.Id ||
		gotDev.GetInterfaceCount() != 1 || len(gotDev.Tags) != 1 || gotDev.Platform.Get().GetId() != platform.Id {
		t.Errorf("device read back = name %q primary_ip4 %v interfaces %d tags %d", gotDev.GetName(), gotDev.PrimaryIp4.Get(), gotDev.GetInterfaceCount(), len(gotDev.Tags))
	}
	devs, _, err := c.DcimAPI.DcimDevicesList(ctx).Tag([]string{"netbox-agent"}).Execute()
	must("list devices by tag", err)
	if devs.Count != 1 || devs.Results[0].Id != dev.Id {
		t.Errorf("devices tagged netbox-agent = %d", devs.Count)
	}
	gotIP, _, err := c.IpamAPI.IpamIpAddressesRetrieve(ctx, ip.Id).Execute()
	must("read IP", err)
	if gotIP.GetAddress() != "192.0.2.10/24" || gotIP.GetAssignedObjectId() != int64(iface.Id) {
		t.Errorf("IP read back = %s on %d", gotIP.GetAddress(), gotIP.GetAssignedObjectId())
	}
	macs, _, err := c.DcimAPI.DcimMacAddressesList(ctx).MacAddress([]string{"aa:bb:cc:00:11:22"}).Execute()
	must("list MACs", err)
	if macs.Count != 1 {
		t.Errorf("MACs matching = %d, want 1", macs.Count)
	}
	gotVM, _, err := c.VirtualizationAPI.VirtualizationVirtualMachinesRetrieve(ctx, vm.Id).Execute()
	must("read VM", err)
	if gotVM.Disk.Get() == nil || *gotVM.Disk.Get() != 32768 || gotVM.GetVirtualDiskCount() != 1 {
		t.Errorf("VM disk = %v, virtual disks %d; want 32768 and 1", gotVM.Disk.Get(), gotVM.GetVirtualDiskCount())
	}
	gotCluster, _, err := c.VirtualizationAPI.VirtualizationClustersRetrieve(ctx, cluster.Id).Execute()
	must("read cluster", err)
	if gotCluster.GetVirtualmachineCount() != 1 || gotCluster.GetScopeType() != "dcim.site" {
		t.Errorf("cluster = %d VMs, scope %q", gotCluster.GetVirtualmachineCount(), gotCluster.GetScopeType())
	}
	status, _, err := c.StatusAPI.StatusRetrieve(ctx).Execute()
	must("status", err)
	if status["netbox-version"] != sim.Version() {
		t.Errorf("status netbox-version = %v", status["netbox-version"])
	}
}
