package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

type syncSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment
	// records are the inputs of the runs' record-run steps.
	records []activities.RecordRunInput
	prunes  []activities.PruneInput
	// baselines are the inputs of the runs' keep-baseline steps.
	baselines []activities.KeepBaselineInput
}

func TestSyncWorkflow(t *testing.T) { suite.Run(t, new(syncSuite)) }

func (s *syncSuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.env.RegisterWorkflow(SyncWorkflow)
	s.env.RegisterActivity(a)
	s.records = nil
	s.env.OnActivity(a.RecordRun, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordRunInput) (activities.RecordRunResult, error) {
			s.records = append(s.records, in)
			return activities.RecordRunResult{}, nil
		}).Maybe()
	s.baselines = nil
	s.env.OnActivity(a.KeepBaseline, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.KeepBaselineInput) (activities.KeepBaselineResult, error) {
			s.baselines = append(s.baselines, in)
			return activities.KeepBaselineResult{}, nil
		}).Maybe()
	s.prunes = nil
	s.env.OnActivity(a.PruneBlobs, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PruneInput) (blob.Pruned, error) {
			s.prunes = append(s.prunes, in)
			return blob.Pruned{}, nil
		}).Maybe()
}

func (s *syncSuite) TearDownTest() { s.env.AssertExpectations(s.T()) }

func settings(sources ...string) activities.ConfigureResult {
	cfg := activities.ConfigureResult{Settings: activities.Settings{
		ApplyConcurrency: 2,
		DiscoverTimeout:  time.Minute,
		ApplyTimeout:     time.Minute,
		HeartbeatTimeout: 30 * time.Second,
		Retry:            activities.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second, MaximumAttempts: 2},
	}}
	for i, n := range sources {
		cfg.Sources = append(cfg.Sources, activities.SourceInstance{Name: n, Type: "filesystem", Priority: i})
	}
	return cfg
}

// twoStagePlan: stage 0 creates devices in batches 0 and 1; stage 1 creates
// interfaces in batches 2 and 3, where 2 depends on 0 and 3 on 1.
func twoStagePlan() activities.PlanResult {
	return activities.PlanResult{
		Ref: "runs/wf/plan.json",
		Summary: activities.PlanSummary{Total: 400, Batches: 4, Counts: []activities.OpCount{
			{Kind: "device", Op: "create", Count: 200}, {Kind: "interface", Op: "create", Count: 200},
		}},
		Stages: []netbox.Stage{
			{Kind: "device", Op: "create", First: 0, Count: 2, Ops: 200, BatchSize: 100},
			{Kind: "interface", Op: "create", First: 2, Count: 2, Ops: 200, BatchSize: 100},
		},
	}
}

var dependsOn = map[int]int{2: 0, 3: 1}

// testRun is how a run of the test environment names itself.
const testRun = "default-test-workflow-id/default-test-run-id"

// applyMock answers like the engine: created objects, or a skipped batch
// when the batch it depends on failed.
func applyMock(failBatch int) func(context.Context, activities.ApplyInput) (netbox.BatchResult, error) {
	return func(_ context.Context, in activities.ApplyInput) (netbox.BatchResult, error) {
		if in.Batch == failBatch {
			return netbox.BatchResult{}, temporal.NewNonRetryableApplicationError("device_type: Related object not found", activities.ErrTypeNetBoxValidation, nil)
		}
		if dep, ok := dependsOn[in.Batch]; ok && slices.Contains(in.Failed, dep) {
			return netbox.BatchResult{Batch: in.Batch, SkippedReason: "depends on failed batch"}, nil
		}
		return netbox.BatchResult{Batch: in.Batch, Tally: netbox.Tally{Created: 100}}, nil
	}
}

func (s *syncSuite) expectPipeline(sources ...string) {
	s.expectConfigureAndMerge(sources...)
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(twoStagePlan(), nil)
	s.expectPrepare()
}

