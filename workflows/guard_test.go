package workflows

import (
	"context"
	"strings"

	"github.com/stretchr/testify/mock"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// TestBaselineKeptAfterACleanApplyOnly: the guard's baseline is kept by a
// run that applied its whole plan, and by no run that failed a batch or
// wrote nothing.
func (s *syncSuite) TestBaselineKeptAfterACleanApplyOnly() {
	s.expectPipeline("files")
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Times(4)
	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	s.result()
	s.Require().Len(s.baselines, 1)
	s.Equal(activities.KeepBaselineInput{PlanRef: "runs/wf/plan.json", Run: testRun, Now: s.baselines[0].Now}, s.baselines[0])
	s.False(s.baselines[0].Now.IsZero())
}

func (s *syncSuite) TestBaselineNotKeptAfterAFailedBatch() {
	s.expectPipeline("files")
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(0))
	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.Equal(1, res.Applied.BatchesFailed)
	s.Empty(s.baselines, "what a partly applied plan left is no baseline")
}

func (s *syncSuite) TestBaselineNotKeptByADryRun() {
	s.expectConfigureAndMerge("files")
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(twoStagePlan(), nil)
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{DryRun: true})
	s.result()
	s.Empty(s.baselines)
}

// TestLetThroughReachesThePlanAndTheMemo: the run's AllowDeletes reach
// the plan; what the plan let through is in the result, the memo the
// Web UI shows, and the run's last details.
func (s *syncSuite) TestLetThroughReachesThePlanAndTheMemo() {
	s.expectConfigureAndMerge("files")
	plan := twoStagePlan()
	entry := netbox.GuardEntry{Source: "files", Kind: inventory.KindIPAddress, Baseline: 40, Live: 40, Present: 4, Orphans: 36, Lost: 36,
		Allowed: true, Reason: "would lose 36 of 40 (NetBox holds 40), 90%, more than mass_delete_threshold 10%"}
	plan.Summary.Guard = []netbox.GuardEntry{entry}
	plan.Summary.LetThrough = []string{entry.String()}
	var planned []activities.PlanInput
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInput) (activities.PlanResult, error) {
			planned = append(planned, in)
			return plan, nil
		})
	s.expectPrepare()
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Times(4)
	var memos []map[string]any
	s.env.OnUpsertMemo(mock.Anything).Run(func(args mock.Arguments) {
		memos = append(memos, args.Get(0).(map[string]any))
	}).Return(nil).Once()

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{AllowDeletes: []string{"files/ip_address"}})
	res := s.result()
	s.Require().Len(planned, 1)
	s.Equal([]string{"files/ip_address"}, planned[0].AllowDeletes)
	s.Equal([]string{"files ip_address: would lose 36 of 40 (NetBox holds 40), 90%, more than mass_delete_threshold 10%: let through for this run"},
		res.Plan.LetThrough)
	s.Require().Len(memos, 1)
	s.Equal(map[string]any{MemoAllowDeletes: "files/ip_address", MemoLetThrough: res.Plan.LetThrough}, memos[0])
	s.Require().Len(s.records, 1)
	s.Equal([]netbox.GuardEntry{entry}, s.records[0].Guard)
	s.Len(s.baselines, 1, "the let-through run keeps the baseline it lowered")
}

// TestLetThroughRefusedForASavedPlan: what a saved plan lets through was
// decided when it was made; an apply given AllowDeletes ends at once.
func (s *syncSuite) TestLetThroughRefusedForASavedPlan() {
	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{PlanRef: "runs/wf/plan.json", AllowDeletes: []string{"*"}})
	s.Require().True(s.env.IsWorkflowCompleted())
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	s.True(strings.Contains(err.Error(), "allow_deletes applies when a plan is made"), err.Error())
	s.Contains(err.Error(), ErrTypeBadRequest)
	s.Empty(s.baselines)
}
