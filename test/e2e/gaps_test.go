package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestOfflineNodeKeepsWhatItHolds syncs the fake cluster, takes node2
// offline and syncs again: node2 and its guests are still reported, their
// interfaces, MACs, IPs and disks are not, and the source says so. NetBox
// keeps every one of them as it was, unmarked, and the run counts them.
func TestOfflineNodeKeepsWhatItHolds(t *testing.T) {
	faultRow(t, "a Proxmox node offline",
		"its guests' interfaces, MACs, IPs and disks kept as NetBox has them, none marked or deleted; the run counts them")
	var current atomic.Pointer[proxmoxtest.Fake]
	current.Store(proxmoxtest.NewFake())
	pve := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Load().ServeHTTP(w, r)
	}))
	t.Cleanup(pve.Close)
	alpha, alphaSecret := proxmoxAlpha(pve.URL)
	e := newEnv(t, quickRetry+"sources:\n"+alpha, alphaSecret)

	_, first := e.sync(workflows.SyncRequest{})
	require.Equal(t, activities.SourceOK, first.Sources[0].Status, first.Sources[0].Error)
	require.Empty(t, first.FailedBatches)
	// node2's interfaces and addresses, the interfaces, MACs and disks of
	// its guests db01, build01 and backup, and the cluster's VLANs: VLAN 30
	// is only on db01 and build01
	held := func() map[string][]object {
		out := map[string][]object{}
		for _, ep := range syncedEndpoints() {
			for _, o := range e.nb.list(t, ep) {
				id := o.str("custom_fields.agent_id")
				for _, under := range []string{"proxmox/alpha/node/node2/", "proxmox/alpha/qemu/101/", "proxmox/alpha/qemu/104/", "proxmox/alpha/lxc/103/",
					"proxmox/alpha/cluster/lab/vlan-group"} {
					if strings.HasPrefix(id, under) {
						out[ep] = append(out[ep], o)
					}
				}
			}
		}
		return out
	}
	before := held()
	require.Len(t, before["ipam/vlans"], 2, "VLANs 20 and 30")
	for _, ep := range []string{"dcim/interfaces", "ipam/ip-addresses", "dcim/mac-addresses", "virtualization/interfaces", "virtualization/virtual-disks"} {
		require.NotEmpty(t, before[ep], "%s of node2 and its guests after the first run", ep)
	}

	current.Store(proxmoxtest.NewFake(proxmoxtest.OfflineNode))
	_, second := e.sync(workflows.SyncRequest{})
	require.Equal(t, activities.SourceOK, second.Sources[0].Status, second.Sources[0].Error)
	require.Empty(t, second.FailedBatches)
	require.Empty(t, second.Plan.Blocked)
	require.Zero(t, second.Applied.Deleted)
	after := held()
	require.Equal(t, len(before), len(after))
	for ep, objs := range before {
		require.Len(t, after[ep], len(objs), ep)
		for i, o := range after[ep] {
			require.False(t, o.hasTag("agent-orphan"), "%s %s is not marked", ep, o.str("display"))
			require.Empty(t, o.str("custom_fields.agent_orphaned_since"), "%s %s", ep, o.str("display"))
			require.Equal(t, objs[i].str("last_updated"), o.str("last_updated"), "%s %s untouched", ep, o.str("display"))
		}
	}
	require.Equal(t, "offline", e.nb.list(t, "dcim/devices", "name", "node2")[0].str("status.value"),
		"what was seen of node2 is still written")
	require.Positive(t, second.Plan.KeptTotal)
	lines := strings.Join(second.Plan.KeptLines, "\n")
	require.Contains(t, lines, "alpha: kept, not seen: ")
	require.Contains(t, lines, " interface (node node2 offline)")
	require.Contains(t, lines, " ip_address (node node2 offline)")
	require.Contains(t, lines, " vlan (node node2 offline: its guests' VLAN tags not read)")
}
