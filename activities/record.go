package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/metrics"
)

// RecordRunInput is how a run ended: what its result says, for the
// worker's metrics. It carries no secrets.
type RecordRunInput struct {
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	DryRun  bool      `json:"dry_run,omitempty"`
	// Failed is set when the run ended with an error.
	Failed bool `json:"failed,omitempty"`
	// Sources says how each source fared; Guard holds the mass-delete
	// guard's entries over the limits, blocked or let through.
	Sources []SourceResult      `json:"sources,omitempty"`
	Guard   []netbox.GuardEntry `json:"guard,omitempty"`
	// The objects and batches the apply phase counted.
	Created        int `json:"created"`
	Updated        int `json:"updated"`
	Deleted        int `json:"deleted"`
	Unchanged      int `json:"unchanged"`
	FailedObjects  int `json:"failed_objects"`
	BatchesDone    int `json:"batches_done"`
	BatchesFailed  int `json:"batches_failed"`
	BatchesSkipped int `json:"batches_skipped"`
	// Orphaned counts, per kind, the objects the run's plan marked as
	// orphans (none for a dry run).
	Orphaned map[string]int `json:"orphaned,omitempty"`
}

// RecordRunResult is empty: the step only records.
type RecordRunResult struct{}

// RecordRun records a run that ended into this worker's metrics (the
// netbox_agent_sync_* and per-source series, /readyz's last run). It is
// the run's last step, run once per run, so that a retried plan or batch
// never counts a run twice.
//
// Each source's failures in a row and last success are counted in the
// blob store (SourceRunsRef), so that every worker of the store reports
// the same count whichever ran the run's end; a store that fails here is
// logged, and the count falls back to this worker's memory.
func (a *Activities) RecordRun(ctx context.Context, in RecordRunInput) (RecordRunResult, error) {
	sources := sourceRuns(in.Sources, in.Guard)
	if err := a.countSourceRuns(ctx, activity.GetInfo(ctx).WorkflowExecution.RunID, in.Ended, sources); err != nil {
		a.Log.Warn("the sources' failures in a row are counted by this worker alone", zap.Error(err))
	}
	a.Metrics.RunEnded(metrics.Run{
		DryRun: in.DryRun, Failed: in.Failed, Started: in.Started, End: in.Ended,
		Sources: sources,
		Created: in.Created, Updated: in.Updated, Deleted: in.Deleted, Unchanged: in.Unchanged,
		FailedObjects: in.FailedObjects,
		BatchesDone:   in.BatchesDone, BatchesFailed: in.BatchesFailed, BatchesSkipped: in.BatchesSkipped,
		Orphaned: in.Orphaned,
	})
	return RecordRunResult{}, nil
}
