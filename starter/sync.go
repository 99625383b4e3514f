package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

func syncFlags(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
	dryRun := fs.Bool("dry-run", false, "discover, merge and plan; write nothing (the plan is saved for review)")
	sources := fs.String("sources", "", "comma-separated source names (default: every enabled source)")
	wait := fs.Bool("wait", false, "show progress until the run ends, then print its summary")
	id := fs.String("id", "", "workflow ID (default: netbox-agent-sync-<time>)")
	allow := allowDeletesFlag(fs)
	return func(ctx context.Context, a *app, _ []string) error {
		allowed, err := allow()
		if err != nil {
			return err
		}
		req := workflows.SyncRequest{DryRun: *dryRun, Sources: splitList(*sources), AllowDeletes: allowed}
		return a.start(ctx, req, *id, *wait)
	}
}

// allowDeletesFlag adds --allow-deletes, which lets the mass-delete
// guard's blocks through for the one run it starts; the answer checks it.
func allowDeletesFlag(fs *pflag.FlagSet) func() ([]string, error) {
	list := fs.StringSlice("allow-deletes", nil,
		"let the mass-delete guard's blocks through for this run: source, source/kind or * (repeatable or comma-separated)")
	return func() ([]string, error) {
		var out []string
		for _, s := range *list {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		if err := netbox.ParseAllowDeletes(out); err != nil {
			return nil, fmt.Errorf("--allow-deletes: %w", err)
		}
		return out, nil
	}
}

func applyFlags(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
	plan := fs.String("plan", "", "ID of a saved plan (printed by starter plan), or its plan_ref")
	wait := fs.Bool("wait", false, "show progress until the run ends, then print its summary")
	id := fs.String("id", "", "workflow ID (default: netbox-agent-apply-<time>)")
	return func(ctx context.Context, a *app, _ []string) error {
		if *plan == "" {
			return errors.New("apply needs --plan <plan-id or ref>")
		}
		ref := *plan
		// A plan ID is the workflow ID of the dry run that made it.
		if !strings.HasSuffix(ref, ".json") {
			var err error
			if ref, err = a.planRef(ctx, ref); err != nil {
				return err
			}
		}
		return a.start(ctx, workflows.SyncRequest{PlanRef: ref}, *id, *wait)
	}
}

func statusFlags(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
	id := fs.String("id", "", "workflow ID (default: the running sync)")
	return func(ctx context.Context, a *app, _ []string) error {
		wid := *id
		if wid == "" {
			var err error
			if wid, err = a.runningSync(ctx); err != nil {
				return err
			}
		}
		p, err := a.progress(ctx, wid)
		if err != nil {
			return err
		}
		desc, err := a.tc.DescribeWorkflow(ctx, wid, "")
		if err != nil {
			return fmt.Errorf("describe %s: %w", wid, err)
		}
		w := &statusLine{clock: meter{start: desc.RawResponse.GetWorkflowExecutionInfo().GetStartTime().AsTime()}}
		fmt.Fprintf(a.out, "%s: %s\n", wid, w.line(observation{At: time.Now(), Progress: p, Retrying: retryingOf(desc.RawResponse)}))
		return nil
	}
}

// summary says in one line what a run does, for the Web UI's list.
func summary(req workflows.SyncRequest) string {
	what := "all enabled sources"
	if len(req.Sources) > 0 {
		what = strings.Join(req.Sources, ", ")
	}
	if len(req.AllowDeletes) > 0 {
		what += " (deletions let through: " + strings.Join(req.AllowDeletes, ", ") + ")"
	}
	switch {
	case req.PlanRef != "":
		return "apply saved plan " + req.PlanRef
	case req.DryRun:
		return "dry run: " + what
	}
	return "sync " + what
}

func (a *app) start(ctx context.Context, req workflows.SyncRequest, id string, wait bool) error {
	if id == "" {
		prefix := "netbox-agent-sync-"
		if req.PlanRef != "" {
			prefix = "netbox-agent-apply-"
		}
		id = prefix + time.Now().UTC().Format("20060102T150405Z")
	}
	run, err := a.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                 id,
		TaskQueue:          a.cfg.Temporal.TaskQueue,
		StaticSummary:      summary(req),
		WorkflowRunTimeout: a.cfg.Sync.RunTimeout.Duration,
	}, workflows.SyncWorkflow, req)
	if err != nil {
		return fmt.Errorf("start sync: %w", err)
	}
	fmt.Fprintf(a.out, "started %s (run %s)\n", run.GetID(), run.GetRunID())
	if !wait {
		return nil
	}
	return a.wait(ctx, run)
}

