package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

func exampleConfig(t *testing.T) string {
	return fmt.Sprintf(`
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
`, repoPath(t, "examples/inventory"))
}

// activityIDs lists the activity IDs a run scheduled, in order.
func activityIDs(t *testing.T, run client.WorkflowRun) []string {
	t.Helper()
	var ids []string
	it := devServer.Client().GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			ids = append(ids, a.ActivityId)
		}
	}
	return ids
}

func TestExampleInventorySync(t *testing.T) {
	e := newEnv(t, exampleConfig(t))

	run, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Empty(t, res.FailedBatches)
	require.Positive(t, res.Applied.Created)
	require.Zero(t, res.Applied.Problems)
	require.Equal(t, res.Plan.Total, res.Applied.Created+res.Applied.Updated, "every planned operation applied")
	firstWrites := e.writes()
	t.Logf("first sync: %d records, %d created, %d batches, %d NetBox requests (%d writes)",
		res.Records, res.Applied.Created, res.Applied.Batches, e.stats().Total, firstWrites)

	recordHistory(t, run, "sync_example")
	ids := activityIDs(t, run)
	require.Contains(t, ids, "discover/lab-files")
	require.Contains(t, ids, "merge")
	require.Contains(t, ids, "plan")
	require.True(t, slices.ContainsFunc(ids, func(id string) bool { return strings.HasPrefix(id, "apply/0000-") }), "apply activities: %v", ids)
	require.Contains(t, ids, "keep-baseline", "a clean apply keeps the guard's baseline")

	requireExampleInventory(t, e.nb, "lab-files")
	requireScheme(t, e)

	// A second run over an unchanged world writes nothing.
	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "second sync wrote to NetBox: %v", e.stats().Requests)
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	require.Zero(t, again.Applied.Created+again.Applied.Updated+again.Applied.Deleted)
	t.Logf("unchanged re-sync: %d NetBox requests, 0 writes", e.stats().Total)
}

// TestChangelogNamesTheRun: on the releases that take changelog_message (4.4 on), NetBox's
// changelog ties every change of a first sync to the run that made it and to its step.
func TestChangelogNamesTheRun(t *testing.T) {
	e := newEnv(t, exampleConfig(t))
	run, res := e.sync(workflows.SyncRequest{})
	require.Empty(t, res.FailedBatches)
	require.NotEmpty(t, res.NetBoxVersion, "the run names the NetBox it talked to")
	if !atLeast4(res.NetBoxVersion, 4) {
		t.Skipf("NetBox %s takes no changelog_message", res.NetBoxVersion)
	}
	changes := e.nb.list(t, "core/object-changes")
	require.GreaterOrEqual(t, len(changes), res.Applied.Created, "a change for each object created")
	prefix := "netbox-agent run " + run.GetID() + "/" + run.GetRunID() + " "
	for _, c := range changes {
		msg := c.str("message")
		require.True(t, strings.HasPrefix(msg, prefix), "change %d of %s: message %q", c.int("id"), c.str("changed_object_type"), msg)
		step := strings.TrimPrefix(msg, prefix)
		require.True(t, step == "prepare" || strings.HasPrefix(step, "batch "), "change %d names its step: %q", c.int("id"), msg)
	}
}

// requireExampleInventory checks what the example inventory, synced by the source named
// source, left in NetBox: every object the agent's own, with its tag and custom fields.
func requireExampleInventory(t *testing.T, nb *netbox, source string) {
	t.Helper()
	devices := nb.list(t, "dcim/devices")
	require.Len(t, devices, 5)
	for _, d := range devices {
		name := d.str("name")
		require.True(t, d.hasTag("netbox-agent"), "device %s lacks the agent tag", name)
		require.NotEmpty(t, d.str("custom_fields.agent_id"), "device %s lacks agent_id", name)
		require.Equal(t, source, d.str("custom_fields.agent_source"), "device %s", name)
		require.NotEmpty(t, d.get("custom_fields.agent_last_seen"), "device %s", name)
	}
	require.Positive(t, nb.count(t, "virtualization/virtual-machines"))
	ips := nb.list(t, "ipam/ip-addresses")
	require.NotEmpty(t, ips)
	for _, ip := range ips {
		require.NotNil(t, ip.get("assigned_object_id"), "ip %s is assigned", ip.str("address"))
	}
	require.Positive(t, nb.count(t, "dcim/mac-addresses"))
	require.Equal(t, 1, nb.count(t, "extras/tags", "slug", "netbox-agent"))
	require.Equal(t, 3, nb.count(t, "extras/custom-fields", "name", "agent_id", "name", "agent_source", "name", "agent_last_seen"))
}

func TestDryRunThroughTheTemporalCLI(t *testing.T) {
	e := newEnv(t, exampleConfig(t))
	id := "e2e-cli-dry-run"
	cli(t, "workflow", "start", "--type", "SyncWorkflow", "--task-queue", e.queue,
		"--workflow-id", id, "--input", `{"dry_run": true}`)
	out := cli(t, "workflow", "result", "--workflow-id", id, "--output", "json")

	var envelope struct {
		Status string               `json:"status"`
		Result workflows.SyncResult `json:"result"`
	}
	require.NoError(t, json.Unmarshal(out, &envelope), "%s", out)
	require.Contains(t, envelope.Status, "COMPLETED")
	require.True(t, envelope.Result.DryRun)
	require.Positive(t, envelope.Result.Plan.Total)
	require.NotEmpty(t, envelope.Result.PlanRef)
	require.Zero(t, e.writes(), "a dry run writes nothing, not even the agent's tags: %v", e.stats().Requests)
}

// TestReviewedPlanIsAppliedAsMade saves a plan with a dry run and applies
// exactly that plan later, as `starter apply --plan` does.
func TestReviewedPlanIsAppliedAsMade(t *testing.T) {
	e := newEnv(t, exampleConfig(t))
	dryRun, dry := e.sync(workflows.SyncRequest{DryRun: true})
	recordHistory(t, dryRun, "sync_dry_run")
	require.True(t, dry.DryRun)
	require.Positive(t, dry.Plan.Total)
	require.Zero(t, e.writes(), "the dry run wrote nothing")

	savedRun, applied := e.sync(workflows.SyncRequest{PlanRef: dry.PlanRef})
	recordHistory(t, savedRun, "sync_saved_plan")
	require.Equal(t, dry.PlanRef, applied.PlanRef)
	require.Empty(t, applied.Sources, "a saved plan is applied without discovering again")
	require.Empty(t, applied.FailedBatches)
	require.Equal(t, dry.Plan.Total, applied.Applied.Created+applied.Applied.Updated)
	require.Equal(t, 5, e.nb.count(t, "dcim/devices"))

	// The world did not change, so a fresh sync finds nothing to do.
	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	require.Zero(t, e.writes(), "%v", e.stats().Requests)
}
