package workflows

import (
	"context"
	"errors"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// TestCancelledRunEndsCancelled: a run an operator cancels ends cancelled, with what it did so
// far as the cancellation's details, wherever it was: a source retrying (its discovery then
// counts as failed, which alone would fail the run) or a batch retrying (which alone would be
// a failed batch of a completed run). Its last step still records it.
func (s *syncSuite) TestCancelledRunEndsCancelled() {
	unavailable := temporal.NewApplicationError("503 Service Unavailable", activities.ErrTypeSourceUnreachable)
	for _, tc := range []struct {
		name    string
		expect  func()
		sources int
	}{
		{name: "while a source retries", expect: func() {
			s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(activities.DiscoverResult{}, unavailable)
		}},
		{name: "while a batch retries", sources: 1, expect: func() {
			s.expectPipeline("files")
			s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
			s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.ApplyInput) (netbox.BatchResult, error) {
					if in.Batch == 1 {
						return netbox.BatchResult{}, temporal.NewApplicationError("502 Bad Gateway", "NetBoxUnavailable")
					}
					return netbox.BatchResult{Batch: in.Batch, Tally: netbox.Tally{Created: 100}}, nil
				})
		}},
	} {
		s.Run(tc.name, func() {
			s.SetupTest()
			cfg := settings("files")
			cfg.Retry.MaximumAttempts = 0
			s.env.OnActivity(a.Configure, mock.Anything, mock.Anything).Return(cfg, nil)
			tc.expect()
			s.env.RegisterDelayedCallback(s.env.CancelWorkflow, time.Minute)

			s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
			s.Require().True(s.env.IsWorkflowCompleted())
			var canceled *temporal.CanceledError
			s.Require().True(errors.As(s.env.GetWorkflowError(), &canceled), "%v", s.env.GetWorkflowError())
			var res *SyncResult // the test environment keeps details unencoded
			s.Require().NoError(canceled.Details(&res))
			s.Require().Len(res.Sources, 1)
			s.Equal(tc.sources == 1, res.Sources[0].Succeeded(), res.Sources[0].Error)
			s.Require().Len(s.records, 1, "record-run runs after a cancellation too")
			s.True(s.records[0].Failed)
		})
	}
}
