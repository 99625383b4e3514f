// Package workflows holds the deterministic workflow code of netbox-agent:
// no I/O, no wall clock, no goroutines; only workflow.* APIs.
package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// Error types of the workflow's own failures.
const (
	ErrTypeAllSourcesFailed = "AllSourcesFailed"
	// ErrTypeNoWorker starts the error of a source whose discovery no
	// worker took from the source's own task queue in time.
	ErrTypeNoWorker = "NoWorker"
)

// a refers to the activities by method; the worker registers the real value.
var a *activities.Activities

// SyncWorkflow discovers every source, merges what they report, plans the
// changes to NetBox and applies them in dependency order. A source that
// fails is reported and the run goes on; a batch that fails is reported,
// the batches depending on it are skipped and the rest go on.
func SyncWorkflow(ctx workflow.Context, req SyncRequest) (*SyncResult, error) {
	r := &syncRun{req: req, progress: Progress{Phase: "starting"}}
	res, err := r.run(ctx)
	err = r.cancelled(ctx, res, err)
	r.keepBaseline(ctx, res, err)
	r.record(ctx, res, err)
	r.prune(ctx, err)
	return res, err
}

// cancelled is the run's error once an operator cancelled it: a cancellation, whatever the
// steps made of it (a source whose discovery was cancelled counts as failed, a batch as not
// applied), so that the run ends cancelled, not failed or completed. It carries what the run
// did up to then.
func (r *syncRun) cancelled(ctx workflow.Context, res *SyncResult, err error) error {
	if !errors.Is(ctx.Err(), workflow.ErrCanceled) || temporal.IsCanceledError(err) || workflow.IsContinueAsNewError(err) {
		return err
	}
	if res == nil {
		res = &r.state.Result
	}
	return temporal.NewCanceledError(res)
}

// run is the whole of a run but its last step, record.
func (r *syncRun) run(ctx workflow.Context) (*SyncResult, error) {
	req := r.req
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) { return r.progress, nil }); err != nil {
		return nil, fmt.Errorf("register progress query: %w", err)
	}
	r.bounded = workflow.GetVersion(ctx, boundedChange, workflow.DefaultVersion, 1) >= 1
	if req.Resume != nil {
		r.state = *req.Resume
		r.state.Result.Continuations++
		r.progress.PlanRef = r.state.Result.PlanRef
		r.progress.Sources = r.state.Result.Sources
		r.progress.Applied = r.state.Result.Applied
		cfg, err := r.configure(ctx)
		if err != nil {
			return nil, err
		}
		// The lock ended with the run that continued as new.
		if err := r.lock(ctx, cfg); err != nil {
			return nil, err
		}
		return r.apply(ctx, cfg)
	}
	cfg, err := r.configure(ctx)
	if err != nil {
		return nil, err
	}
	res := &r.state.Result
	res.DryRun = req.DryRun

	var planRes activities.PlanResult
	if req.PlanRef != "" {
		r.setPhase(ctx, "loading plan", "")
		actx := workflow.WithActivityOptions(ctx, r.options(cfg, "load plan "+req.PlanRef, "describe-plan", cfg.ApplyTimeout))
		in := activities.DescribePlanInput{Ref: req.PlanRef, Run: runName(ctx)}
		if err := workflow.ExecuteActivity(actx, a.DescribePlan, in).Get(ctx, &planRes); err != nil {
			return nil, stepFailed("load plan "+req.PlanRef, err)
		}
	} else {
		if planRes, err = r.discoverMergePlan(ctx, cfg); err != nil {
			return nil, err
		}
	}
	res.PlanRef = planRes.Ref
	res.Plan = planRes.Summary
	res.NetBoxVersion = planRes.NetBoxVersion
	r.progress.PlanRef = planRes.Ref
	r.progress.Planned = res.Plan.Total
	if !req.DryRun {
		r.progress.Applied.Batches = res.Plan.Batches
	}
	r.showLetThrough(ctx, res.Plan)
	if req.DryRun {
		r.setPhase(ctx, "done", fmt.Sprintf("dry run: %d changes planned in %d batches, nothing written", res.Plan.Total, res.Plan.Batches)+guardLine(res.Plan))
		return res, nil
	}
	if stop, err := r.gate(ctx, cfg, planRes); stop || err != nil {
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	if err := r.lock(ctx, cfg); err != nil {
		return nil, err
	}
	if err := r.prepare(ctx, cfg, planRes); err != nil {
		return nil, err
	}
	if r.inBranch(cfg, planRes) {
		if err := r.openBranch(ctx, cfg, planRes); err != nil {
			return nil, err
		}
	}
	r.state.Stages = planRes.Stages
	if len(r.state.Stages) > 0 {
		r.state.NextBatch = r.state.Stages[0].First
	}
	res.Applied.Batches = planRes.Summary.Batches
	return r.apply(ctx, cfg)
}

