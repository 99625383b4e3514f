package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestExplain: for one object, the sources that reported it and how they
// were matched, each field's value and source with how a disagreement was
// settled, and what each run's plan did to it.
func TestExplain(t *testing.T) {
	ctx := context.Background()
	store, err := blob.Open(ctx, "file://"+t.TempDir(), "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })

	var nas inventory.Record
	nas.Kind, nas.Key, nas.Source = inventory.KindDevice, "files/device/nas1", "files"
	nas.Set("name", "nas1")
	nas.Set("serial", "SN-1")
	nas.Set("description", "TrueNAS SCALE")
	nas.Ref("site", "site/home")
	nas.Origin = map[string]string{"name": "files", "serial": "nas", "description": "nas", "site": "files"}
	nas.Aliases = []string{"nas/system"}
	var other inventory.Record
	other.Kind, other.Key, other.Source = inventory.KindDevice, "files/device/pve1", "files"
	other.Set("name", "pve1")
	_, err = store.PutJSON(ctx, "runs/r2/inventory.json", []inventory.Record{nas, other})
	require.NoError(t, err)
	_, err = store.PutJSON(ctx, "runs/r2/matches.json", inventory.MergeReport{
		Matches:   []inventory.Match{{Kind: "device", Key: "files/device/nas1", Record: "nas/system", Source: "nas", With: "files/device/nas1", WithSource: "files", Rule: "serial", Value: "SN-1"}},
		Conflicts: []inventory.Match{{Kind: "device", Key: "files/device/nas1", Record: "ha/device/x", Source: "ha", With: "files/device/nas1", WithSource: "files", Rule: "mac", Value: "02:00:00:00:00:01", Reason: "overlap too low"}},
		Fields: []inventory.FieldConflict{{Kind: "device", Key: "files/device/nas1", Field: "description",
			Values: []inventory.SourceValue{{Source: "files", Value: "rack 3"}, {Source: "nas", Value: "TrueNAS SCALE"}}, Chosen: "nas", By: inventory.SettledByAuthority}},
	})
	require.NoError(t, err)
	_, err = store.PutJSON(ctx, "runs/r2/plan.json", netbox.Plan{Batches: []netbox.Batch{
		{Kind: "device", Op: netbox.OpUpdate, Ops: []netbox.Operation{
			{Key: "files/device/nas1", ID: 7, Name: "nas1", Changes: []netbox.Change{{Field: "description", From: "rack 3", To: "TrueNAS SCALE"}}},
			{Key: "files/device/pve1", ID: 8, Name: "pve1", Changes: []netbox.Change{{Field: "serial", From: "A", To: "B"}}}}}}})
	require.NoError(t, err)
	_, err = store.PutJSON(ctx, "runs/r1/plan.json", netbox.Plan{Batches: []netbox.Batch{
		{Kind: "device", Op: netbox.OpCreate, Ops: []netbox.Operation{{Key: "files/device/nas1", Name: "nas1", Reason: "new"}}}}})
	require.NoError(t, err)
	runs := []pastRun{
		{ID: "sync-2", Closed: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC), Result: workflows.SyncResult{InventoryRef: "runs/r2/inventory.json", PlanRef: "runs/r2/plan.json"}},
		{ID: "sync-1", Closed: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), Result: workflows.SyncResult{InventoryRef: "runs/r1/inventory.json", PlanRef: "runs/r1/plan.json"}},
	}

	for _, name := range []string{"nas1", "NAS1", "files/device/nas1", "nas/system"} {
		var b strings.Builder
		require.NoError(t, explain(ctx, &b, store, runs, inventory.KindDevice, name), name)
		out := b.String()
		assert.Contains(t, out, `device "nas1" (key files/device/nas1), as run sync-2 merged it`)
		assert.Contains(t, out, `nas/system (nas) joined with files/device/nas1 (files) by serial "SN-1"`)
		assert.Contains(t, out, `refused: ha/device/x (ha) with files/device/nas1 (files) by mac "02:00:00:00:00:01": overlap too low`)
		assert.Regexp(t, `description\s+"TrueNAS SCALE"\s+nas\s+\(files said "rack 3"; settled by authority\)`, out)
		assert.Regexp(t, `site\s+→ site/home\s+files`, out)
		assert.Contains(t, out, "sync-2 2026-12-03T08:00:00Z:\n  ~ update nas1 (#7)\n      description: \"rack 3\" → \"TrueNAS SCALE\"\n")
		assert.Contains(t, out, "sync-1 2026-12-02T08:00:00Z:\n  + create nas1\n")
		assert.NotContains(t, out, "pve1", "only the object asked for")
	}

	var b strings.Builder
	err = explain(ctx, &b, store, runs, inventory.KindDevice, "nas9")
	assert.ErrorContains(t, err, `no device named "nas9" or with that key in runs/r2/inventory.json`)
	err = explain(ctx, &b, store, runs[:0], inventory.KindDevice, "nas1")
	assert.ErrorContains(t, err, "no run has a merged inventory")
}
