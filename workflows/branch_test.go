package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// TestBranchRunIsReviewedBeforeItsMerge: with review.branch, a run writes
// every batch into its branch (the branch's schema ID on each), then waits
// for the review with the branch named in its progress and details; an
// approval merges the branch, a rejection or no answer leaves it unmerged.
func TestBranchRunIsReviewedBeforeItsMerge(t *testing.T) {
	branch := netbox.Branch{ID: 7, Name: "netbox-agent default-test-workflow-id", SchemaID: "fq4i16ff", Status: netbox.BranchReady,
		URL: "http://netbox.example/plugins/branching/branches/7/"}
	for _, tc := range []struct {
		name    string
		send    func(env interface{ SignalWorkflow(string, any) })
		outcome string
		merged  bool
	}{
		{"approved", func(env interface{ SignalWorkflow(string, any) }) { env.SignalWorkflow(ApproveUpdate, Decision{By: "cab"}) }, ReviewApproved, true},
		{"rejected", func(env interface{ SignalWorkflow(string, any) }) { env.SignalWorkflow(RejectUpdate, Decision{By: "cab"}) }, ReviewRejected, false},
		{"expired", func(interface{ SignalWorkflow(string, any) }) {}, ReviewExpired, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := settings("files")
			cfg.Review = activities.ReviewSettings{Required: true, Timeout: time.Hour, Branch: true}
			env := reviewEnvWith(t, cfg, twoStagePlan())
			env.OnActivity(a.Prepare, mock.Anything, mock.Anything).Return(prepared, nil).Once()
			env.OnActivity(a.OpenBranch, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.BranchInput) (netbox.Branch, error) {
					require.Equal(t, branch.Name, in.Name)
					require.Contains(t, in.Description, "runs/wf/plan.json")
					return branch, nil
				}).Once()
			var mu sync.Mutex
			var branches []string
			apply := applyMock(-1)
			env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
				func(ctx context.Context, in activities.ApplyInput) (netbox.BatchResult, error) {
					mu.Lock()
					branches = append(branches, in.Branch)
					mu.Unlock()
					return apply(ctx, in)
				}).Times(4)
			if tc.merged {
				env.OnActivity(a.MergeBranch, mock.Anything, activities.BranchInput{Name: branch.Name, ID: branch.ID}).Return(
					activities.BranchMerge{Branch: netbox.Branch{ID: 7, Name: branch.Name, SchemaID: branch.SchemaID, Status: netbox.BranchMerged}, Merged: true, JobID: 2223}, nil).Once()
			}
			var waiting Progress
			env.RegisterDelayedCallback(func() {
				v, err := env.QueryWorkflow(ProgressQuery)
				require.NoError(t, err)
				require.NoError(t, v.Get(&waiting))
				tc.send(env)
			}, 10*time.Minute)
			env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			var res SyncResult
			require.NoError(t, env.GetWorkflowResult(&res))

			require.Equal(t, []string{"fq4i16ff", "fq4i16ff", "fq4i16ff", "fq4i16ff"}, branches, "every batch into the branch")
			require.Equal(t, "awaiting approval", waiting.Phase)
			require.NotNil(t, waiting.Review)
			require.Equal(t, &branch, waiting.Review.Branch, "the progress names the branch under review")
			require.Equal(t, 4, waiting.Applied.BatchesDone, "written before the review")
			require.Equal(t, tc.outcome, res.Review.Outcome)
			if tc.merged {
				require.NotNil(t, res.Branch)
				require.True(t, res.Branch.Merged)
			} else {
				require.Nil(t, res.Branch, "not merged")
			}
			env.AssertExpectations(t)
		})
	}
}

// TestBranchNotOpenedForNothingToWrite: a plan that changes nothing opens
// no branch (the plugin leaves an empty branch unmerged).
func TestBranchNotOpenedForNothingToWrite(t *testing.T) {
	cfg := settings("files")
	cfg.Review = activities.ReviewSettings{Required: true, Timeout: time.Hour, Branch: true}
	env := reviewEnvWith(t, cfg, activities.PlanResult{Ref: "runs/wf/plan.json"})
	env.OnActivity(a.Prepare, mock.Anything, mock.Anything).Return(prepared, nil).Maybe()
	env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	require.NoError(t, env.GetWorkflowError())
	var res SyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Nil(t, res.Branch)
	require.Nil(t, res.Review)
	env.AssertExpectations(t)
}
