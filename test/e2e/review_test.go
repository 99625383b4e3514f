package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/workflows"
)

// reviewConfig is the example inventory with review required.
func reviewConfig(t *testing.T, timeout string) string {
	return exampleConfig(t) + "review:\n  mode: required\n  timeout: " + timeout + "\n"
}

// startReviewed starts a sync and waits until it waits for approval.
func (e *env) startReviewed(id string) client.WorkflowRun {
	e.t.Helper()
	ctx := context.Background()
	run, err := devServer.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: e.queue, StaticSummary: "e2e " + e.t.Name(),
	}, workflows.SyncWorkflow, workflows.SyncRequest{})
	require.NoError(e.t, err)
	require.Eventually(e.t, func() bool {
		v, err := devServer.Client().QueryWorkflow(ctx, id, "", workflows.ProgressQuery)
		if err != nil {
			return false
		}
		var p workflows.Progress
		return v.Get(&p) == nil && p.Phase == "awaiting approval" && p.Review != nil
	}, time.Minute, 100*time.Millisecond, "the run waits for approval")
	require.Zero(e.t, e.writes(), "nothing written while the run waits: %v", e.stats().Requests)
	return run
}

func (e *env) result(run client.WorkflowRun) workflows.SyncResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var res workflows.SyncResult
	require.NoError(e.t, run.Get(ctx, &res))
	return res
}

// TestApprovedThroughTheTemporalCLI: a run with review required waits with
// its plan; `temporal workflow update execute --name approve` lets it write.
func TestApprovedThroughTheTemporalCLI(t *testing.T) {
	e := newEnv(t, reviewConfig(t, "1h"))
	id := "e2e-review-approve"
	run := e.startReviewed(id)
	cli(t, "workflow", "update", "execute", "--name", workflows.ApproveUpdate, "--workflow-id", id,
		"--input", `{"by": "ops", "comment": "looks right"}`)
	res := e.result(run)
	require.NotNil(t, res.Review)
	require.Equal(t, workflows.ReviewApproved, res.Review.Outcome)
	require.Equal(t, "ops", res.Review.By)
	require.Empty(t, res.FailedBatches)
	require.Equal(t, res.Plan.Total, res.Applied.Created+res.Applied.Updated)
	requireExampleInventory(t, e.nb, "lab-files")
}

// TestRejectedOrExpiredWritesNothing: a rejected plan, and one nobody
// answers in time, end their runs with nothing written to NetBox.
func TestRejectedOrExpiredWritesNothing(t *testing.T) {
	e := newEnv(t, reviewConfig(t, "1h"))
	run := e.startReviewed("e2e-review-reject")
	h, err := devServer.Client().UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: run.GetID(), UpdateName: workflows.RejectUpdate, Args: []any{workflows.Decision{By: "ops"}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	require.NoError(t, err)
	var rv workflows.Review
	require.NoError(t, h.Get(context.Background(), &rv))
	require.Equal(t, workflows.ReviewRejected, rv.Outcome)
	res := e.result(run)
	require.Equal(t, workflows.ReviewRejected, res.Review.Outcome)
	require.Zero(t, e.writes(), "a rejected plan writes nothing: %v", e.stats().Requests)
	require.Zero(t, e.nb.count(t, "dcim/devices"))

	e.configure(reviewConfig(t, "2s"))
	run = e.startReviewed("e2e-review-expire")
	res = e.result(run)
	require.Equal(t, workflows.ReviewExpired, res.Review.Outcome)
	require.Zero(t, e.writes(), "an expired plan writes nothing: %v", e.stats().Requests)
	require.Zero(t, e.nb.count(t, "dcim/devices"))
}