// wait shows the run's progress as it changes, then its summary: a
// status line rewritten in place on a terminal, plain lines elsewhere.
func (a *app) wait(ctx context.Context, run client.WorkflowRun) error {
	done := make(chan error, 1)
	var res workflows.SyncResult
	go func() { done <- run.Get(ctx, &res) }()
	w := newProgressWriter(a.out, time.Now(), isTerminal(a.out, os.Getenv("TERM")), terminalWidth(os.Getenv("COLUMNS")))
	defer w.end()
	a.watch(ctx, run.GetID(), w)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("sync %s failed: %w", run.GetID(), err)
			}
			w.show(observation{At: time.Now(), Progress: finalProgress(res)})
			w.end()
			return printResult(a.out, run.GetID(), res)
		case <-tick.C:
			a.watch(ctx, run.GetID(), w)
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting; the sync goes on: %w", ctx.Err())
		}
	}
}

// watch shows what the run's progress is now. A run between workflow
// tasks or continuing as new may not answer; the next tick asks again.
func (a *app) watch(ctx context.Context, id string, w progressWriter) {
	p, err := a.progress(ctx, id)
	if err != nil {
		return
	}
	o := observation{At: time.Now(), Progress: p}
	if p.Phase == "discovering" {
		o.Retrying = a.retrying(ctx, id)
	}
	w.show(o)
}

// retrying finds the discoveries that failed at least once and are tried
// again, from the run's pending activities; nothing when it cannot tell.
func (a *app) retrying(ctx context.Context, id string) map[string]attempt {
	desc, err := a.tc.DescribeWorkflow(ctx, id, "")
	if err != nil {
		return nil
	}
	return retryingOf(desc.RawResponse)
}

// retryingOf finds the retried discoveries among a run's pending activities.
func retryingOf(desc *workflowservice.DescribeWorkflowExecutionResponse) map[string]attempt {
	out := map[string]attempt{}
	for _, pa := range desc.GetPendingActivities() {
		name, ok := strings.CutPrefix(pa.GetActivityId(), "discover/")
		if !ok || pa.GetAttempt() < 2 {
			continue
		}
		out[name] = attempt{Number: pa.GetAttempt(), LastError: failureMessage(pa.GetLastFailure())}
	}
	return out
}

// failureMessage is a failure's type and the messages of it and its
// causes: "SourceUnreachable: discover pve: dial tcp ...: connection refused".
func failureMessage(f *failurepb.Failure) string {
	var msgs []string
	for c := f; c != nil; c = c.GetCause() {
		if m := c.GetMessage(); m != "" {
			msgs = append(msgs, m)
		}
	}
	msg := strings.Join(msgs, ": ")
	if t := f.GetApplicationFailureInfo().GetType(); t != "" {
		msg = t + ": " + msg
	}
	return msg
}

func (a *app) progress(ctx context.Context, id string) (workflows.Progress, error) {
	var p workflows.Progress
	v, err := a.tc.QueryWorkflow(ctx, id, "", workflows.ProgressQuery)
	if err != nil {
		return p, fmt.Errorf("query progress of %s: %w", id, err)
	}
	if err := v.Get(&p); err != nil {
		return p, fmt.Errorf("decode progress of %s: %w", id, err)
	}
	return p, nil
}

