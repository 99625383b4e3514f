package workflows

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// TestPrepareRunsOnceBeforeTheFirstBatch: the Prepare step makes what the
// plan needs after the plan, which only reads, and before any batch; the
// result says what it made.
func (s *syncSuite) TestPrepareRunsOnceBeforeTheFirstBatch() {
	s.expectPipeline("files")
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Times(4)
	var mu sync.Mutex
	var started []string
	s.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		mu.Lock()
		defer mu.Unlock()
		started = append(started, info.ActivityID)
	})

	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "sync-prepare"})
	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.Require().Len(started, 12)
	s.Equal([]string{"configure", "discover/files", "merge", "plan", "prepare"}, started[:5])
	for _, id := range started[5:9] {
		s.True(strings.HasPrefix(id, "apply/"), id)
	}
	s.Equal("keep-baseline", started[9], "the clean apply keeps the guard's baseline")
	s.Equal("record-run", started[10], "the run records its outcome")
	s.Equal("prune-blobs", started[11], "then deletes old runs' blobs")
	s.Require().Len(s.prunes, 1)
	s.Equal("sync-prepare", s.prunes[0].Workflow, "its own workflow's blobs are kept")
	s.Require().NotNil(res.Prepared)
	s.Equal(prepared, *res.Prepared)
}

// TestPrepareFailingAppliesNothing: a NetBox that cannot be prepared (a
// custom field of another type) ends the run before its first batch.
func (s *syncSuite) TestPrepareFailingAppliesNothing() {
	s.expectConfigureAndMerge("files")
	s.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(twoStagePlan(), nil)
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Prepare, mock.Anything, mock.Anything).Return(netbox.Prepared{},
		temporal.NewNonRetryableApplicationError("prepare netbox: ensure custom fields", activities.ErrTypeNetBoxSchema,
			errors.New("custom field agent_last_seen has type text, the agent needs date")))
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(-1)).Never()

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	s.Require().True(s.env.IsWorkflowCompleted())
	err := s.env.GetWorkflowError()
	s.Require().Error(err)
	s.Contains(err.Error(), "NetBoxSchema")
	s.Contains(err.Error(), "agent_last_seen")
}