// prepared is what the Prepare step answers on a NetBox it made ready.
var prepared = netbox.Prepared{SchemaCount: netbox.SchemaCount{Tags: 3, CustomFields: 4}, TagsCreated: 3, CustomFieldsCreated: 4}

func (s *syncSuite) expectPrepare() {
	s.env.OnActivity(a.Prepare, mock.Anything, mock.Anything).Return(prepared, nil).Once()
}

func (s *syncSuite) expectConfigureAndMerge(sources ...string) {
	s.env.OnActivity(a.Configure, mock.Anything, mock.Anything).Return(settings(sources...), nil)
	s.env.OnActivity(a.Merge, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MergeInput) (activities.MergeResult, error) {
			return activities.MergeResult{Ref: "runs/wf/inventory.json", Records: 400 * len(in.Snapshots)}, nil
		})
}

func discovered(_ context.Context, in activities.DiscoverInput) (activities.DiscoverResult, error) {
	return activities.DiscoverResult{Source: in.Source, Ref: "runs/wf/snapshots/" + in.Source + ".json", Records: 400}, nil
}

func (s *syncSuite) result() SyncResult {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var res SyncResult
	s.Require().NoError(s.env.GetWorkflowResult(&res))
	return res
}

func (s *syncSuite) TestFansOutToEverySource() {
	s.expectPipeline("files", "pve", "nas")
	var mu sync.Mutex
	var seen []string
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DiscoverInput) (activities.DiscoverResult, error) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, in.Source)
			return discovered(context.TODO(), in)
		}).Times(3)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Times(4)

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.ElementsMatch([]string{"files", "pve", "nas"}, seen)
	s.Len(res.Sources, 3)
	for _, src := range res.Sources {
		s.Equal(activities.SourceOK, src.Status, src.Name)
	}
	s.Equal(ApplyTotals{Batches: 4, BatchesDone: 4, Tally: netbox.Tally{Created: 400}}, res.Applied)
	s.Equal("runs/wf/plan.json", res.PlanRef)
}

func (s *syncSuite) TestOneSourceFailingDoesNotFailTheRun() {
	s.expectConfigureAndMerge("files", "pve")
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DiscoverInput) (activities.DiscoverResult, error) {
			if in.Source == "pve" {
				return activities.DiscoverResult{}, temporal.NewNonRetryableApplicationError("proxmox token refused", activities.ErrTypeSourceAuth, nil)
			}
			return discovered(context.TODO(), in)
		})
	var planned activities.PlanInput
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInput) (activities.PlanResult, error) {
			planned = in
			return twoStagePlan(), nil
		})
	s.expectPrepare()
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1))

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.Require().Len(res.Sources, 2)
	s.Equal(activities.SourceOK, res.Sources[0].Status)
	s.Equal("pve", res.Sources[1].Name)
	s.Equal(activities.SourceFailed, res.Sources[1].Status)
	s.Contains(res.Sources[1].Error, "SourceAuth")
	s.Contains(res.Sources[1].Error, "proxmox token refused")
	// The planner learns which source failed, so that it orphans nothing of it.
	s.Require().Len(planned.Sources, 2)
	s.True(planned.Sources[0].Succeeded())
	s.False(planned.Sources[1].Succeeded())
	s.Equal(4, res.Applied.BatchesDone)
}

func (s *syncSuite) TestEverySourceFailingFailsTheRun() {
	s.env.OnActivity(a.Configure, mock.Anything, mock.Anything).Return(settings("files"), nil)
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(activities.DiscoverResult{},
		temporal.NewNonRetryableApplicationError("no such directory", activities.ErrTypeSourceConfig, nil))
	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	s.Require().True(s.env.IsWorkflowCompleted())
	var appErr *temporal.ApplicationError
	s.Require().True(errors.As(s.env.GetWorkflowError(), &appErr))
	s.Equal(ErrTypeAllSourcesFailed, appErr.Type())
}

