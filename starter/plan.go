package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

func planFlags(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
	ref := fs.String("ref", "", "plan reference (instead of a workflow ID)")
	output := fs.String("output", "text", "text (a readable diff) or json")
	sources := fs.String("sources", "", "comma-separated source names (default: every enabled source)")
	allow := allowDeletesFlag(fs)
	return func(ctx context.Context, a *app, args []string) error {
		if *output != "text" && *output != "json" {
			return fmt.Errorf("--output %q: want text or json", *output)
		}
		allowed, err := allow()
		if err != nil {
			return err
		}
		if len(args) == 0 {
			return a.planNew(ctx, workflows.SyncRequest{DryRun: true, Sources: splitList(*sources), AllowDeletes: allowed}, *output)
		}
		if len(allowed) > 0 {
			return errors.New("--allow-deletes applies when a plan is made (starter plan), not to plan show")
		}
		if args[0] != "show" || (len(args) != 2 && *ref == "") {
			return errors.New("usage: starter plan [--output json] | starter plan show <workflow-id> (or --ref <plan-ref>)")
		}
		planRef := *ref
		if planRef == "" {
			var err error
			if planRef, err = a.planRef(ctx, args[1]); err != nil {
				return err
			}
		}
		p, err := a.loadPlan(ctx, planRef)
		if err != nil {
			return err
		}
		if *output == "json" {
			return writePlanJSON(a.out, "", planRef, p)
		}
		fmt.Fprintf(a.out, "plan %s\n\n", planRef)
		return p.WriteTable(a.out)
	}
}

// planNew runs a dry run (discover, merge, plan; nothing written), then
// prints its plan as a diff and the ID to apply it by.
func (a *app) planNew(ctx context.Context, req workflows.SyncRequest, output string) error {
	id := "netbox-agent-plan-" + time.Now().UTC().Format("20060102T150405Z")
	run, err := a.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: a.cfg.Temporal.TaskQueue, StaticSummary: "plan: " + strings.TrimPrefix(summary(req), "dry run: "),
	}, workflows.SyncWorkflow, req)
	if err != nil {
		return fmt.Errorf("start plan: %w", err)
	}
	var res workflows.SyncResult
	if err := run.Get(ctx, &res); err != nil {
		return fmt.Errorf("plan %s failed: %w", id, err)
	}
	p, err := a.loadPlan(ctx, res.PlanRef)
	if err != nil {
		return err
	}
	if output == "json" {
		return writePlanJSON(a.out, id, res.PlanRef, p)
	}
	if err := writeDiff(a.out, p); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "\nplan ID %s (%s)\napply exactly this plan with: starter apply --plan %s\n", id, res.PlanRef, id)
	return nil
}

func (a *app) loadPlan(ctx context.Context, ref string) (*netbox.Plan, error) {
	store, err := blob.Open(ctx, a.cfg.BlobURL, a.cfg.BaseDir())
	if err != nil {
		return nil, err
	}
	defer store.Close()
	var p netbox.Plan
	if err := store.GetJSON(ctx, ref, &p); err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return &p, nil
}

func writePlanJSON(w io.Writer, id, ref string, p *netbox.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		ID   string       `json:"id,omitempty"`
		Ref  string       `json:"plan_ref"`
		Plan *netbox.Plan `json:"plan"`
	}{id, ref, p})
}

// adoptHint says what an operator does about objects held for adoption.
const adoptHint = "to adopt: netbox.adopt: auto, or per kind netbox.adopt_kinds; one object: give it the tag netbox-agent " +
	"(adopted on the next run) or agent-ignore (left alone, built on); see docs/merge.md"

// writeDiff prints the plan per kind: creates, updates with each field's
// old and new value, orphan marks, deletes; then what it leaves alone.
func writeDiff(w io.Writer, p *netbox.Plan) error {
	var b strings.Builder
	against := ""
	if p.NetBoxVersion != "" {
		against = " against NetBox " + p.NetBoxVersion
	}
	fmt.Fprintf(&b, "plan of %s%s: %d changes\n", p.CreatedAt.UTC().Format(time.RFC3339), against, p.Operations())
	kind := ""
	for _, batch := range p.Batches {
		if string(batch.Kind) != kind {
			kind = string(batch.Kind)
			fmt.Fprintf(&b, "\n%s\n", kind)
		}
		for _, op := range batch.Ops {
			writeOp(&b, batch.Op, op)
		}
	}
	var fields []netbox.Finding
	for _, f := range p.Findings {
		if f.Field != "" {
			fields = append(fields, f)
		}
	}
	if len(fields) > 0 {
		fmt.Fprintf(&b, "\nfields edited by hand (%d) or reported\n", p.Summary.ManualEdits)
	}
	for _, f := range fields {
		fmt.Fprintf(&b, "  * %s %s: %s\n", f.Kind, f.Key, f.Reason)
	}
	if len(p.Adoptable) > 0 {
		fmt.Fprintf(&b, "\nmade by hand, held for adoption (%d; adopt: report)\n", len(p.Adoptable))
		for _, f := range p.Adoptable {
			fmt.Fprintf(&b, "  ? %s\n", f.AdoptableLine())
		}
		fmt.Fprintf(&b, "  %s\n", adoptHint)
	}
	through := p.LetThrough()
	if len(p.Ambiguous) > 0 || len(p.Blocked) > 0 || len(p.Kept) > 0 {
		b.WriteString("\nleft alone\n")
	}
	for _, k := range p.Kept {
		fmt.Fprintf(&b, "  = %s\n", k)
	}
	for _, f := range p.Ambiguous {
		fmt.Fprintf(&b, "  ? %s %s: %s\n", f.Kind, f.Key, f.Reason)
	}
	for _, bl := range p.Blocked {
		fmt.Fprintf(&b, "  ! %s\n", bl)
	}
	if len(through) > 0 {
		b.WriteString("\nlet through (--allow-deletes)\n")
	}
	for _, line := range through {
		fmt.Fprintf(&b, "  ! %s\n", line)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeOp(w io.Writer, kind netbox.Op, op netbox.Operation) {
	name := op.Name
	if name == "" {
		name = op.Key
	}
	if op.ID != 0 {
		name += fmt.Sprintf(" (#%d)", op.ID)
	}
	switch {
	case kind == netbox.OpCreate:
		fmt.Fprintf(w, "  + create %s\n", name)
	case kind == netbox.OpDelete:
		fmt.Fprintf(w, "  - delete %s: %s\n", name, op.Reason)
	case orphanMark(op):
		fmt.Fprintf(w, "  ~ mark orphan %s: %s\n", name, op.Reason)
	default:
		fmt.Fprintf(w, "  ~ update %s\n", name)
		for _, c := range op.Changes {
			fmt.Fprintf(w, "      %s: %s → %s\n", c.Field, diffValue(c.From), diffValue(c.To))
		}
		if len(op.Changes) == 0 {
			fmt.Fprintf(w, "      %s\n", op.Reason)
		}
	}
}

// orphanMark tells an update that marks an orphan: it sets the orphan date
// where there was none.
func orphanMark(op netbox.Operation) bool {
	for _, c := range op.Changes {
		if c.Field == "custom_fields."+netbox.CFOrphanedSince && c.From == nil {
			return true
		}
	}
	return false
}

func diffValue(v any) string {
	if v == nil {
		return "(none)"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
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