// syncRun is the state of one run; queries read it between workflow tasks.
type syncRun struct {
	req      SyncRequest
	state    ApplyState
	progress Progress
	// bounded is set when the run gives its activities the timeouts of
	// boundedChange; runs recorded before it replay without them.
	bounded bool
	// applied is set once the run applied the last batch of its plan.
	applied bool
}

// boundedChange names the change that bounded every step of a run: each
// activity has a schedule-to-close timeout, the long ones a heartbeat
// timeout, and a discovery on a source's own task queue a schedule-to-start
// timeout, so that no step waits forever for a worker.
const boundedChange = "bounded-activities"

func (r *syncRun) setPhase(ctx workflow.Context, phase, details string) {
	r.progress.Phase = phase
	if details == "" {
		details = phase
	}
	workflow.SetCurrentDetails(ctx, "**"+phase+"**: "+details)
}

func (r *syncRun) configure(ctx workflow.Context) (activities.ConfigureResult, error) {
	var cfg activities.ConfigureResult
	opts := workflow.ActivityOptions{
		ActivityID:          "configure",
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10},
		Summary:             "read run settings",
	}
	if r.bounded {
		opts.ScheduleToCloseTimeout = configureDeadline
	}
	actx := workflow.WithActivityOptions(ctx, opts)
	if err := workflow.ExecuteActivity(actx, a.Configure, activities.ConfigureInput{Sources: r.req.Sources}).Get(ctx, &cfg); err != nil {
		return cfg, stepFailed("configure", err)
	}
	return cfg, nil
}

// configureDeadline bounds the Configure step with its retries: it only
// reads the worker's settings, so a run that cannot get them in this time
// has no worker.
const configureDeadline = 5 * time.Minute

// options are the activity options every step shares, set in one place.
// Merge and plan read whole inventories and NetBox, so they get the long
// discovery timeout; an apply batch is one bulk request and gets the short
// one. Every one of these steps heartbeats while it runs, so a worker that
// dies under it is noticed after the heartbeat timeout.
func (r *syncRun) options(cfg activities.ConfigureResult, summary, id string, timeout time.Duration) workflow.ActivityOptions {
	opts := workflow.ActivityOptions{
		ActivityID:          id,
		StartToCloseTimeout: timeout,
		RetryPolicy:         retryPolicy(cfg.Retry),
		Summary:             summary,
	}
	if r.bounded {
		opts.ScheduleToCloseTimeout = deadline(timeout, cfg.Retry)
		opts.HeartbeatTimeout = cfg.HeartbeatTimeout
	}
	return opts
}

// unlimitedAttempts is how many attempts deadline allows a step whose
// retry policy does not limit them.
const unlimitedAttempts = 10

// deadline is a step's schedule-to-close timeout: every attempt its
// retry policy allows at its full start-to-close timeout, the waits
// between them, and one timeout more for the time it waits for a worker.
func deadline(timeout time.Duration, p activities.RetryPolicy) time.Duration {
	attempts := int(p.MaximumAttempts)
	if attempts <= 0 {
		attempts = unlimitedAttempts
	}
	total := time.Duration(attempts+1) * timeout
	wait := p.InitialInterval
	for i := 1; i < attempts; i++ {
		total += wait
		wait = min(time.Duration(float64(wait)*max(p.BackoffCoefficient, 1)), max(p.MaximumInterval, p.InitialInterval))
	}
	return total
}

