package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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
	recordHistory(t, run, "sync_review_approved")
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
	recordHistory(t, run, "sync_review_rejected")
	require.Zero(t, e.writes(), "a rejected plan writes nothing: %v", e.stats().Requests)
	require.Zero(t, e.nb.count(t, "dcim/devices"))

	e.configure(reviewConfig(t, "2s"))
	run = e.startReviewed("e2e-review-expire")
	res = e.result(run)
	require.Equal(t, workflows.ReviewExpired, res.Review.Outcome)
	recordHistory(t, run, "sync_review_expired")
	require.Zero(t, e.writes(), "an expired plan writes nothing: %v", e.stats().Requests)
	require.Zero(t, e.nb.count(t, "dcim/devices"))
}

// TestOperatorEditBetweenPlanAndApplyIsKept: a plan saved by a dry run
// updates the site; an operator edits the site in NetBox before the plan is
// applied; the apply skips that update and reports it, and the operator's
// edit stays.
func TestOperatorEditBetweenPlanAndApplyIsKept(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(repoPath(t, "examples/inventory"))))
	cfg := strings.Replace(exampleConfig(t), repoPath(t, "examples/inventory"), dir, 1)
	e := newEnv(t, cfg)
	_, first := e.sync(workflows.SyncRequest{})
	require.Empty(t, first.FailedBatches)

	site := filepath.Join(dir, "site.yaml")
	text, err := os.ReadFile(site)
	require.NoError(t, err)
	moved := strings.Replace(string(text), "Basement rack and the office shelf", "Moved to the garage", 1)
	require.NotEqual(t, string(text), moved)
	require.NoError(t, os.WriteFile(site, []byte(moved), 0o600))

	_, dry := e.sync(workflows.SyncRequest{DryRun: true})
	require.Equal(t, 1, dry.Plan.Total, "%+v", dry.Plan.Counts)

	sites := e.nb.list(t, "dcim/sites")
	require.Len(t, sites, 1)
	id := sites[0].int("id")
	code, body := e.nb.edit(t, "dcim/sites", id, map[string]any{"comments": "operator: rack keeps its place"})
	require.Equal(t, 200, code, "%s", body)

	_, applied := e.sync(workflows.SyncRequest{PlanRef: dry.PlanRef})
	require.Empty(t, applied.FailedBatches)
	require.Zero(t, applied.Applied.Updated, "the edited site is not overwritten")
	require.Equal(t, 1, applied.Applied.Skipped)
	require.Equal(t, 1, applied.Applied.Problems, "the skipped update is reported")
	now := e.nb.list(t, "dcim/sites")[0]
	require.Equal(t, "Basement rack and the office shelf", now.str("description"))
	require.Equal(t, "operator: rack keeps its place", now.str("comments"))
}
