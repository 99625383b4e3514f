package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// writeHosts writes an inventory file of the hosts host1..host<hosts>, each
// with one interface, and an address on the interfaces of the hosts from
// ipsFrom on (none when ipsFrom is past hosts), in the form
// docs/inventory-files.md gives.
func writeHosts(t *testing.T, dir string, hosts, ipsFrom int) {
	t.Helper()
	var devices []map[string]any
	for h := 1; h <= hosts; h++ {
		iface := map[string]any{"name": "eth0", "type": "1000base-t", "mac": fmt.Sprintf("02:00:00:00:01:%02x", h)}
		if h >= ipsFrom {
			iface["ips"] = []string{fmt.Sprintf("10.20.0.%d/24", h)}
		}
		devices = append(devices, map[string]any{"name": fmt.Sprintf("host%d", h), "site": "Home Lab", "role": "Server",
			"device_type": "Mini PC", "manufacturer": "Generic", "interfaces": []any{iface}})
	}
	b, err := json.Marshal(map[string]any{"sites": []any{map[string]any{"name": "Home Lab", "status": "active"}}, "devices": devices})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hosts.json"), b, 0o600))
}

// orphanCount counts the objects of an endpoint marked as orphans.
func orphanCount(t *testing.T, nb *netbox, endpoint string) int {
	t.Helper()
	n := 0
	for _, o := range nb.list(t, endpoint) {
		if o.hasTag("agent-orphan") {
			n++
		}
	}
	return n
}

// memoOf reads a run's memo field as the Web UI shows it.
func memoOf(t *testing.T, run client.WorkflowRun, field string, v any) bool {
	t.Helper()
	desc, err := devServer.Client().DescribeWorkflow(context.Background(), run.GetID(), run.GetRunID())
	require.NoError(t, err)
	p, ok := desc.RawResponse.GetWorkflowExecutionInfo().GetMemo().GetFields()[field]
	if !ok {
		return false
	}
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, v))
	return true
}

