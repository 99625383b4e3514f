package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"

	gonetbox "github.com/netbox-community/go-netbox/v4"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestProxmoxSync discovers the fake two-node Proxmox cluster through the
// real source, syncs it through SyncWorkflow into the emulator, and checks
// the cluster, node devices, VMs, their interfaces, MACs, IPs and disks.
func TestProxmoxSync(t *testing.T) {
	pve := proxmoxtest.NewServer(t)
	e := newEnv(t, fmt.Sprintf(`
sync:
  retry:
    initial_interval: 100ms
    maximum_attempts: 3
sources:
  - name: alpha
    type: proxmox
    url: %s
    token_id: %s
    site: Home Lab
`, pve.URL, proxmoxtest.TokenID), config.SecretEnv("alpha", "token_secret")+"="+proxmoxtest.TokenSecret)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)

	ctx := context.Background()
	nb := gonetbox.NewAPIClientFor(e.nbURL, e.token)

	clusters, _, err := nb.VirtualizationAPI.VirtualizationClustersList(ctx).Name([]string{"lab"}).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(1), clusters.Count)
	cluster := clusters.Results[0]
	require.Equal(t, "Proxmox VE", cluster.Type.GetName())

	nodes, _, err := nb.DcimAPI.DcimDevicesList(ctx).Name([]string{"node1", "node2"}).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(2), nodes.Count)
	for _, n := range nodes.Results {
		require.Equal(t, "Home Lab", n.Site.GetName())
		require.Equal(t, cluster.Id, n.Cluster.Get().GetId(), "node %s is in the cluster", n.GetName())
		require.Contains(t, n.Platform.Get().GetName(), "Proxmox VE")
		require.Equal(t, "proxmox/alpha/node/"+n.GetName(), n.CustomFields["agent_id"])
	}
	nodeIfaces, _, err := nb.DcimAPI.DcimInterfacesList(ctx).DeviceId([]int32{nodes.Results[0].Id, nodes.Results[1].Id}).Execute()
	require.NoError(t, err)
	require.Positive(t, nodeIfaces.Count)

	vms, _, err := nb.VirtualizationAPI.VirtualizationVirtualMachinesList(ctx).ClusterId([]*int32{&cluster.Id}).Limit(100).Execute()
	require.NoError(t, err)
	names := make([]string, 0, len(vms.Results))
	byName := map[string]gonetbox.VirtualMachineWithConfigContext{}
	for _, vm := range vms.Results {
		names = append(names, vm.Name)
		byName[vm.Name] = vm
	}
	// qemu 100 (web01) and lxc 100 (dns01) share a VMID and stay apart; the
	// template is skipped.
	require.ElementsMatch(t, []string{"web01", "db01", "build01", "dns01", "backup"}, names)
	web := byName["web01"]
	require.Equal(t, "active", string(web.Status.GetValue()))
	require.Equal(t, int32(4096), web.GetMemory())
	require.Equal(t, "proxmox/alpha/qemu/100", web.CustomFields["agent_id"])
	require.Equal(t, "proxmox/alpha/lxc/100", byName["dns01"].CustomFields["agent_id"])
	require.Equal(t, "offline", string(byName["backup"].Status.GetValue()))
	require.NotNil(t, web.Device.Get(), "web01 runs on a node")

	ifaces, _, err := nb.VirtualizationAPI.VirtualizationInterfacesList(ctx).VirtualMachineId([]int32{web.Id}).Execute()
	require.NoError(t, err)
	require.Positive(t, ifaces.Count)
	net0 := ifaces.Results[slices.IndexFunc(ifaces.Results, func(i gonetbox.VMInterface) bool { return i.Name == "net0" })]
	require.True(t, net0.PrimaryMacAddress.IsSet() && net0.PrimaryMacAddress.Get() != nil, "net0 has its primary MAC")

	macs, _, err := nb.DcimAPI.DcimMacAddressesList(ctx).VminterfaceId([]int32{net0.Id}).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(1), macs.Count)

	ips, _, err := nb.IpamAPI.IpamIpAddressesList(ctx).VirtualMachineId([]int32{web.Id}).Execute()
	require.NoError(t, err)
	require.Positive(t, ips.Count, "web01's guest agent reported addresses")
	for _, ip := range ips.Results {
		require.NotContains(t, ip.Address, "127.0.0.1")
		require.NotContains(t, ip.Address, "fe80:")
	}

	disks, _, err := nb.VirtualizationAPI.VirtualizationVirtualDisksList(ctx).VirtualMachineId([]int32{web.Id}).Execute()
	require.NoError(t, err)
	require.Positive(t, disks.Count)
	for _, d := range disks.Results {
		require.Positive(t, d.Size, "disk %s has a size", d.Name)
	}

	e.sim.ResetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged Proxmox re-sync writes nothing: %v", e.sim.Stats().Requests)
	require.Zero(t, again.Plan.Total)
}
