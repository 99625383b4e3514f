package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

func planFlags(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
	ref := fs.String("ref", "", "plan reference (instead of a workflow ID)")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) < 1 || args[0] != "show" || (len(args) != 2 && *ref == "") {
			return errors.New("usage: starter plan show <workflow-id> (or --ref <plan-ref>)")
		}
		planRef := *ref
		if planRef == "" {
			var err error
			if planRef, err = a.planRef(ctx, args[1]); err != nil {
				return err
			}
		}
		store, err := blob.Open(ctx, a.cfg.BlobURL, a.cfg.BaseDir())
		if err != nil {
			return err
		}
		defer store.Close()
		var p netbox.Plan
		if err := store.GetJSON(ctx, planRef, &p); err != nil {
			return fmt.Errorf("read plan: %w", err)
		}
		fmt.Fprintf(a.out, "plan %s\n\n", planRef)
		return p.WriteTable(a.out)
	}
}

// planRef finds a run's plan: from its result when it finished, from its
// progress query while it runs.
func (a *app) planRef(ctx context.Context, id string) (string, error) {
	d, err := a.tc.DescribeWorkflow(ctx, id, "")
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", id, err)
	}
	if d.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		var res workflows.SyncResult
		if err := a.tc.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
			return "", fmt.Errorf("read result of %s: %w", id, err)
		}
		if res.PlanRef == "" {
			return "", fmt.Errorf("run %s made no plan", id)
		}
		return res.PlanRef, nil
	}
	p, err := a.progress(ctx, id)
	if err != nil {
		return "", err
	}
	if p.PlanRef == "" {
		return "", fmt.Errorf("run %s has no plan yet (phase %s)", id, p.Phase)
	}
	return p.PlanRef, nil
}