// TestGuardBlocksOneKindAndLetsItThroughOnce: a source keeps its hosts but
// loses most addresses: the addresses' orphaning is blocked, the host that
// went is marked. The operator lets the addresses through for one run: they
// are marked, the run says so in its result and memo, and the baseline falls
// to what is left, from which the next run is guarded again; past the grace
// period the addresses let through are deleted.
func TestGuardBlocksOneKindAndLetsItThroughOnce(t *testing.T) {
	dir := t.TempDir()
	writeHosts(t, dir, 20, 1)
	e := newEnv(t, guardConfig(dir, "30d"))
	_, first := e.sync(workflows.SyncRequest{})
	require.Empty(t, first.FailedBatches)
	require.Empty(t, first.Plan.Blocked)
	require.Equal(t, 20, e.nb.count(t, "ipam/ip-addresses"))
	baselineRef := activities.GuardBaselineRef(e.acts.Settings.ApplyLock)
	var kept struct {
		Baseline map[string]map[string]int `json:"baseline"`
	}
	store, err := blob.Open(context.Background(), "file://"+filepath.Join(e.dir, "blobs"), "")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, store.Close()) })
	require.NoError(t, store.GetJSON(context.Background(), baselineRef, &kept))
	require.Equal(t, 20, kept.Baseline["lab-files"]["ip_address"])
	require.Equal(t, 20, kept.Baseline["lab-files"]["device"])

	// host20 goes; hosts 1 to 10 lose their addresses too.
	writeHosts(t, dir, 19, 11)
	blockedRun, blocked := e.sync(workflows.SyncRequest{})
	recordHistory(t, blockedRun, "sync_guard_blocked")
	require.Empty(t, blocked.FailedBatches)
	require.Len(t, blocked.Plan.Blocked, 1, "%v", blocked.Plan.Blocked)
	require.Equal(t, "lab-files ip_address: would lose 11 of 20 (the last applied run left 20), 55%, more than mass_delete_threshold 10%: orphaning blocked",
		blocked.Plan.Blocked[0])
	require.Len(t, blocked.Plan.Guard, 1)
	require.True(t, blocked.Plan.Guard[0].Blocked)
	require.Zero(t, orphanCount(t, e.nb, "ipam/ip-addresses"), "no address is marked")
	require.Equal(t, 1, orphanCount(t, e.nb, "dcim/devices"), "the host that went is marked")
	require.Equal(t, 1, orphanCount(t, e.nb, "dcim/interfaces"))
	require.Equal(t, 20, e.nb.count(t, "ipam/ip-addresses"))

	// The operator lets the addresses through for one run.
	run, through := e.sync(workflows.SyncRequest{AllowDeletes: []string{"lab-files/ip_address"}})
	require.Empty(t, through.FailedBatches)
	require.Empty(t, through.Plan.Blocked)
	require.Equal(t, []string{"lab-files ip_address: would lose 11 of 20 (the last applied run left 20), 55%, more than mass_delete_threshold 10%: let through for this run"},
		through.Plan.LetThrough)
	require.Equal(t, 11, orphanCount(t, e.nb, "ipam/ip-addresses"), "the addresses are marked")
	recordHistory(t, run, "sync_let_through")
	var letThrough []string
	require.True(t, memoOf(t, run, workflows.MemoLetThrough, &letThrough), "the memo says what was let through")
	require.Equal(t, through.Plan.LetThrough, letThrough)
	var asked string
	require.True(t, memoOf(t, run, workflows.MemoAllowDeletes, &asked))
	require.Equal(t, "lab-files/ip_address", asked)
	require.NoError(t, store.GetJSON(context.Background(), baselineRef, &kept))
	require.Equal(t, 9, kept.Baseline["lab-files"]["ip_address"], "the baseline falls to what is left")
	require.Equal(t, 20, kept.Baseline["lab-files"]["device"], "a drop inside the limits leaves it")

	// The next run is guarded again, from the new baseline.
	writeHosts(t, dir, 19, 16)
	run, again := e.sync(workflows.SyncRequest{})
	require.Empty(t, again.FailedBatches)
	require.Equal(t, []string{"lab-files ip_address: would lose 5 of 9 (the last applied run left 9), 56%, more than mass_delete_threshold 10%: orphaning blocked"},
		again.Plan.Blocked)
	require.Empty(t, again.Plan.LetThrough)
	require.Equal(t, 11, orphanCount(t, e.nb, "ipam/ip-addresses"), "no more addresses are marked")
	require.False(t, memoOf(t, run, workflows.MemoLetThrough, &letThrough), "a run that lets nothing through has no such memo")

	// The five come back; once the grace period is over the addresses let
	// through are deleted, and host20 with its interface and MAC.
	writeHosts(t, dir, 19, 11)
	e.configure(guardConfig(dir, "1s"))
	_, deleted := e.sync(workflows.SyncRequest{})
	require.Empty(t, deleted.FailedBatches)
	require.Empty(t, deleted.Plan.Blocked)
	require.Equal(t, 14, deleted.Applied.Deleted, "%+v", deleted.Plan.Counts)
	require.Equal(t, 9, e.nb.count(t, "ipam/ip-addresses"))
	require.Equal(t, 19, e.nb.count(t, "dcim/devices"))
	require.Zero(t, orphanCount(t, e.nb, "ipam/ip-addresses"))
}

// guardConfig syncs the inventory in dir with the given orphan grace period.
func guardConfig(dir, grace string) string {
	return fmt.Sprintf(`
netbox:
  orphan_grace: %s
sync:
  retry:
    initial_interval: 100ms
    maximum_attempts: 3
sources:
  - name: lab-files
    type: filesystem
    path: %s
`, grace, dir)
}

// TestGuardHoldsAnEightyPercentDrop: a source that keeps all 20 hosts but reports 80 % fewer
// addresses (4 of 20) has its addresses' orphaning blocked, and nothing else of it changes.
func TestGuardHoldsAnEightyPercentDrop(t *testing.T) {
	faultRow(t, "a source reporting 80% fewer objects of one kind (4 of 20 addresses, every host kept)",
		"that kind's orphaning blocked with the reason and no address marked; the other kinds untouched")
	dir := t.TempDir()
	writeHosts(t, dir, 20, 1)
	e := newEnv(t, guardConfig(dir, "30d"))
	_, first := e.sync(workflows.SyncRequest{})
	require.Empty(t, first.FailedBatches)
	want := agentIDs(t, e.nb)

	writeHosts(t, dir, 20, 17)
	_, res := e.sync(workflows.SyncRequest{})
	require.Empty(t, res.FailedBatches)
	require.Len(t, res.Plan.Blocked, 1, "%v", res.Plan.Blocked)
	require.Contains(t, res.Plan.Blocked[0], "lab-files ip_address: would lose 16 of 20")
	require.Zero(t, res.Applied.Deleted)
	require.Zero(t, res.Applied.Updated, "nothing marked, nothing else changed")
	require.Empty(t, orphansByEndpoint(t, e.nb), "nothing marked")
	require.Equal(t, want, agentIDs(t, e.nb), "every object still there")
}
