package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/netbox-agent/netbox-agent/activities"
)

// ErrTypeBadRequest is the failure of a run whose input cannot be done.
const ErrTypeBadRequest = "BadRequest"

// guardBaselineChange names the change that gave runs their keep-baseline
// step after a clean apply; runs recorded before it replay without it.
const guardBaselineChange = "guard-baseline"

// letThroughChange names the change that made a run that lets the
// mass-delete guard's blocks through say so in its memo.
const letThroughChange = "guard-let-through-memo"

// The memo fields the Web UI shows for a run given AllowDeletes.
const (
	MemoAllowDeletes = "allow_deletes"
	MemoLetThrough   = "let_through"
)

// checkRequest refuses a request that cannot be done as asked: the
// let-through list is the plan's, so a saved plan cannot take one.
func checkRequest(req SyncRequest) error {
	if req.PlanRef != "" && len(req.AllowDeletes) > 0 && req.Resume == nil {
		return temporal.NewNonRetryableApplicationError(
			"allow_deletes applies when a plan is made: give it to the dry run that makes the plan, not to the apply of "+req.PlanRef,
			ErrTypeBadRequest, nil)
	}
	return nil
}

// showLetThrough puts, for a run given AllowDeletes or whose plan lets
// deletions through (a saved plan made with AllowDeletes), what it asked
// and what the plan let through into the run's memo, which the Web UI
// shows beside the run, and logs it.
func (r *syncRun) showLetThrough(ctx workflow.Context, plan activities.PlanSummary) {
	if len(r.req.AllowDeletes) == 0 && len(plan.LetThrough) == 0 {
		return
	}
	if workflow.GetVersion(ctx, letThroughChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	through := plan.LetThrough
	if through == nil {
		through = []string{}
	}
	memo := map[string]any{MemoAllowDeletes: strings.Join(r.req.AllowDeletes, ","), MemoLetThrough: through}
	if err := workflow.UpsertMemo(ctx, memo); err != nil {
		workflow.GetLogger(ctx).Warn("could not put the let-through deletions in the memo", "error", err)
	}
	workflow.GetLogger(ctx).Info("mass-delete guard: deletions let through", "allow_deletes", r.req.AllowDeletes, "let_through", through)
}

// keepBaseline runs, after a run that applied its whole plan without a
// failed or skipped batch, the step that keeps the mass-delete guard's
// baseline for the next run. Any other run leaves the baseline as it is.
// A failure is logged: the next run is judged against the older baseline.
func (r *syncRun) keepBaseline(ctx workflow.Context, res *SyncResult, runErr error) {
	if runErr != nil || res == nil || !r.applied || res.DryRun || res.PlanRef == "" {
		return
	}
	if t := res.Applied; t.BatchesFailed > 0 || t.BatchesSkipped > 0 {
		return
	}
	if workflow.GetVersion(ctx, guardBaselineChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		ActivityID:             "keep-baseline",
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 5 * time.Minute,
		RetryPolicy:            &temporal.RetryPolicy{MaximumAttempts: 5},
		Summary:                "keep the mass-delete guard's baseline",
	})
	in := activities.KeepBaselineInput{PlanRef: res.PlanRef, Run: runName(ctx), Now: workflow.Now(ctx).UTC()}
	if err := workflow.ExecuteActivity(actx, a.KeepBaseline, in).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("could not keep the mass-delete guard's baseline", "error", err)
	}
}
