package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	nb "github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/test/realnetbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// branchConfig is the example inventory with review required, into a
// netbox-branching branch.
func branchConfig(t *testing.T) string {
	return exampleConfig(t) + "review:\n  mode: required\n  timeout: 1h\n  branch: true\n"
}

// startInBranch starts a sync and waits until it has written its branch
// and waits for approval; it returns the run and the branch.
func (e *env) startInBranch(id string) (client.WorkflowRun, nb.Branch) {
	e.t.Helper()
	ctx := context.Background()
	run, err := devServer.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: e.queue, StaticSummary: "e2e " + e.t.Name(),
	}, workflows.SyncWorkflow, workflows.SyncRequest{})
	require.NoError(e.t, err)
	var p workflows.Progress
	require.Eventually(e.t, func() bool {
		v, err := devServer.Client().QueryWorkflow(ctx, id, "", workflows.ProgressQuery)
		return err == nil && v.Get(&p) == nil && p.Phase == "awaiting approval" && p.Review != nil && p.Review.Branch != nil
	}, 5*time.Minute, 250*time.Millisecond, "the run writes its branch and waits for approval")
	require.Equal(e.t, p.Applied.Batches, p.Applied.BatchesDone, "every batch written into the branch: %+v", p.Applied)
	return run, *p.Review.Branch
}

// countInBranch reads, past the proxy, the number of objects at an endpoint
// path inside a branch.
func (n *netbox) countInBranch(t *testing.T, schemaID, endpoint string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, n.endpointURL(endpoint, nil)+"?limit=1&brief=true", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", authorization(n.token))
	req.Header.Set(nb.BranchHeader, schemaID)
	resp, err := n.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var page listPage
	require.NoError(t, json.Unmarshal(body, &page))
	return page.Count
}

// branchStatus is the plugin's status of a branch.
func (n *netbox) branchStatus(t *testing.T, id int64) string {
	t.Helper()
	var b struct {
		Status struct {
			Value string `json:"value"`
		} `json:"status"`
	}
	require.NoError(t, n.fetch(context.Background(), fmt.Sprintf("%s/api/plugins/branching/branches/%d/", n.direct, id), &b))
	return b.Status.Value
}

// TestBranchReviewedThenMergedOrRejected: with review.branch, a run writes
// the example inventory into a netbox-branching branch of the real NetBox
// and waits; main holds nothing of it while the branch holds all of it.
// Approved through the temporal CLI, the branch is merged and main holds
// the inventory; rejected, main stays untouched and the branch stays,
// unmerged, for the record.
func TestBranchReviewedThenMergedOrRejected(t *testing.T) {
	if _, real := realnetbox.FromEnv(); !real {
		t.Skip("the emulator has no netbox-branching plugin: this runs on the real NetBox (make test-netbox)")
	}
	e := newEnv(t, branchConfig(t))

	run, branch := e.startInBranch("e2e-branch-approve")
	require.Equal(t, "netbox-agent e2e-branch-approve", branch.Name)
	require.Zero(t, e.nb.count(t, "dcim/devices"), "main holds nothing before the merge")
	require.Equal(t, 5, e.nb.countInBranch(t, branch.SchemaID, "dcim/devices"), "the branch holds the devices")
	require.Equal(t, nb.BranchReady, e.nb.branchStatus(t, branch.ID))
	cli(t, "workflow", "update", "execute", "--name", workflows.ApproveUpdate, "--workflow-id", run.GetID(),
		"--input", `{"by": "cab", "comment": "reviewed in NetBox"}`)
	res := e.result(run)
	recordHistory(t, run, "sync_branch_merged")
	require.Equal(t, workflows.ReviewApproved, res.Review.Outcome)
	require.NotNil(t, res.Branch)
	require.True(t, res.Branch.Merged, "%+v", res.Branch)
	require.Empty(t, res.FailedBatches)
	require.Equal(t, nb.BranchMerged, e.nb.branchStatus(t, branch.ID))
	requireExampleInventory(t, e.nb, "lab-files")

	e.resetNetBox()
	run, branch = e.startInBranch("e2e-branch-reject")
	require.Zero(t, e.nb.count(t, "dcim/devices"))
	h, err := devServer.Client().UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: run.GetID(), UpdateName: workflows.RejectUpdate, Args: []any{workflows.Decision{By: "cab"}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	require.NoError(t, err)
	var rv workflows.Review
	require.NoError(t, h.Get(context.Background(), &rv))
	res = e.result(run)
	require.Equal(t, workflows.ReviewRejected, res.Review.Outcome)
	require.Nil(t, res.Branch, "not merged")
	require.Zero(t, e.nb.count(t, "dcim/devices"), "main untouched")
	require.Zero(t, e.nb.count(t, "virtualization/virtual-machines"), "main untouched")
	require.Equal(t, nb.BranchReady, e.nb.branchStatus(t, branch.ID), "the rejected branch stays, unmerged")
	require.Equal(t, 5, e.nb.countInBranch(t, branch.SchemaID, "dcim/devices"))
}