func retryPolicy(p activities.RetryPolicy) *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval:    p.InitialInterval,
		BackoffCoefficient: p.BackoffCoefficient,
		MaximumInterval:    p.MaximumInterval,
		MaximumAttempts:    p.MaximumAttempts,
	}
}

func (r *syncRun) discoverMergePlan(ctx workflow.Context, cfg activities.ConfigureResult) (activities.PlanResult, error) {
	res := &r.state.Result
	run := runName(ctx)

	r.setPhase(ctx, "discovering", fmt.Sprintf("%d sources", len(cfg.Sources)))
	futures := make([]workflow.Future, len(cfg.Sources))
	for i, s := range cfg.Sources {
		actx := workflow.WithActivityOptions(ctx, r.discoverOptions(cfg, s))
		futures[i] = workflow.ExecuteActivity(actx, a.Discover, activities.DiscoverInput{Run: run, Source: s.Name})
	}
	snapshots := r.collectDiscoveries(ctx, cfg, futures)
	if len(snapshots) == 0 && len(cfg.Sources) > 0 {
		r.setPhase(ctx, "failed", "every source failed")
		return activities.PlanResult{}, temporal.NewNonRetryableApplicationError("every source failed; nothing to sync", ErrTypeAllSourcesFailed, nil, res)
	}

	r.setPhase(ctx, "merging", fmt.Sprintf("%d snapshots", len(snapshots)))
	var merged activities.MergeResult
	mctx := workflow.WithActivityOptions(ctx, r.options(cfg, fmt.Sprintf("merge %d snapshots", len(snapshots)), "merge", cfg.DiscoverTimeout))
	if err := workflow.ExecuteActivity(mctx, a.Merge, activities.MergeInput{Run: run, Snapshots: snapshots}).Get(ctx, &merged); err != nil {
		return activities.PlanResult{}, stepFailed("merge", err)
	}
	res.InventoryRef, res.Records, res.Merged = merged.Ref, merged.Records, merged.Merged

	r.setPhase(ctx, "planning", fmt.Sprintf("%d records", merged.Records))
	var plan activities.PlanResult
	pctx := workflow.WithActivityOptions(ctx, r.options(cfg, fmt.Sprintf("plan %d records", merged.Records), "plan", cfg.DiscoverTimeout))
	in := activities.PlanInput{Run: run, InventoryRef: merged.Ref, Sources: res.Sources, Now: workflow.Now(ctx).UTC(),
		AllowDeletes: r.req.AllowDeletes}
	if err := workflow.ExecuteActivity(pctx, a.Plan, in).Get(ctx, &plan); err != nil {
		return activities.PlanResult{}, stepFailed("plan", err)
	}
	return plan, nil
}

// collectDiscoveries waits for every source's discovery and records each
// one in the run's progress as it ends, whichever ends first; the result
// lists the sources, and the snapshots come, in the config's order.
func (r *syncRun) collectDiscoveries(ctx workflow.Context, cfg activities.ConfigureResult, futures []workflow.Future) []activities.DiscoverResult {
	found := make([]activities.SourceResult, len(cfg.Sources))
	discovered := make([]*activities.DiscoverResult, len(cfg.Sources))
	for i, s := range cfg.Sources {
		found[i] = activities.SourceResult{Name: s.Name, Type: s.Type, Status: activities.SourceRunning}
	}
	r.progress.Sources = append([]activities.SourceResult(nil), found...)
	sel := workflow.NewSelector(ctx)
	ended := 0
	for i, s := range cfg.Sources {
		sel.AddFuture(futures[i], func(f workflow.Future) {
			var d activities.DiscoverResult
			sr := &found[i]
			if err := f.Get(ctx, &d); err != nil {
				sr.Status, sr.Error = activities.SourceFailed, discoverError(s, cfg, err)
				workflow.GetLogger(ctx).Warn("source failed", "source", s.Name, "error", err)
			} else {
				sr.Status, sr.Records, sr.Warnings = activities.SourceOK, d.Records, d.WarningCount
				discovered[i] = &d
			}
			r.progress.Sources[i] = *sr
			ended++
			r.setPhase(ctx, "discovering", fmt.Sprintf("%d/%d sources done", ended, len(found)))
		})
	}
	for range cfg.Sources {
		sel.Select(ctx)
	}
	res := &r.state.Result
	res.Sources = append(res.Sources, found...)
	r.progress.Sources = res.Sources
	var snapshots []activities.DiscoverResult
	for _, d := range discovered {
		if d != nil {
			snapshots = append(snapshots, *d)
		}
	}
	return snapshots
}

