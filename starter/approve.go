package main

import (
	"context"
	"errors"
	"fmt"
	"os/user"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/workflows"
)

// decideFlags builds `starter approve RUN` and `starter reject RUN`: the
// approve or reject update of a run that waits for review.
func decideFlags(update string) func(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
	return func(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
		comment := fs.String("comment", "", "why, recorded in the run's result")
		by := fs.String("by", "", "who decides (default: the local user name)")
		return func(ctx context.Context, a *app, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("usage: starter %s <workflow-id> [--comment TEXT]", update)
			}
			d := workflows.Decision{By: *by, Comment: *comment}
			if d.By == "" {
				if u, err := user.Current(); err == nil {
					d.By = u.Username
				}
			}
			rv, err := a.decide(ctx, args[0], update, d)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "%s: plan %s %s\n", args[0], rv.PlanRef, rv.Outcome)
			return nil
		}
	}
}

// decide sends the update and waits for the run's answer; a run that does
// not wait for review refuses it, and the error says why.
func (a *app) decide(ctx context.Context, id, update string, d workflows.Decision) (workflows.Review, error) {
	var rv workflows.Review
	h, err := a.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   id,
		UpdateName:   update,
		Args:         []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return rv, fmt.Errorf("%s %s: %w", update, id, err)
	}
	if err := h.Get(ctx, &rv); err != nil {
		return rv, fmt.Errorf("%s %s: %w", update, id, err)
	}
	if rv.Outcome == "" {
		return rv, errors.New(update + " " + id + ": the run answered no review")
	}
	return rv, nil
}
