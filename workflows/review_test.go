package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/blob"
)

// reviewEnv is a run whose config requires review, with a one-source pipeline.
func reviewEnv(t *testing.T, timeout time.Duration) *testsuite.TestWorkflowEnvironment {
	cfg := settings("files")
	cfg.Review = activities.ReviewSettings{Required: true, Timeout: timeout}
	return reviewEnvWith(t, cfg, twoStagePlan())
}

// reviewEnvWith is a run of those settings and that plan, with a
// one-source pipeline.
func reviewEnvWith(t *testing.T, cfg activities.ConfigureResult, plan activities.PlanResult) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(SyncWorkflow)
	env.RegisterActivity(a)
	env.OnActivity(a.RecordRun, mock.Anything, mock.Anything).Return(activities.RecordRunResult{}, nil).Maybe()
	env.OnActivity(a.PruneBlobs, mock.Anything, mock.Anything).Return(blob.Pruned{}, nil).Maybe()
	env.OnActivity(a.KeepBaseline, mock.Anything, mock.Anything).Return(activities.KeepBaselineResult{}, nil).Maybe()
	env.OnActivity(a.Configure, mock.Anything, mock.Anything).Return(cfg, nil)
	env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	env.OnActivity(a.Merge, mock.Anything, mock.Anything).Return(activities.MergeResult{Ref: "runs/wf/inventory.json", Records: 400}, nil)
	env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(plan, nil)
	return env
}

// updateCallback records how an update ended.
type updateCallback struct {
	accepted, done bool
	rejected       error
	result         Review
}

func (c *updateCallback) Accept()          { c.accepted = true }
func (c *updateCallback) Reject(err error) { c.rejected = err }
func (c *updateCallback) Complete(v any, err error) {
	c.done = true
	if err == nil {
		c.result = v.(Review)
	}
}

func TestReviewDecisions(t *testing.T) {
	cases := []struct {
		name    string
		send    func(env *testsuite.TestWorkflowEnvironment, cb *updateCallback)
		outcome string
		applied bool
	}{
		{"approve update", func(env *testsuite.TestWorkflowEnvironment, cb *updateCallback) {
			env.UpdateWorkflow(ApproveUpdate, "u1", cb, Decision{By: "ops", Comment: "looks right"})
		}, ReviewApproved, true},
		{"reject update", func(env *testsuite.TestWorkflowEnvironment, cb *updateCallback) {
			env.UpdateWorkflow(RejectUpdate, "u1", cb, Decision{By: "ops"})
		}, ReviewRejected, false},
		{"approve signal", func(env *testsuite.TestWorkflowEnvironment, _ *updateCallback) {
			env.SignalWorkflow(ApproveUpdate, Decision{By: "ops"})
		}, ReviewApproved, true},
		{"reject signal", func(env *testsuite.TestWorkflowEnvironment, _ *updateCallback) {
			env.SignalWorkflow(RejectUpdate, nil)
		}, ReviewRejected, false},
		{"nothing sent", func(*testsuite.TestWorkflowEnvironment, *updateCallback) {}, ReviewExpired, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := reviewEnv(t, time.Hour)
			if tc.applied {
				env.OnActivity(a.Prepare, mock.Anything, mock.Anything).Return(prepared, nil).Once()
				env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Times(4)
			}
			cb := &updateCallback{}
			var waiting Progress
			var details string
			env.RegisterDelayedCallback(func() {
				v, err := env.QueryWorkflow(ProgressQuery)
				require.NoError(t, err)
				require.NoError(t, v.Get(&waiting))
				md, err := env.QueryWorkflow("__temporal_workflow_metadata")
				require.NoError(t, err)
				var meta sdkpb.WorkflowMetadata
				require.NoError(t, md.Get(&meta))
				details = meta.GetCurrentDetails()
				tc.send(env, cb)
			}, 10*time.Minute)
			env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			var res SyncResult
			require.NoError(t, env.GetWorkflowResult(&res))

			require.Equal(t, "awaiting approval", waiting.Phase)
			require.NotNil(t, waiting.Review)
			require.Equal(t, ReviewWaiting, waiting.Review.Outcome)
			require.Equal(t, "runs/wf/plan.json", waiting.Review.PlanRef)
			require.Contains(t, details, "awaiting approval")
			require.Contains(t, details, "create 200 device")

			require.NotNil(t, res.Review)
			require.Equal(t, tc.outcome, res.Review.Outcome)
			if tc.applied {
				require.Equal(t, 400, res.Applied.Created)
				require.Equal(t, 4, res.Applied.BatchesDone)
			} else {
				require.Zero(t, res.Applied.Created)
				require.Nil(t, res.Prepared, "nothing prepared, nothing written")
			}
			if cb.accepted {
				require.True(t, cb.done)
				require.Equal(t, tc.outcome, cb.result.Outcome)
			}
			env.AssertExpectations(t)
		})
	}
}

// TestReviewRefusesASecondDecision: once decided, the validator refuses
// further updates, and the first decision stands.
func TestReviewRefusesASecondDecision(t *testing.T) {
	env := reviewEnv(t, time.Hour)
	env.OnActivity(a.Prepare, mock.Anything, mock.Anything).After(5*time.Minute).Return(prepared, nil).Once()
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Times(4)
	first, second := &updateCallback{}, &updateCallback{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(ApproveUpdate, "u1", first, Decision{By: "a"})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(RejectUpdate, "u2", second, Decision{By: "b"})
	}, 2*time.Minute)
	env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	var res SyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.True(t, first.accepted)
	require.Error(t, second.rejected, "the second decision is refused")
	require.Contains(t, second.rejected.Error(), "approved already")
	require.Equal(t, ReviewApproved, res.Review.Outcome)
	require.Equal(t, "a", res.Review.By)
	require.Equal(t, 400, res.Applied.Created)
}

// TestSavedPlanPastItsMaxAge: a saved plan older than plan_max_age fails
// the run before anything is prepared or written.
func TestSavedPlanPastItsMaxAge(t *testing.T) {
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(SyncWorkflow)
	env.RegisterActivity(a)
	env.OnActivity(a.RecordRun, mock.Anything, mock.Anything).Return(activities.RecordRunResult{}, nil).Maybe()
	env.OnActivity(a.PruneBlobs, mock.Anything, mock.Anything).Return(blob.Pruned{}, nil).Maybe()
	env.OnActivity(a.KeepBaseline, mock.Anything, mock.Anything).Return(activities.KeepBaselineResult{}, nil).Maybe()
	cfg := settings()
	cfg.Review.PlanMaxAge = time.Hour
	env.OnActivity(a.Configure, mock.Anything, mock.Anything).Return(cfg, nil)
	plan := twoStagePlan()
	plan.CreatedAt = env.Now().Add(-2 * time.Hour)
	env.OnActivity(a.DescribePlan, mock.Anything, mock.Anything).Return(plan, nil)
	env.ExecuteWorkflow(SyncWorkflow, SyncRequest{PlanRef: plan.Ref})
	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	require.Equal(t, ErrTypePlanExpired, appErr.Type())
	require.Contains(t, appErr.Error(), "review.plan_max_age")
	env.AssertExpectations(t)
}