func (s *syncSuite) TestDryRunWritesNothing() {
	s.expectConfigureAndMerge("files")
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(twoStagePlan(), nil)
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Never()
	s.env.OnActivity(a.Prepare, mock.Anything, mock.Anything).Return(prepared, nil).Never()

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{DryRun: true})
	res := s.result()
	s.True(res.DryRun)
	s.Equal(400, res.Plan.Total)
	s.Equal("runs/wf/plan.json", res.PlanRef)
	s.Zero(res.Applied.BatchesDone)
}

func (s *syncSuite) TestSavedPlanIsAppliedWithoutDiscovery() {
	s.env.OnActivity(a.Configure, mock.Anything, mock.Anything).Return(settings("files"), nil)
	s.env.OnActivity(a.DescribePlan, mock.Anything, activities.DescribePlanInput{Ref: "runs/old/plan.json", Run: testRun}).Return(twoStagePlan(), nil)
	s.env.OnActivity(a.Prepare, mock.Anything, activities.PrepareInput{PlanRef: "runs/wf/plan.json", Run: testRun}).Return(prepared, nil).Once()
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Times(4)

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{PlanRef: "runs/old/plan.json"})
	res := s.result()
	s.Empty(res.Sources)
	s.Equal(400, res.Applied.Created)
}

func (s *syncSuite) TestFailedBatchSkipsItsDependentsOnly() {
	s.expectPipeline("files")
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(0)).Times(4)

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.Equal(ApplyTotals{Batches: 4, BatchesDone: 2, BatchesFailed: 1, BatchesSkipped: 1, Tally: netbox.Tally{Created: 200}}, res.Applied)
	s.Require().Len(res.FailedBatches, 2)
	s.Equal(0, res.FailedBatches[0].Batch)
	s.Contains(res.FailedBatches[0].Error, "NetBoxValidation")
	s.False(res.FailedBatches[0].Skipped)
	s.Equal(2, res.FailedBatches[1].Batch)
	s.True(res.FailedBatches[1].Skipped)
}

func (s *syncSuite) TestProgressQuery() {
	s.expectPipeline("files")
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).After(time.Minute)
	var mid Progress
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(ProgressQuery)
		s.Require().NoError(err)
		s.Require().NoError(v.Get(&mid))
	}, 90*time.Second)

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	s.result()
	s.Equal("applying", mid.Phase)
	s.Equal("runs/wf/plan.json", mid.PlanRef)
	s.Equal(2, mid.Applied.BatchesDone, "the first stage's two batches run in parallel and finish at 1m")
	s.Equal("create interface", mid.Stage)
	s.Equal(2, mid.StageNumber)
	s.Equal(2, mid.Stages)
	s.Equal(4, mid.Applied.Batches)
	s.Equal(400, mid.Planned)

	v, err := s.env.QueryWorkflow(ProgressQuery)
	s.Require().NoError(err)
	var end Progress
	s.Require().NoError(v.Get(&end))
	s.Equal("done", end.Phase)
	s.Equal(4, end.Applied.BatchesDone)
}

