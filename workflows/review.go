package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// The names of the review's updates; signals of the same names do the
// same, for clients that cannot send updates.
const (
	ApproveUpdate = "approve"
	RejectUpdate  = "reject"
)

// What became of a run's review.
const (
	ReviewWaiting  = "waiting"
	ReviewApproved = "approved"
	ReviewRejected = "rejected"
	ReviewExpired  = "expired"
)

// ErrTypePlanExpired is the failure of a run whose saved plan is older
// than review.plan_max_age.
const ErrTypePlanExpired = "PlanExpired"

// reviewChange names the change that gave runs their review step; runs
// recorded before it replay without the step.
const reviewChange = "review-step"

// Decision is the input of the approve and reject updates and signals;
// both fields are optional and only recorded.
type Decision struct {
	By      string `json:"by,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// Review is the state of a run's review: while it waits (outcome
// waiting), and how it ended.
type Review struct {
	Outcome  string    `json:"outcome"`
	PlanRef  string    `json:"plan_ref"`
	Deadline time.Time `json:"deadline"`
	By       string    `json:"by,omitempty"`
	Comment  string    `json:"comment,omitempty"`
	// Branch is the netbox-branching branch that holds the run's changes,
	// reviewed in NetBox's UI, when review.branch is set: an approval
	// merges it into main.
	Branch *netbox.Branch `json:"branch,omitempty"`
}

// gate stands between a run's plan and its first write: a saved plan past
// its maximum age fails the run, and with review required a plan that
// changes something waits for a decision. stop is true when the run ends
// here with nothing written.
func (r *syncRun) gate(ctx workflow.Context, cfg activities.ConfigureResult, plan activities.PlanResult) (stop bool, err error) {
	rv := cfg.Review
	if r.req.PlanRef != "" && rv.PlanMaxAge > 0 && !plan.CreatedAt.IsZero() {
		if age := workflow.Now(ctx).Sub(plan.CreatedAt); age > rv.PlanMaxAge {
			r.setPhase(ctx, "failed", "plan too old")
			return true, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("plan %s was made %s ago, longer than review.plan_max_age (%s): plan again",
					plan.Ref, age.Round(time.Second), rv.PlanMaxAge), ErrTypePlanExpired, nil)
		}
	}
	// A saved plan applied by hand was reviewed by whoever applies it. A
	// run into a branch writes first, and is reviewed before its merge.
	if !rv.Required || r.req.PlanRef != "" || plan.Summary.Total == 0 || rv.Branch {
		return false, nil
	}
	if workflow.GetVersion(ctx, reviewChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return false, nil
	}
	return r.review(ctx, rv.Timeout, plan)
}

// review waits, durably, up to timeout for an approve or a reject, sent
// as an update or a signal. Until then the plan's summary is the run's
// current details and its progress names what it waits for.
func (r *syncRun) review(ctx workflow.Context, timeout time.Duration, plan activities.PlanResult) (bool, error) {
	rv := &Review{Outcome: ReviewWaiting, PlanRef: plan.Ref, Deadline: workflow.Now(ctx).Add(timeout), Branch: r.state.Branch}
	decide := func(outcome string, d Decision) {
		if rv.Outcome == ReviewWaiting {
			rv.Outcome, rv.By, rv.Comment = outcome, d.By, d.Comment
		}
	}
	if err := r.reviewHandlers(ctx, rv, decide); err != nil {
		return true, err
	}
	r.progress.Review = rv
	r.progress.Phase = "awaiting approval"
	workflow.SetCurrentDetails(ctx, reviewDetails(ctx, rv, plan.Summary))
	ok, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout:      timeout,
		TimerOptions: workflow.TimerOptions{Summary: "approval of " + plan.Ref},
	}, func() bool { return rv.Outcome != ReviewWaiting })
	if err != nil {
		return true, fmt.Errorf("await approval: %w", err)
	}
	if !ok {
		decide(ReviewExpired, Decision{})
	}
	done := *rv
	r.state.Result.Review = &done
	untouched := "nothing written"
	if rv.Branch != nil {
		untouched = fmt.Sprintf("main untouched; branch %q left unmerged in NetBox (%s)", rv.Branch.Name, rv.Branch.URL)
	}
	switch rv.Outcome {
	case ReviewApproved:
		return false, nil
	case ReviewRejected:
		r.setPhase(ctx, "done", "plan rejected"+by(rv)+": "+untouched)
	default:
		r.setPhase(ctx, "done", fmt.Sprintf("plan expired after %s without approval: %s", timeout, untouched))
	}
	return true, nil
}

// reviewHandlers registers the approve and reject updates, whose validator
// refuses them unless the run waits, and drains the signals of the same
// names sent before the run waited (nobody could have seen its plan), then
// takes the next ones as decisions.
func (r *syncRun) reviewHandlers(ctx workflow.Context, rv *Review, decide func(string, Decision)) error {
	validate := func(_ workflow.Context, _ Decision) error {
		if rv.Outcome != ReviewWaiting {
			return errors.New("the plan " + rv.PlanRef + " is " + rv.Outcome + " already")
		}
		return nil
	}
	for _, u := range []struct{ name, outcome string }{{ApproveUpdate, ReviewApproved}, {RejectUpdate, ReviewRejected}} {
		outcome := u.outcome
		handler := func(ctx workflow.Context, d Decision) (Review, error) {
			// Two updates validated together: the first one decides.
			if err := validate(ctx, d); err != nil {
				return Review{}, err
			}
			decide(outcome, d)
			return *rv, nil
		}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, handler, workflow.UpdateHandlerOptions{Validator: validate}); err != nil {
			return fmt.Errorf("register %s update: %w", u.name, err)
		}
	}
	approve, reject := workflow.GetSignalChannel(ctx, ApproveUpdate), workflow.GetSignalChannel(ctx, RejectUpdate)
	var early Decision
	for approve.ReceiveAsync(&early) || reject.ReceiveAsync(&early) {
		workflow.GetLogger(ctx).Warn("review signal sent before the run waited for it, ignored")
	}
	workflow.Go(ctx, func(gctx workflow.Context) {
		sel := workflow.NewSelector(gctx)
		take := func(outcome string) func(workflow.ReceiveChannel, bool) {
			return func(c workflow.ReceiveChannel, _ bool) {
				var d Decision
				c.Receive(gctx, &d)
				decide(outcome, d)
			}
		}
		sel.AddReceive(approve, take(ReviewApproved))
		sel.AddReceive(reject, take(ReviewRejected))
		for rv.Outcome == ReviewWaiting {
			sel.Select(gctx)
		}
	})
	return nil
}

// reviewDetails is the Web UI's line while the run waits: what it waits
// for, until when, how to answer, and the plan's counts.
func reviewDetails(ctx workflow.Context, rv *Review, s activities.PlanSummary) string {
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	var b strings.Builder
	b.WriteString(fmt.Sprintf("**awaiting approval** of plan `%s` until %s (%d changes in %d batches)\n\n",
		rv.PlanRef, rv.Deadline.UTC().Format(time.RFC3339), s.Total, s.Batches))
	if rv.Branch != nil {
		b.WriteString(fmt.Sprintf("Written into NetBox branch **%s**, not main: review it in NetBox at %s; an approval merges it.\n\n",
			rv.Branch.Name, rv.Branch.URL))
	}
	for _, c := range s.Counts {
		b.WriteString(fmt.Sprintf("- %s %d %s\n", c.Op, c.Count, c.Kind))
	}
	if len(s.Blocked) > 0 {
		b.WriteString(fmt.Sprintf("- orphaning blocked: %s\n", strings.Join(s.Blocked, "; ")))
	}
	for _, l := range s.KeptLines {
		b.WriteString("- " + l + "\n")
	}
	if s.Adoptable > 0 {
		b.WriteString(fmt.Sprintf("- held for adoption (made by hand): %d\n", s.Adoptable))
	}
	b.WriteString(fmt.Sprintf("\nApprove: `starter approve %s` or `temporal workflow update execute --name approve --workflow-id %s`; reject: `starter reject %s`.", id, id, id))
	return b.String()
}

func by(rv *Review) string {
	if rv.By == "" {
		return ""
	}
	return " by " + rv.By
}
