package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

func explainFlags(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
	id := fs.String("id", "", "the run to explain from (default: the latest completed syncs)")
	runs := fs.Int("runs", 5, "how many of the latest completed runs to show what they did")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) != 2 {
			return errors.New("usage: starter explain <kind> <name-or-key> [--id WORKFLOW-ID] [--runs N]")
		}
		kind := inventory.Kind(args[0])
		if kind.Decl() == nil {
			return fmt.Errorf("unknown kind %q (kinds: %s)", args[0], kindNames())
		}
		list, err := a.completedRuns(ctx, *id, max(*runs, 1))
		if err != nil {
			return err
		}
		store, err := blob.Open(ctx, a.cfg.BlobURL, a.cfg.BaseDir())
		if err != nil {
			return err
		}
		defer store.Close()
		return explain(ctx, a.out, store, list, kind, args[1])
	}
}

func kindNames() string {
	var names []string
	for _, d := range inventory.Declarations() {
		names = append(names, string(d.Kind))
	}
	return strings.Join(names, ", ")
}

// pastRun is a completed sync: its workflow ID, when it closed and its result.
type pastRun struct {
	ID     string
	Closed time.Time
	Result workflows.SyncResult
}

// completedRuns returns the run id, or the latest n completed syncs, newest first.
func (a *app) completedRuns(ctx context.Context, id string, n int) ([]pastRun, error) {
	var ids []pastRun
	if id != "" {
		ids = append(ids, pastRun{ID: id})
	} else {
		resp, err := a.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query:    "WorkflowType = 'SyncWorkflow' AND ExecutionStatus = 'Completed'",
			PageSize: int32(n),
		})
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		for _, e := range resp.Executions {
			if e.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED && len(ids) < n {
				ids = append(ids, pastRun{ID: e.Execution.WorkflowId, Closed: e.CloseTime.AsTime()})
			}
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("no completed sync run to explain from")
	}
	for i := range ids {
		if err := a.tc.GetWorkflow(ctx, ids[i].ID, "").Get(ctx, &ids[i].Result); err != nil {
			return nil, fmt.Errorf("read result of %s: %w", ids[i].ID, err)
		}
	}
	return ids, nil
}

