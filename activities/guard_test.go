package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

func TestKeepBaseline(t *testing.T) {
	const ip, dev = inventory.KindIPAddress, inventory.KindDevice
	ctx := context.Background()
	a := planActivities(t, simAt(t, "4.3"), nil)
	a.Settings.ApplyLock = ApplyLockKey("https://netbox.example.internal")
	ae := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	ae.RegisterActivity(a)
	keep := func(plan string) KeepBaselineResult {
		t.Helper()
		val, err := ae.ExecuteActivity(a.KeepBaseline, KeepBaselineInput{PlanRef: plan, Run: "wf/r", Now: time.Unix(1, 0).UTC()})
		require.NoError(t, err)
		var res KeepBaselineResult
		require.NoError(t, val.Get(&res))
		return res
	}
	stored := func() guardBaseline {
		t.Helper()
		doc, err := a.loadBaseline(ctx)
		require.NoError(t, err)
		return doc
	}

	// A plan without entries beside it (made before they were kept) changes nothing.
	assert.Equal(t, KeepBaselineResult{}, keep("runs/wf/r0/plan.json"))
	assert.Nil(t, stored().Baseline)

	_, err := a.Blob.PutJSON(ctx, GuardRef("runs/wf/r1/plan.json"), []netbox.GuardEntry{
		{Source: "pve", Kind: dev, Baseline: 0, Live: 0, Present: 10},
		{Source: "pve", Kind: ip, Baseline: 0, Live: 0, Present: 40},
	})
	require.NoError(t, err)
	assert.Equal(t, KeepBaselineResult{Kinds: 2}, keep("runs/wf/r1/plan.json"))
	assert.Equal(t, netbox.Baseline{"pve": {dev: 10, ip: 40}}, stored().Baseline)

	// The addresses' block is let through: their baseline falls; the
	// devices' drop inside the limits leaves theirs.
	_, err = a.Blob.PutJSON(ctx, GuardRef("runs/wf/r2/plan.json"), []netbox.GuardEntry{
		{Source: "pve", Kind: dev, Stored: 10, Baseline: 10, Live: 10, Present: 9, Lost: 1},
		{Source: "pve", Kind: ip, Stored: 40, Baseline: 40, Live: 40, Present: 4, Lost: 36, Allowed: true},
	})
	require.NoError(t, err)
	assert.Equal(t, KeepBaselineResult{Kinds: 2, Lowered: []string{"pve/ip_address: 40 -> 4"}}, keep("runs/wf/r2/plan.json"))
	doc := stored()
	assert.Equal(t, netbox.Baseline{"pve": {dev: 10, ip: 4}}, doc.Baseline)
	assert.Equal(t, "runs/wf/r2/plan.json", doc.Plan)

	// The baseline is one NetBox's: another's starts empty.
	a.Settings.ApplyLock = ApplyLockKey("https://other.example.internal")
	assert.Nil(t, stored().Baseline)
}

func TestPlanRefusesABadLetThrough(t *testing.T) {
	a := planActivities(t, simAt(t, "4.3"), nil)
	ae := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	ae.RegisterActivity(a)
	in := planInput()
	in.AllowDeletes = []string{"nas1/ip_address", "nas1/sites"}
	_, err := ae.ExecuteActivity(a.Plan, in)
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	assert.True(t, appErr.NonRetryable())
	assert.Contains(t, err.Error(), `"nas1/sites": "sites" is not a kind the agent orphans`)
}