// TestProgressShowsEachSourceAsItEnds: while discovery runs, the progress
// lists every source; one that ended shows how, whichever order they end
// in, and the others are running. The result keeps the config's order.
func (s *syncSuite) TestProgressShowsEachSourceAsItEnds() {
	s.expectConfigureAndMerge("files", "pve", "nas")
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(activities.PlanResult{Ref: "runs/wf/plan.json"}, nil)
	s.expectPrepare()
	s.env.OnActivity(a.Discover, mock.Anything, activities.DiscoverInput{Run: testRun, Source: "files"}).Return(discovered).After(time.Minute)
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.DiscoverInput) (activities.DiscoverResult, error) {
			if in.Source == "nas" {
				return activities.DiscoverResult{}, temporal.NewNonRetryableApplicationError("connection refused", activities.ErrTypeSourceUnreachable, nil)
			}
			return discovered(ctx, in)
		})
	var mid Progress
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(ProgressQuery)
		s.Require().NoError(err)
		s.Require().NoError(v.Get(&mid))
	}, 30*time.Second)

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.Equal("discovering", mid.Phase)
	s.Require().Len(mid.Sources, 3)
	s.Equal([]string{"files", "pve", "nas"}, []string{mid.Sources[0].Name, mid.Sources[1].Name, mid.Sources[2].Name})
	s.Equal(activities.SourceRunning, mid.Sources[0].Status, "files ends at 1m")
	s.Equal(activities.SourceOK, mid.Sources[1].Status)
	s.Equal(400, mid.Sources[1].Records)
	s.Equal(activities.SourceFailed, mid.Sources[2].Status)
	s.Contains(mid.Sources[2].Error, "connection refused")
	s.Require().Len(res.Sources, 3)
	s.Equal([]string{"files", "pve", "nas"}, []string{res.Sources[0].Name, res.Sources[1].Name, res.Sources[2].Name})
	s.Equal(activities.SourceOK, res.Sources[0].Status)
	s.Zero(res.Applied.Batches, "a plan with nothing to write has no batches")
}

func (s *syncSuite) TestContinueAsNewCarriesProgress() {
	s.expectPipeline("files")
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Times(2)
	s.env.SetContinueAsNewSuggested(true)

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	s.Require().True(s.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	s.Require().True(errors.As(s.env.GetWorkflowError(), &can), "got %v", s.env.GetWorkflowError())
	var next SyncRequest
	s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	s.Require().NotNil(next.Resume)
	s.Equal(2, next.Resume.Result.Applied.BatchesDone, "the window drained before continuing")
	s.Equal(2, next.Resume.NextBatch)

	// The next run resumes from batch 2 and never replays batches 0 and 1.
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(SyncWorkflow)
	env.RegisterActivity(a)
	env.OnActivity(a.RecordRun, mock.Anything, mock.Anything).Return(activities.RecordRunResult{}, nil).Maybe()
	env.OnActivity(a.Configure, mock.Anything, mock.Anything).Return(settings("files"), nil)
	env.OnActivity(a.Prepare, mock.Anything, mock.Anything).Return(prepared, nil).Never()
	s.Empty(s.baselines, "a run that continues as new keeps no baseline")
	var kept []activities.KeepBaselineInput
	env.OnActivity(a.KeepBaseline, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.KeepBaselineInput) (activities.KeepBaselineResult, error) {
			kept = append(kept, in)
			return activities.KeepBaselineResult{}, nil
		}).Once()
	var mu sync.Mutex
	var applied []int
	env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyInput) (netbox.BatchResult, error) {
			mu.Lock()
			defer mu.Unlock()
			applied = append(applied, in.Batch)
			return applyMock(-1)(context.TODO(), in)
		})
	env.ExecuteWorkflow(SyncWorkflow, next)
	require.NoError(s.T(), env.GetWorkflowError())
	var res SyncResult
	require.NoError(s.T(), env.GetWorkflowResult(&res))
	s.ElementsMatch([]int{2, 3}, applied)
	require.Len(s.T(), kept, 1, "its last continuation keeps it")
	s.Equal(next.Resume.Result.PlanRef, kept[0].PlanRef)
	s.Equal(4, res.Applied.BatchesDone)
	s.Equal(400, res.Applied.Created)
	s.Equal(1, res.Continuations)
}

func (s *syncSuite) TestFailuresListedAreBoundedButCounted() {
	plan := activities.PlanResult{
		Ref:     "runs/wf/plan.json",
		Summary: activities.PlanSummary{Total: 6000, Batches: 60},
		Stages:  []netbox.Stage{{Kind: "device", Op: "create", First: 0, Count: 60, Ops: 6000, BatchSize: 100}},
	}
	s.expectConfigureAndMerge("files")
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(plan, nil)
	s.expectPrepare()
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(netbox.BatchResult{},
		temporal.NewNonRetryableApplicationError("site: Related object not found", activities.ErrTypeNetBoxValidation, nil))

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.Equal(60, res.Applied.BatchesFailed)
	s.Len(res.FailedBatches, maxFailures)
}