// discoverOptions are the options of one source's discovery. On a task
// queue of its own it waits at most RemoteStartTimeout for a worker to
// take it: a remote worker that is gone fails that source, not the run.
func (r *syncRun) discoverOptions(cfg activities.ConfigureResult, s activities.SourceInstance) workflow.ActivityOptions {
	opts := workflow.ActivityOptions{
		ActivityID:          "discover/" + s.Name,
		TaskQueue:           s.TaskQueue,
		StartToCloseTimeout: cfg.DiscoverTimeout,
		HeartbeatTimeout:    cfg.HeartbeatTimeout,
		RetryPolicy:         retryPolicy(cfg.Retry),
		Summary:             "discover " + s.Type + " " + s.Name,
	}
	if r.bounded {
		opts.ScheduleToCloseTimeout = deadline(cfg.DiscoverTimeout, cfg.Retry)
		if s.TaskQueue != "" && cfg.RemoteStartTimeout > 0 {
			opts.ScheduleToStartTimeout = cfg.RemoteStartTimeout
		}
	}
	return opts
}

// discoverError says why a source's discovery failed; that no worker took
// it from its own task queue is said in words an operator can act on.
func discoverError(s activities.SourceInstance, cfg activities.ConfigureResult, err error) string {
	var timeoutErr *temporal.TimeoutError
	if s.TaskQueue != "" && errors.As(err, &timeoutErr) && timeoutErr.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		return fmt.Sprintf("%s: no worker took the discovery from task queue %q within %s (sync.remote_start_timeout): "+
			"is `worker --task-queue %s` running and connected?", ErrTypeNoWorker, s.TaskQueue, cfg.RemoteStartTimeout, s.TaskQueue)
	}
	return errorMessage(err)
}

// recordChange names the change that gave runs their last step,
// record-run; runs recorded before it replay without the step.
const recordChange = "record-run"

