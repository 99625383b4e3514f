package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/metrics"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// copyInventory copies the example inventory into a new directory, for a test to change.
func copyInventory(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := repoPath(t, "examples/inventory")
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, ent := range entries {
		b, err := os.ReadFile(filepath.Join(src, ent.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, ent.Name()), b, 0o600))
	}
	return dir
}

// removeVM drops the named virtual machine from the inventory's vms.json, as decommissioning
// it would.
func removeVM(t *testing.T, dir, name string) {
	t.Helper()
	path := filepath.Join(dir, "vms.json")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc map[string][]map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	vms := doc["virtual_machines"]
	i := slices.IndexFunc(vms, func(vm map[string]any) bool { return vm["name"] == name })
	require.GreaterOrEqual(t, i, 0, "vms.json has %s", name)
	doc["virtual_machines"] = slices.Delete(vms, i, i+1)
	b, err = json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

// orphanConfig syncs the inventory in dir with the given orphan grace period.
func orphanConfig(dir, grace string) string {
	return fmt.Sprintf(`
netbox:
  orphan_grace: %s
sync:
  apply_concurrency: 4
  retry:
    initial_interval: 100ms
    maximum_interval: 1s
    maximum_attempts: 3
sources:
  - name: lab-files
    type: filesystem
    path: %s
`, grace, dir)
}

// orphansByEndpoint counts the objects marked as orphans, by endpoint, and checks each mark.
func orphansByEndpoint(t *testing.T, nb *netbox, dates ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, ep := range syncedEndpoints() {
		for _, o := range nb.list(t, ep) {
			since := o.str("custom_fields.agent_orphaned_since")
			if since == "" {
				continue
			}
			require.Contains(t, dates, since, "%s %s: orphaned since", ep, o.str("display"))
			require.True(t, o.hasTag("agent-orphan"), "%s %s carries the orphan tag", ep, o.str("display"))
			out[ep]++
		}
	}
	return out
}

// TestOrphanMarkGraceDelete decommissions a virtual machine from the inventory. The next run
// marks it and everything under it as orphans (status offline, tag agent-orphan, date); runs
// within the grace period leave them alone and write nothing; once the grace period is over,
// the next run deletes them, children first, and nothing else.
func TestOrphanMarkGraceDelete(t *testing.T) {
	dir := copyInventory(t)
	e := newEnv(t, orphanConfig(dir, "30d"))
	m, err := metrics.New()
	require.NoError(t, err)
	e.metrics = m
	e.configure(e.configYAML, e.extraEnv...)
	_, first := e.sync(workflows.SyncRequest{})
	require.Empty(t, first.FailedBatches)
	before := e.nb.counts(t, syncedEndpoints())
	_, counted := metricValue(t, m, "netbox_agent_sync_orphaned_objects_total", map[string]string{"kind": "virtual_machine"})
	require.False(t, counted, "nothing was marked yet")

	// dns1 goes: the VM, its interface, MAC, IP and disk, and its two services.
	gone := map[string]int{"virtualization/virtual-machines": 1, "virtualization/interfaces": 1,
		"dcim/mac-addresses": 1, "ipam/ip-addresses": 1, "virtualization/virtual-disks": 1, "ipam/services": 2}
	removeVM(t, dir, "dns1")
	dayBefore := time.Now().UTC().Format(time.DateOnly)
	_, marked := e.sync(workflows.SyncRequest{})
	dayAfter := time.Now().UTC().Format(time.DateOnly)
	require.Empty(t, marked.FailedBatches)
	require.Empty(t, marked.Plan.Blocked)
	require.Equal(t, 7, marked.Plan.Total, "%+v", marked.Plan.Counts)
	require.Equal(t, 7, marked.Applied.Updated)
	require.Zero(t, marked.Applied.Deleted, "nothing is deleted within the grace period")
	require.Equal(t, gone, orphansByEndpoint(t, e.nb, dayBefore, dayAfter))
	for kind, n := range map[string]int{"virtual_machine": 1, "vm_interface": 1, "mac_address": 1, "ip_address": 1, "virtual_disk": 1, "service": 2} {
		v, ok := metricValue(t, m, "netbox_agent_sync_orphaned_objects_total", map[string]string{"kind": kind})
		require.True(t, ok, "%s marks are counted", kind)
		require.InDelta(t, float64(n), v, 0, kind)
	}
	vms := e.nb.list(t, "virtualization/virtual-machines", "name", "dns1")
	require.Len(t, vms, 1)
	require.Equal(t, "offline", vms[0].str("status.value"))
	require.Equal(t, before, e.nb.counts(t, syncedEndpoints()), "marking deletes nothing")

	// Within the grace period the orphans stay as they are.
	e.resetStats()
	_, within := e.sync(workflows.SyncRequest{})
	require.Zero(t, within.Plan.Total, "%+v", within.Plan.Counts)
	require.Zero(t, e.writes(), "%v", e.stats().Requests)

	// The grace period counts from the orphan date (a day); a second is over by the next run.
	e.configure(orphanConfig(dir, "1s"))
	_, deleted := e.sync(workflows.SyncRequest{})
	require.Empty(t, deleted.FailedBatches)
	require.Zero(t, deleted.Applied.Problems)
	require.Equal(t, 7, deleted.Applied.Deleted, "%+v", deleted.Plan.Counts)
	require.Zero(t, e.nb.count(t, "virtualization/virtual-machines", "name", "dns1"))
	want := map[string]int{}
	for ep, n := range before {
		want[ep] = n - gone[ep]
	}
	require.Equal(t, want, e.nb.counts(t, syncedEndpoints()), "exactly the orphans are gone")
	require.Empty(t, orphansByEndpoint(t, e.nb))

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	require.Zero(t, e.writes(), "%v", e.stats().Requests)
}
