package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/netbox-agent/netbox-agent/activities"
)

// pruneChange names the change that gave runs their prune-blobs step;
// runs recorded before it replay without the step.
const pruneChange = "prune-blobs"

// prune deletes the blobs of runs older than the worker's blob_retention,
// after the run's last step. A run that continues as new prunes nothing:
// its last continuation does. A failure is logged and changes nothing in
// how the run ended: the next run prunes again.
func (r *syncRun) prune(ctx workflow.Context, runErr error) {
	if workflow.IsContinueAsNewError(runErr) {
		return
	}
	if workflow.GetVersion(ctx, pruneChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	actx := workflow.WithActivityOptions(dctx, workflow.ActivityOptions{
		ActivityID:             "prune-blobs",
		StartToCloseTimeout:    5 * time.Minute,
		ScheduleToCloseTimeout: 15 * time.Minute,
		RetryPolicy:            &temporal.RetryPolicy{MaximumAttempts: 3},
		Summary:                "delete the blobs of runs older than blob_retention",
	})
	in := activities.PruneInput{Workflow: workflow.GetInfo(ctx).WorkflowExecution.ID, Now: workflow.Now(ctx)}
	if err := workflow.ExecuteActivity(actx, a.PruneBlobs, in).Get(dctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("could not delete old runs' blobs", "error", err)
	}
}