// record runs the run's last step: it records how the run ended into the
// metrics of the worker that takes it. A run that continues as new records
// nothing: its last continuation does. A failure to record is logged and
// does not change how the run ended.
func (r *syncRun) record(ctx workflow.Context, res *SyncResult, runErr error) {
	if workflow.IsContinueAsNewError(runErr) {
		return
	}
	if workflow.GetVersion(ctx, recordChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	if res == nil {
		res = &r.state.Result
	}
	t := res.Applied
	in := activities.RecordRunInput{
		Started: workflow.GetInfo(ctx).WorkflowStartTime, Ended: workflow.Now(ctx),
		DryRun: r.req.DryRun, Failed: runErr != nil, Sources: res.Sources, Guard: res.Plan.Guard,
		Created: t.Created, Updated: t.Updated, Deleted: t.Deleted, Unchanged: t.Unchanged, FailedObjects: t.Failed,
		BatchesDone: t.BatchesDone, BatchesFailed: t.BatchesFailed, BatchesSkipped: t.BatchesSkipped,
	}
	if !r.req.DryRun && t.Batches > 0 && t.BatchesDone == t.Batches {
		// every batch applied, so every planned mark was written
		in.Orphaned = res.Plan.Orphaned
	}
	// A cancelled run still records that it ended.
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	actx := workflow.WithActivityOptions(dctx, workflow.ActivityOptions{
		ActivityID:             "record-run",
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 2 * time.Minute,
		RetryPolicy:            &temporal.RetryPolicy{MaximumAttempts: 3},
		Summary:                "record the run's outcome in the worker's metrics",
	})
	if err := workflow.ExecuteActivity(actx, a.RecordRun, in).Get(dctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("could not record the run in the metrics", "error", err)
	}
}

// prepareChange names the change that gave the run its Prepare step. A run
// whose history went past its plan before the change (its plan step
// prepared NetBox) replays without the step; every other run takes it.
const prepareChange = "prepare-step"

// prepare runs the Prepare step once per run, after the plan and before any
// batch: it makes the tags and custom fields the plan needs.
func (r *syncRun) prepare(ctx workflow.Context, cfg activities.ConfigureResult, plan activities.PlanResult) error {
	if workflow.GetVersion(ctx, prepareChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	need := fmt.Sprintf("%d tags, %d custom fields", plan.Schema.Tags, plan.Schema.CustomFields)
	r.setPhase(ctx, "preparing", need)
	actx := workflow.WithActivityOptions(ctx, r.options(cfg, "prepare: "+need, "prepare", cfg.ApplyTimeout))
	in := activities.PrepareInput{PlanRef: plan.Ref, Run: runName(ctx), NetBoxVersion: plan.NetBoxVersion}
	var done netbox.Prepared
	if err := workflow.ExecuteActivity(actx, a.Prepare, in).Get(ctx, &done); err != nil {
		return stepFailed("prepare", err)
	}
	r.state.Result.Prepared = &done
	return nil
}

// apply runs the plan's stages in order, each stage's batches with a
// bounded window. When Temporal suggests it, the run drains its window and
// continues as new with the next batch, so history stays bounded.
func (r *syncRun) apply(ctx workflow.Context, cfg activities.ConfigureResult) (*SyncResult, error) {
	st := &r.state
	res := &st.Result
	window := max(1, cfg.ApplyConcurrency)
	for st.Stage < len(st.Stages) {
		stage := st.Stages[st.Stage]
		end := stage.First + stage.Count
		st.NextBatch = max(st.NextBatch, stage.First)
		r.reportApply(ctx, stage)
		sel := workflow.NewSelector(ctx)
		inflight := 0
		suggested := false
		for st.NextBatch < end || inflight > 0 {
			for inflight < window && st.NextBatch < end && !suggested {
				r.launch(ctx, cfg, sel, stage, st.NextBatch)
				st.NextBatch++
				inflight++
			}
			sel.Select(ctx)
			inflight--
			r.reportApply(ctx, stage)
			if !suggested && workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
				suggested = true
			}
			if suggested && inflight == 0 {
				return nil, workflow.NewContinueAsNewError(ctx, SyncWorkflow, SyncRequest{
					Sources: r.req.Sources, DryRun: r.req.DryRun, PlanRef: r.req.PlanRef, AllowDeletes: r.req.AllowDeletes, Resume: st,
				})
			}
		}
		st.Stage++
	}
	if st.Branch != nil {
		if stop, err := r.finishBranch(ctx, cfg); stop || err != nil {
			if err != nil {
				return nil, err
			}
			return res, nil
		}
	}
	r.applied = true
	r.setPhase(ctx, "done", applyLine(res.Applied)+guardLine(res.Plan)+branchLine(res.Branch))
	return res, nil
}

func (r *syncRun) launch(ctx workflow.Context, cfg activities.ConfigureResult, sel workflow.Selector, stage netbox.Stage, batch int) {
	st := &r.state
	summary := fmt.Sprintf("apply %04d: %s %d %s", batch, stage.Op, stage.BatchOps(batch-stage.First), stage.Kind)
	id := fmt.Sprintf("apply/%04d-%s-%s", batch, stage.Kind, stage.Op)
	actx := workflow.WithActivityOptions(ctx, r.options(cfg, summary, id, cfg.ApplyTimeout))
	in := activities.ApplyInput{PlanRef: st.Result.PlanRef, Batch: batch, Failed: append([]int(nil), st.Failed...),
		Run: runName(ctx), NetBoxVersion: st.Result.NetBoxVersion}
	if st.Branch != nil {
		in.Branch = st.Branch.SchemaID
	}
	f := workflow.ExecuteActivity(actx, a.Apply, in)
	sel.AddFuture(f, func(f workflow.Future) {
		var out netbox.BatchResult
		t := &st.Result.Applied
		if err := f.Get(ctx, &out); err != nil {
			t.BatchesFailed++
			st.Failed = append(st.Failed, batch)
			st.Result.addFailure(BatchFailure{Batch: batch, Kind: string(stage.Kind), Op: string(stage.Op), Error: errorMessage(err)})
			return
		}
		if out.SkippedReason != "" {
			t.BatchesSkipped++
			st.Failed = append(st.Failed, batch)
			st.Result.addFailure(BatchFailure{Batch: batch, Kind: string(stage.Kind), Op: string(stage.Op), Error: out.SkippedReason, Skipped: true})
		} else {
			t.BatchesDone++
		}
		t.Add(out.Tally)
		st.Result.addProblems(out)
	})
}

// maxFailures bounds the failures a result lists, so that a NetBox that
// refuses everything cannot grow the result past Temporal's payload limits;
// the totals still count every one.
const maxFailures = 50

func (res *SyncResult) addFailure(f BatchFailure) {
	if len(res.FailedBatches) < maxFailures {
		res.FailedBatches = append(res.FailedBatches, f)
	}
}

// addProblems keeps the first of a batch's problems, up to maxFailures in
// the whole result, and where the rest of them are.
func (res *SyncResult) addProblems(out netbox.BatchResult) {
	n := min(len(out.Problems), maxFailures-len(res.Problems))
	if n > 0 {
		res.Problems = append(res.Problems, out.Problems[:n]...)
	}
	if out.ProblemsRef != "" {
		res.ProblemsRef = activities.ProblemsDir(res.PlanRef)
	}
}

func (r *syncRun) reportApply(ctx workflow.Context, stage netbox.Stage) {
	r.progress.Applied = r.state.Result.Applied
	r.progress.Stage = fmt.Sprintf("%s %s", stage.Op, stage.Kind)
	r.progress.StageNumber, r.progress.Stages = r.state.Stage+1, len(r.state.Stages)
	r.setPhase(ctx, "applying", fmt.Sprintf("stage %d/%d (%s %s), %s",
		r.state.Stage+1, len(r.state.Stages), stage.Op, stage.Kind, applyLine(r.state.Result.Applied)))
}

// guardLine says, for the run's details, what the mass-delete guard
// blocked and let through; nothing when it did neither.
func guardLine(p activities.PlanSummary) string {
	out := ""
	if len(p.Blocked) > 0 {
		out += "; orphaning blocked: " + strings.Join(p.Blocked, "; ")
	}
	if len(p.LetThrough) > 0 {
		out += "; deletions let through: " + strings.Join(p.LetThrough, "; ")
	}
	return out
}

func applyLine(t ApplyTotals) string {
	return fmt.Sprintf("%d/%d batches, %d created, %d updated, %d deleted, %d failed batches, %d skipped batches",
		t.BatchesDone, t.Batches, t.Created, t.Updated, t.Deleted, t.BatchesFailed, t.BatchesSkipped)
}

// runName names this run, for blob paths and NetBox's changelog: the
// workflow ID and run ID.
func runName(ctx workflow.Context) string {
	info := workflow.GetInfo(ctx)
	return info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID
}

// stepFailed is the run's failure when step failed with err. Its message
// is the step alone and err its cause, so that err's text, which names
// what went wrong, appears once in what the starter and the UI show
// (fmt.Errorf would copy it into each layer Temporal writes out).
func stepFailed(step string, err error) error {
	return temporal.NewApplicationErrorWithCause(step, "", err)
}

// errorMessage keeps the innermost application error's message, which is
// the one that names the cause; wrapping layers only repeat "activity error".
func errorMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		if appErr.Type() != "" {
			return appErr.Type() + ": " + appErr.Error()
		}
		return appErr.Error()
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		return "timeout: " + timeoutErr.Error()
	}
	return err.Error()
}