func (s *syncSuite) TestNetBoxVersionReachesTheResultAndEveryBatch() {
	s.expectConfigureAndMerge("files")
	plan := twoStagePlan()
	plan.NetBoxVersion = "4.7.3"
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(plan, nil)
	s.env.OnActivity(a.Prepare, mock.Anything, activities.PrepareInput{PlanRef: plan.Ref, Run: testRun, NetBoxVersion: "4.7.3"}).Return(prepared, nil).Once()
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	var mu sync.Mutex
	var inputs []activities.ApplyInput
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.ApplyInput) (netbox.BatchResult, error) {
			mu.Lock()
			inputs = append(inputs, in)
			mu.Unlock()
			return applyMock(-1)(ctx, in)
		}).Times(4)

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.Equal("4.7.3", res.NetBoxVersion)
	s.Require().Len(inputs, 4)
	for _, in := range inputs {
		s.Equal("4.7.3", in.NetBoxVersion, "batch %d", in.Batch)
		s.Equal(testRun, in.Run, "batch %d", in.Batch)
	}
}

func (s *syncSuite) TestFailureNamesItsCauseOnce() {
	s.expectConfigureAndMerge("files")
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	cause := errors.New("netbox answer of /api/dcim/interfaces/ cannot be read: object #7 eth0: field type: no reading for this object: {\"value\":5}")
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(activities.PlanResult{},
		temporal.NewNonRetryableApplicationError("plan: plan interface", activities.ErrTypeNetBoxMalformed, cause))

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	s.Require().True(s.env.IsWorkflowCompleted())
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	var appErr *temporal.ApplicationError
	s.Require().True(errors.As(err, &appErr))
	s.Equal(1, strings.Count(err.Error(), "/api/dcim/interfaces/"), "named once: %v", err)
	s.Contains(err.Error(), "NetBoxMalformed")
}

func (s *syncSuite) TestProblemsListedAreBoundedAndPointToTheRest() {
	plan := activities.PlanResult{
		Ref:     "runs/wf/plan.json",
		Summary: activities.PlanSummary{Total: 600, Batches: 6},
		Stages:  []netbox.Stage{{Kind: "device", Op: "update", First: 0, Count: 6, Ops: 600, BatchSize: 100}},
	}
	// One batch at a time, so that the batches end in order and the list
	// starts with batch 0's problems.
	cfg := settings("files")
	cfg.ApplyConcurrency = 1
	s.env.OnActivity(a.Configure, mock.Anything, mock.Anything).Return(cfg, nil)
	s.env.OnActivity(a.Merge, mock.Anything, mock.Anything).Return(activities.MergeResult{Ref: "runs/wf/inventory.json", Records: 400}, nil)
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(plan, nil)
	s.expectPrepare()
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ApplyInput) (netbox.BatchResult, error) {
			out := netbox.BatchResult{Batch: in.Batch, Tally: netbox.Tally{Updated: 70, Problems: 30}}
			for i := range 20 {
				out.Problems = append(out.Problems, netbox.Problem{Key: fmt.Sprintf("device/%d-%d", in.Batch, i), Reason: "drifted"})
			}
			out.ProblemsRef = activities.ProblemsRef(in.PlanRef, in.Batch)
			return out, nil
		})

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.Equal(180, res.Applied.Problems, "the count stays whole")
	s.Len(res.Problems, maxFailures, "the list is bounded")
	s.Equal("device/0-0", res.Problems[0].Key)
	s.Equal("runs/wf/plan/problems/", res.ProblemsRef)
}
