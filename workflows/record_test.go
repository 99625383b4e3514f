package workflows

import (
	"errors"

	"github.com/stretchr/testify/mock"

	"github.com/netbox-agent/netbox-agent/activities"
)

// TestRecordRunCarriesTheOutcome: a run that applied with a failed batch
// records once, at its end, what its result says.
func (s *syncSuite) TestRecordRunCarriesTheOutcome() {
	s.expectPipeline("files", "pve")
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(discovered)
	s.env.OnActivity(a.Apply, mock.Anything, mock.Anything).Return(applyMock(0))

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	res := s.result()
	s.Require().Len(s.records, 1)
	in := s.records[0]
	s.False(in.Failed)
	s.False(in.DryRun)
	s.Equal(res.Sources, in.Sources)
	s.Equal(res.Applied.Created, in.Created)
	s.Equal(200, in.Created)
	s.Equal(2, in.BatchesDone)
	s.Equal(1, in.BatchesFailed)
	s.Equal(1, in.BatchesSkipped)
	s.False(in.Ended.Before(in.Started))
}

// TestRecordRunWhenEverySourceFailed: a run that fails before its plan
// still records, as failed, with each source failed.
func (s *syncSuite) TestRecordRunWhenEverySourceFailed() {
	s.env.OnActivity(a.Configure, mock.Anything, mock.Anything).Return(settings("files"), nil)
	s.env.OnActivity(a.Discover, mock.Anything, mock.Anything).Return(activities.DiscoverResult{}, errors.New("connection refused"))

	s.env.ExecuteWorkflow(SyncWorkflow, SyncRequest{})
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().Error(s.env.GetWorkflowError())
	s.Require().Len(s.records, 1)
	in := s.records[0]
	s.True(in.Failed)
	s.Require().Len(in.Sources, 1)
	s.Equal(activities.SourceFailed, in.Sources[0].Status)
}