// explain prints, for the record of kind named by nameOrKey in the newest
// run that has an inventory, which sources reported it and how they were
// matched, where each field's value came from, and what each run's plan
// did to it.
func explain(ctx context.Context, w io.Writer, store *blob.Store, runs []pastRun, kind inventory.Kind, nameOrKey string) error {
	i := slices.IndexFunc(runs, func(r pastRun) bool { return r.Result.InventoryRef != "" })
	if i < 0 {
		return errors.New("no run has a merged inventory to explain from")
	}
	latest := runs[i]
	rec, err := findRecord(ctx, store, latest.Result.InventoryRef, kind, nameOrKey)
	if err != nil {
		return err
	}
	keys := append([]string{rec.Key}, rec.Aliases...)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q (key %s), as run %s merged it\n", kind, rec.String(kind.Decl().Name), rec.Key, latest.ID)
	report, err := matchReport(ctx, store, latest.Result.InventoryRef)
	if err != nil {
		return err
	}
	writeMatches(&b, report, keys)
	writeFields(&b, rec, report)
	b.WriteString("\nwhat the runs planned for it\n")
	for _, r := range runs {
		writeRunOps(ctx, &b, store, r, keys)
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// findRecord reads the inventory for the record of kind whose key, alias
// or name is nameOrKey; a name several records carry is an error that
// lists their keys.
func findRecord(ctx context.Context, store *blob.Store, ref string, kind inventory.Kind, nameOrKey string) (inventory.Record, error) {
	var byKey *inventory.Record
	var byName []inventory.Record
	nameField := kind.Decl().Name
	err := blob.EachJSON(ctx, store, ref, func(r *inventory.Record) error {
		if r.Kind != kind {
			return nil
		}
		if r.Key == nameOrKey || slices.Contains(r.Aliases, nameOrKey) {
			rec := *r
			byKey = &rec
		} else if strings.EqualFold(r.String(nameField), nameOrKey) {
			byName = append(byName, *r)
		}
		return nil
	})
	switch {
	case err != nil:
		return inventory.Record{}, fmt.Errorf("read inventory %s: %w", ref, err)
	case byKey != nil:
		return *byKey, nil
	case len(byName) == 1:
		return byName[0], nil
	case len(byName) > 1:
		var keys []string
		for _, r := range byName {
			keys = append(keys, r.Key)
		}
		return inventory.Record{}, fmt.Errorf("%d %s records are named %q; name one by its key: %s", len(byName), kind, nameOrKey, strings.Join(keys, ", "))
	}
	return inventory.Record{}, fmt.Errorf("no %s named %q or with that key in %s", kind, nameOrKey, ref)
}

// matchReport reads the match report written beside the inventory; a run
// merged before reports existed has none.
func matchReport(ctx context.Context, store *blob.Store, inventoryRef string) (*inventory.MergeReport, error) {
	ref := activities.MatchReportRefOf(inventoryRef)
	var report inventory.MergeReport
	if err := store.GetJSON(ctx, ref, &report); err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("read match report %s: %w", ref, err)
	}
	return &report, nil
}

func writeMatches(b *strings.Builder, report *inventory.MergeReport, keys []string) {
	if report == nil {
		b.WriteString("\nno match report for this run\n")
		return
	}
	b.WriteString("\nreported and matched\n")
	fmt.Fprintf(b, "  %s\n", keys[0])
	for _, m := range report.Matches {
		if m.Key == keys[0] {
			score := ""
			if m.Score > 0 {
				score = fmt.Sprintf(", score %.2f", m.Score)
			}
			fmt.Fprintf(b, "  %s (%s) joined with %s (%s) by %s %q%s\n", m.Record, m.Source, m.With, m.WithSource, m.Rule, m.Value, score)
		}
	}
	for _, m := range report.Conflicts {
		if slices.Contains(keys, m.Record) || slices.Contains(keys, m.With) {
			fmt.Fprintf(b, "  refused: %s (%s) with %s (%s) by %s %q: %s\n", m.Record, m.Source, m.With, m.WithSource, m.Rule, m.Value, m.Reason)
		}
	}
}

func writeFields(b *strings.Builder, rec inventory.Record, report *inventory.MergeReport) {
	b.WriteString("\nfields: value, and the source it came from\n")
	tw := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	var names []string
	for f := range rec.Attrs {
		names = append(names, f)
	}
	for f := range rec.Refs {
		names = append(names, f)
	}
	sort.Strings(names)
	settled := map[string]inventory.FieldConflict{}
	if report != nil {
		for _, c := range report.Fields {
			if c.Key == rec.Key {
				settled[c.Field] = c
			}
		}
	}
	for _, f := range names {
		v := diffValue(rec.Attrs[f])
		if k, ok := rec.Refs[f]; ok {
			v = "→ " + k
		}
		note := ""
		if c, ok := settled[f]; ok {
			var others []string
			for _, sv := range c.Values {
				if sv.Source != c.Chosen {
					others = append(others, fmt.Sprintf("%s said %s", sv.Source, diffValue(sv.Value)))
				}
			}
			note = fmt.Sprintf("  (%s; settled by %s)", strings.Join(others, ", "), c.By)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s%s\n", f, v, rec.Origin[f], note)
	}
	tw.Flush() // writes into a strings.Builder, which does not fail
}

// writeRunOps prints what run's plan did to the object with one of keys.
func writeRunOps(ctx context.Context, b *strings.Builder, store *blob.Store, r pastRun, keys []string) {
	when := ""
	if !r.Closed.IsZero() {
		when = " " + r.Closed.UTC().Format(time.RFC3339)
	}
	dry := ""
	if r.Result.DryRun {
		dry = " (dry run)"
	}
	if r.Result.PlanRef == "" {
		fmt.Fprintf(b, "  %s%s%s: no plan\n", r.ID, when, dry)
		return
	}
	var p netbox.Plan
	if err := store.GetJSON(ctx, r.Result.PlanRef, &p); err != nil {
		fmt.Fprintf(b, "  %s%s%s: plan %s unreadable: %s\n", r.ID, when, dry, r.Result.PlanRef, err.Error())
		return
	}
	var ops strings.Builder
	for _, batch := range p.Batches {
		for _, op := range batch.Ops {
			if slices.Contains(keys, op.Key) {
				writeOp(&ops, batch.Op, op)
			}
		}
	}
	if ops.Len() == 0 {
		fmt.Fprintf(b, "  %s%s%s: nothing to change\n", r.ID, when, dry)
		return
	}
	fmt.Fprintf(b, "  %s%s%s:\n%s", r.ID, when, dry, ops.String())
}
