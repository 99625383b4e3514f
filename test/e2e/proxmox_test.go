package e2e

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestProxmoxSync discovers the fake two-node Proxmox cluster through the
// real source, syncs it through SyncWorkflow into NetBox, and checks
// the cluster, node devices, VMs, their interfaces, MACs, IPs and disks, and
// the VLANs its guests are tagged with.
func TestProxmoxSync(t *testing.T) {
	pve := proxmoxtest.NewServer(t)
	alpha, alphaSecret := proxmoxAlpha(pve.URL)
	e := newEnv(t, quickRetry+"sources:\n"+alpha, alphaSecret)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)

	requireProxmoxLab(t, e.nb)

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged Proxmox re-sync writes nothing: %v", e.stats().Requests)
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
}

// requireProxmoxLab checks what the fake cluster "lab" of source alpha left in NetBox.
func requireProxmoxLab(t *testing.T, nb *netbox) {
	t.Helper()
	clusters := nb.list(t, "virtualization/clusters", "name", "lab")
	require.Len(t, clusters, 1)
	cluster := clusters[0]
	require.Equal(t, "Proxmox VE", cluster.str("type.name"))

	nodes := nb.list(t, "dcim/devices", "name", "node1", "name", "node2")
	require.Len(t, nodes, 2)
	for _, n := range nodes {
		name := n.str("name")
		require.Equal(t, "Home Lab", n.str("site.name"))
		require.Equal(t, cluster.int("id"), n.int("cluster.id"), "node %s is in the cluster", name)
		require.Contains(t, n.str("platform.name"), "Proxmox VE")
		require.Equal(t, "proxmox/alpha/node/"+name, n.str("custom_fields.agent_id"))
	}
	require.Positive(t, nb.count(t, "dcim/interfaces", "device_id", idOf(nodes[0]), "device_id", idOf(nodes[1])))

	vms := byName(nb.list(t, "virtualization/virtual-machines", "cluster_id", idOf(cluster)))
	// qemu 100 (web01) and lxc 100 (dns01) share a VMID and stay apart; the template is
	// skipped.
	require.ElementsMatch(t, []string{"web01", "db01", "build01", "dns01", "backup"}, slices.Collect(maps.Keys(vms)))
	web := vms["web01"]
	require.Equal(t, "active", web.str("status.value"))
	require.Equal(t, 4096, web.int("memory"))
	require.Equal(t, "proxmox/alpha/qemu/100", web.str("custom_fields.agent_id"))
	require.Equal(t, "proxmox/alpha/lxc/100", vms["dns01"].str("custom_fields.agent_id"))
	require.Equal(t, "offline", vms["backup"].str("status.value"))
	require.NotNil(t, web.get("device"), "web01 runs on a node")

	ifaces := byName(nb.list(t, "virtualization/interfaces", "virtual_machine_id", idOf(web)))
	net0, ok := ifaces["net0"]
	require.True(t, ok, "web01 has net0")
	require.NotNil(t, net0.get("primary_mac_address"), "net0 has its primary MAC")
	require.Equal(t, 1, nb.count(t, "dcim/mac-addresses", "vminterface_id", idOf(net0)))

	ips := nb.list(t, "ipam/ip-addresses", "virtual_machine_id", idOf(web))
	require.NotEmpty(t, ips, "web01's guest agent reported addresses")
	for _, ip := range ips {
		require.NotContains(t, ip.str("address"), "127.0.0.1")
		require.NotContains(t, ip.str("address"), "fe80:")
	}

	requireProxmoxVLANs(t, nb, cluster, vms)

	disks := nb.list(t, "virtualization/virtual-disks", "virtual_machine_id", idOf(web))
	require.NotEmpty(t, disks)
	for _, d := range disks {
		require.Positive(t, d.int("size"), "disk %s has a size", d.str("name"))
	}
}

// requireProxmoxVLANs checks the VLANs of the lab's guest NICs: one group
// scoped to the cluster, VLANs 20 (web01 net0, dns01 net0) and 30 (db01
// and build01 net1), each tagged NIC an access port of its VLAN, an
// untagged NIC in no mode.
func requireProxmoxVLANs(t *testing.T, nb *netbox, cluster object, vms map[string]object) {
	t.Helper()
	groups := nb.list(t, "ipam/vlan-groups", "name", "lab")
	require.Len(t, groups, 1)
	group := groups[0]
	require.Equal(t, "virtualization.cluster", group.str("scope_type"))
	require.Equal(t, cluster.int("id"), group.int("scope_id"), "the group is the cluster's")
	require.Equal(t, "proxmox/alpha/cluster/lab/vlan-group", group.str("custom_fields.agent_id"))

	vlans := map[int]object{}
	for _, v := range nb.list(t, "ipam/vlans", "group_id", idOf(group)) {
		vlans[v.int("vid")] = v
	}
	require.ElementsMatch(t, []int{20, 30}, slices.Collect(maps.Keys(vlans)))
	require.Equal(t, "VLAN 20", vlans[20].str("name"))
	require.Equal(t, "active", vlans[20].str("status.value"))

	for _, c := range []struct {
		vm, nic string
		vid     int
	}{{"web01", "net0", 20}, {"dns01", "net0", 20}, {"db01", "net1", 30}, {"build01", "net1", 30}} {
		nics := byName(nb.list(t, "virtualization/interfaces", "virtual_machine_id", idOf(vms[c.vm])))
		nic, ok := nics[c.nic]
		require.True(t, ok, "%s has %s", c.vm, c.nic)
		require.Equal(t, "access", nic.str("mode.value"), "%s %s", c.vm, c.nic)
		require.Equal(t, vlans[c.vid].int("id"), nic.int("untagged_vlan.id"), "%s %s is on VLAN %d", c.vm, c.nic, c.vid)
	}
	untagged := byName(nb.list(t, "virtualization/interfaces", "virtual_machine_id", idOf(vms["db01"])))["net0"]
	require.Nil(t, untagged.get("mode"), "db01 net0 has no tag")
	require.Nil(t, untagged.get("untagged_vlan"))
}