// runningSync finds the running sync workflow, newest first.
func (a *app) runningSync(ctx context.Context) (string, error) {
	resp, err := a.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: a.cfg.Temporal.Namespace,
		Query:     "WorkflowType = 'SyncWorkflow' AND ExecutionStatus = 'Running'",
		PageSize:  1,
	})
	if err != nil {
		return "", fmt.Errorf("list running syncs: %w", err)
	}
	if len(resp.Executions) == 0 {
		return "", errors.New("no sync is running")
	}
	e := resp.Executions[0]
	if e.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return "", errors.New("no sync is running")
	}
	return e.Execution.WorkflowId, nil
}

func printResult(out interface{ Write([]byte) (int, error) }, id string, res workflows.SyncResult) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nsync %s finished\n\n", id)
	if res.NetBoxVersion != "" {
		fmt.Fprintf(tw, "NetBox %s\n\n", res.NetBoxVersion)
	}
	fmt.Fprintln(tw, "SOURCE\tTYPE\tSTATUS\tRECORDS\tWARNINGS\tERROR")
	for _, s := range res.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", s.Name, s.Type, s.Status, s.Records, s.Warnings, s.Error)
	}
	fmt.Fprintf(tw, "\nKIND\tCREATE\tUPDATE\tDELETE\n")
	type row struct{ create, update, del int }
	rows := map[string]*row{}
	var order []string
	for _, c := range res.Plan.Counts {
		r, ok := rows[c.Kind]
		if !ok {
			r = &row{}
			rows[c.Kind] = r
			order = append(order, c.Kind)
		}
		switch c.Op {
		case "create":
			r.create += c.Count
		case "update":
			r.update += c.Count
		case "delete":
			r.del += c.Count
		}
	}
	for _, k := range order {
		r := rows[k]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", k, r.create, r.update, r.del)
	}
	if len(order) == 0 {
		fmt.Fprintln(tw, "(no changes)\t0\t0\t0")
	}
	t := res.Applied
	fmt.Fprintln(tw)
	if p := res.Prepared; p != nil {
		fmt.Fprintf(tw, "prepared: %d tags (%d created), %d custom fields (%d created, %d widened)\n",
			p.Tags, p.TagsCreated, p.CustomFields, p.CustomFieldsCreated, p.CustomFieldsUpdated)
	}
	if res.DryRun {
		fmt.Fprintf(tw, "dry run: nothing written; plan saved as %s\n", res.PlanRef)
	} else {
		fmt.Fprintf(tw, "applied: %d created, %d updated, %d deleted, %d unchanged; %d/%d batches done, %d failed, %d skipped; %d problems\n",
			t.Created, t.Updated, t.Deleted, t.Unchanged, t.BatchesDone, t.Batches, t.BatchesFailed, t.BatchesSkipped, t.Problems)
	}
	for _, f := range res.FailedBatches {
		fmt.Fprintf(tw, "batch %04d %s %s: %s\n", f.Batch, f.Op, f.Kind, f.Error)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(tw, "problem: %s\n", p)
	}
	if t.Problems > len(res.Problems) {
		more := fmt.Sprintf("%d more problems not listed", t.Problems-len(res.Problems))
		if res.ProblemsRef != "" {
			more += "; every batch's whole list is in the blob store under " + res.ProblemsRef
		}
		fmt.Fprintln(tw, more)
	}
	for _, l := range res.Plan.Blocked {
		fmt.Fprintf(tw, "%s\n", l)
	}
	for _, l := range res.Plan.LetThrough {
		fmt.Fprintf(tw, "%s\n", l)
	}
	for _, l := range res.Plan.KeptLines {
		fmt.Fprintf(tw, "%s\n", l)
	}
	if n := res.Plan.ManualEdits; n > 0 {
		fmt.Fprintf(tw, "manual edits: %d fields changed by hand in NetBox\n", n)
	}
	for _, l := range res.Plan.FieldLines {
		fmt.Fprintf(tw, "%s\n", l)
	}
	if n := res.Plan.Adoptable; n > 0 {
		fmt.Fprintf(tw, "adoptable: %d objects made by hand are records' objects; nothing written to them or built on them (adopt: report)\n", n)
		for _, l := range res.Plan.AdoptableLines {
			fmt.Fprintf(tw, "%s\n", l)
		}
		fmt.Fprintf(tw, "%s\n", adoptHint)
	}
	return tw.Flush()
}
