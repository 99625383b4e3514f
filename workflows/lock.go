package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/netbox-agent/netbox-agent/activities"
)

// ErrTypeApplyLocked is the failure of a run that waited lockWait for
// another run to finish writing to the same NetBox, and wrote nothing.
const ErrTypeApplyLocked = "ApplyLocked"

// ReleaseLockSignal ends an apply lock by hand (`temporal workflow signal
// --name release`), for a lock whose run cannot end; normally the lock
// ends with the run that holds it.
const ReleaseLockSignal = "release"

// lockChange names the change that made runs take their NetBox's apply
// lock before their first write; runs recorded before it replay without.
const lockChange = "apply-lock"

// lockWait is how long a run waits for another run's apply lock before it
// gives up, and lockPoll how often at most it looks again.
const (
	lockWait = 30 * time.Minute
	lockPoll = time.Minute
)

// LockWorkflowID is the workflow ID of the apply lock of the NetBox named
// by key (activities.ApplyLockKey).
func LockWorkflowID(key string) string { return "netbox-agent-apply-lock-" + key }

// ApplyLockWorkflow is the apply lock of one NetBox: a run holds it by
// running it as its child under the lock's fixed workflow ID, which
// Temporal lets only one workflow hold at a time. The child waits until
// its parent closes (completes, fails, times out, is terminated or
// continues as new), when Temporal terminates it (parent close policy
// terminate), or until it is sent ReleaseLockSignal.
func ApplyLockWorkflow(ctx workflow.Context) error {
	workflow.GetSignalChannel(ctx, ReleaseLockSignal).Receive(ctx, nil)
	return nil
}

// lock takes the apply lock of the run's NetBox before the run's first
// write: two runs (the schedule's and one started by hand) never write to
// one NetBox at once. When another run holds it, this one waits, looking
// again with a growing pause, up to lockWait; then it fails with
// ErrTypeApplyLocked, having written nothing.
func (r *syncRun) lock(ctx workflow.Context, cfg activities.ConfigureResult) error {
	if cfg.ApplyLock == "" || workflow.GetVersion(ctx, lockChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	id := LockWorkflowID(cfg.ApplyLock)
	var waited time.Duration
	pause := 5 * time.Second
	for {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:        id,
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_TERMINATE,
			StaticSummary:     "apply lock held by " + workflow.GetInfo(ctx).WorkflowExecution.ID,
		})
		err := workflow.ExecuteChildWorkflow(cctx, ApplyLockWorkflow).GetChildWorkflowExecution().Get(ctx, nil)
		if err == nil {
			return nil
		}
		if !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return stepFailed("take the apply lock", err)
		}
		if waited >= lockWait {
			r.setPhase(ctx, "failed", "another run writes to NetBox")
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"another run is writing to this NetBox (it holds the apply lock %s); waited %s for it, wrote nothing: "+
					"see `temporal workflow describe --workflow-id %s` for the run that holds it", id, waited, id),
				ErrTypeApplyLocked, nil)
		}
		r.setPhase(ctx, "waiting for the apply lock", "another run writes to NetBox; waiting for "+id)
		if err := workflow.Sleep(ctx, pause); err != nil {
			return fmt.Errorf("wait for the apply lock: %w", err)
		}
		waited += pause
		pause = min(2*pause, lockPoll)
	}
}
