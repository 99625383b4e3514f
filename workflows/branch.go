package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// branchTimeout bounds one attempt of opening or merging a branch: the
// plugin's background jobs copy or replay the whole change set.
const branchTimeout = 30 * time.Minute

// inBranch reports whether the run writes into a netbox-branching branch
// rather than main: review.branch is set, the run plans (a saved plan
// applied by hand was reviewed already) and it has something to write.
func (r *syncRun) inBranch(cfg activities.ConfigureResult, plan activities.PlanResult) bool {
	return cfg.Review.Required && cfg.Review.Branch && r.req.PlanRef == "" && !r.req.DryRun && plan.Summary.Total > 0
}

// branchName names the run's branch after the run, within the plugin's
// 100 characters.
func branchName(ctx workflow.Context) string {
	info := workflow.GetInfo(ctx).WorkflowExecution
	name := "netbox-agent " + info.ID
	if len(name) > 100 {
		name = name[:100]
	}
	return name
}

// openBranch opens the run's branch, after Prepare made the tags and
// custom fields in main so that the branch holds them, and before the
// first batch; every batch then goes into it.
func (r *syncRun) openBranch(ctx workflow.Context, cfg activities.ConfigureResult, plan activities.PlanResult) error {
	name := branchName(ctx)
	r.setPhase(ctx, "opening branch", name)
	opts := r.options(cfg, "open branch "+name, "open-branch", branchTimeout)
	actx := workflow.WithActivityOptions(ctx, opts)
	in := activities.BranchInput{Name: name, Description: fmt.Sprintf("netbox-agent run %s: plan %s, %d changes",
		runName(ctx), plan.Ref, plan.Summary.Total)}
	var b netbox.Branch
	if err := workflow.ExecuteActivity(actx, a.OpenBranch, in).Get(ctx, &b); err != nil {
		return stepFailed("open branch", err)
	}
	r.state.Branch = &b
	return nil
}

// finishBranch waits, once every batch is in the branch, for the review,
// and merges the branch into main when it is approved. stop is true when
// the run ends with main untouched (rejected or expired).
func (r *syncRun) finishBranch(ctx workflow.Context, cfg activities.ConfigureResult) (stop bool, err error) {
	res := &r.state.Result
	plan := activities.PlanResult{Ref: res.PlanRef, Summary: res.Plan}
	if stop, err := r.review(ctx, cfg.Review.Timeout, plan); stop || err != nil {
		return true, err
	}
	b := r.state.Branch
	r.setPhase(ctx, "merging branch", b.Name)
	actx := workflow.WithActivityOptions(ctx, r.options(cfg, "merge branch "+b.Name, "merge-branch", branchTimeout))
	var m activities.BranchMerge
	if err := workflow.ExecuteActivity(actx, a.MergeBranch, activities.BranchInput{Name: b.Name, ID: b.ID}).Get(ctx, &m); err != nil {
		return true, stepFailed("merge branch", err)
	}
	res.Branch = &m
	return false, nil
}

// branchLine says, for the run's details, that its branch was merged.
func branchLine(m *activities.BranchMerge) string {
	switch {
	case m == nil:
		return ""
	case m.Merged:
		return fmt.Sprintf("; branch %q merged into main", m.Branch.Name)
	}
	return fmt.Sprintf("; branch %q held no change to merge", m.Branch.Name)
}
