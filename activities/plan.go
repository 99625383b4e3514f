package activities

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/metrics"
)

// PlanInput names the inventory to reconcile and how each source fared.
type PlanInput struct {
	Run          string `json:"run"`
	InventoryRef string `json:"inventory_ref"`
	// Sources says how each source of the run fared, failed ones included.
	Sources []SourceResult `json:"sources"`
	// Now is the workflow's time, so that dates written to NetBox do not
	// depend on which worker ran the plan.
	Now time.Time `json:"now"`
	// AllowDeletes lets the mass-delete guard's blocks through for this
	// plan: "*", a source name, or "source/kind".
	AllowDeletes []string `json:"allow_deletes,omitempty"`
	// Journal keeps, in each operation, the source of every field it
	// writes (review.journal), for the journal entries the batches write.
	Journal bool `json:"journal,omitempty"`
}

// OpCount counts the operations of one kind and op.
type OpCount struct {
	Kind  string `json:"kind"`
	Op    string `json:"op"`
	Count int    `json:"count"`
}

// PlanSummary sums a plan up for the workflow result.
type PlanSummary struct {
	Counts    []OpCount `json:"counts,omitempty"`
	Total     int       `json:"total"`
	Batches   int       `json:"batches"`
	Ambiguous int       `json:"ambiguous,omitempty"`
	// Blocked reads the mass-delete guard's blocks, a line each; Guard has
	// them, and the kinds let through (LetThrough reads those), as entries.
	Blocked    []string            `json:"blocked,omitempty"`
	LetThrough []string            `json:"let_through,omitempty"`
	Guard      []netbox.GuardEntry `json:"guard,omitempty"`
	// Kept counts, by source and kind, the objects left as NetBox has them
	// because their source could not see them (the first maxKept, most
	// first); KeptTotal counts them all and KeptLines reads them.
	Kept      []netbox.Kept `json:"kept,omitempty"`
	KeptTotal int           `json:"kept_total,omitempty"`
	KeptLines []string      `json:"kept_lines,omitempty"`
	// Orphaned counts, per kind, the objects the plan newly marks as
	// orphans.
	Orphaned map[string]int `json:"orphaned,omitempty"`
	// ManualEdits counts the fields an operator changed in NetBox;
	// FieldLines reads the plan's findings about single fields (those
	// edits, kept or overwritten, and the differences on_manual_edit:
	// report reports), the first maxKept of them.
	ManualEdits int      `json:"manual_edits,omitempty"`
	FieldLines  []string `json:"field_lines,omitempty"`
	// Adoptable counts the records matched to objects made by hand that
	// the plan holds until an operator decides (adopt: report);
	// AdoptableLines reads the first maxKept of them: the record, the
	// object's ID and name, and what matched.
	Adoptable      int      `json:"adoptable,omitempty"`
	AdoptableLines []string `json:"adoptable_lines,omitempty"`
}

// maxKept bounds the kept counts a plan summary carries; the saved plan
// has them all.
const maxKept = 20

// PlanResult references the plan and lays out its stages.
type PlanResult struct {
	Ref     string         `json:"ref"`
	Summary PlanSummary    `json:"summary"`
	Stages  []netbox.Stage `json:"stages"`
	// NetBoxVersion is the release of the NetBox the run talks to, read
	// once at the run's start; the apply batches name it to the engine.
	NetBoxVersion string `json:"netbox_version,omitempty"`
	// Schema counts the tags and custom fields the plan needs, which the
	// Prepare step makes before any batch runs.
	Schema netbox.SchemaCount `json:"schema"`
	// CreatedAt is when the plan was made (its run's workflow time), by
	// which a run refuses a saved plan past the review's plan_max_age.
	CreatedAt time.Time `json:"created_at"`
}

// PlanRef names where a run's plan lives.
func PlanRef(run string) string { return fmt.Sprintf("runs/%s/plan.json", run) }

// Plan compares the inventory with NetBox and writes the plan: the ordered
// batches of creates, updates and deletes, each operation with its reason.
// It only reads NetBox: the tags and custom fields the plan needs are made
// by the Prepare step.
//
// It reads NetBox's release first, once for the run: a NetBox older than
// 4.2 ends the run here, and the release decides what the run sends.
func (a *Activities) Plan(ctx context.Context, in PlanInput) (PlanResult, error) {
	defer keepAlive(ctx)()
	run, err := a.netboxRun(ctx, in.Run)
	if err != nil {
		return PlanResult{}, err
	}
	if err := checkAllowDeletes(in.AllowDeletes); err != nil {
		return PlanResult{}, err
	}
	succeeded := make(map[string]bool, len(in.Sources))
	for _, s := range in.Sources {
		succeeded[s.Name] = s.Succeeded()
	}
	// The planner reads the inventory one record at a time into its own
	// form, about half the size of the records decoded whole.
	read := func(each func(*inventory.Record) error) error {
		return a.readInventory(ctx, in.InventoryRef, in.Journal, each)
	}
	gaps, err := a.loadGaps(ctx, in.InventoryRef)
	if err != nil {
		return PlanResult{}, classify(err)
	}
	baseline, err := a.loadBaseline(ctx)
	if err != nil {
		return PlanResult{}, classify(err)
	}
	plan, err := a.NetBox.Plan(ctx, netbox.PlanRequest{Read: read, Sources: succeeded, Now: in.Now,
		NetBoxVersion: run.NetBoxVersion, Settings: a.choiceSettings(), Gaps: gaps,
		Baseline: baseline.Baseline, AllowDeletes: in.AllowDeletes})
	if err != nil {
		return PlanResult{}, classify(fmt.Errorf("plan: %w", err))
	}
	ref := PlanRef(in.Run)
	if err := a.savePlan(ctx, ref, plan); err != nil {
		return PlanResult{}, classify(err)
	}
	res := a.describePlan(ref, plan)
	res.NetBoxVersion = run.NetBoxVersion
	// How each source fared is recorded once, by the run's last step
	// (RecordRun): a plan retried after it recorded would count it twice.
	a.Log.Info("planned", zap.Int("operations", res.Summary.Total), zap.Int("batches", res.Summary.Batches),
		zap.String("netbox_version", run.NetBoxVersion))
	if len(res.Summary.Blocked) > 0 {
		a.Log.Warn("mass-delete guard blocked orphaning", zap.Strings("blocked", res.Summary.Blocked))
	}
	if len(res.Summary.LetThrough) > 0 {
		a.Log.Warn("mass-delete guard let deletions through", zap.Strings("let_through", res.Summary.LetThrough),
			zap.Strings("allow_deletes", in.AllowDeletes))
	}
	return res, nil
}

// netboxRun reads NetBox's release for the run.
func (a *Activities) netboxRun(ctx context.Context, run string) (netbox.Run, error) {
	st, err := a.NetBox.Status(ctx)
	if err != nil {
		return netbox.Run{}, classify(fmt.Errorf("read netbox version: %w", err))
	}
	return netbox.Run{ID: run, NetBoxVersion: st.Version.String()}, nil
}

// choiceSettings lists the settings of the sources built here that name
// NetBox choices, for the plan to check against the connected NetBox.
func (a *Activities) choiceSettings() []netbox.ChoiceSetting {
	var out []netbox.ChoiceSetting
	for _, s := range a.Sources {
		cs, ok := s.Source.(source.ChoiceSettings)
		if !ok {
			continue
		}
		for _, c := range cs.ChoiceSettings() {
			out = append(out, netbox.ChoiceSetting{Setting: fmt.Sprintf("source %q %s", s.Name, c.Setting),
				Kind: c.Kind, Field: c.Field, Value: c.Value})
		}
	}
	return out
}

// planRecord reads a merged record without its field origins, which the
// planner does not use: at 100,000 records they are a third of the
// inventory's memory.
type planRecord struct {
	inventory.Record
	Origin ignored `json:"origin,omitempty"`
}

// DecodeJSON reads a record without its origins (inventory.DecodeRecord),
// for the blob store's reading of the inventory.
func (r *planRecord) DecodeJSON(data []byte) error {
	return inventory.DecodeRecord(data, &r.Record, false)
}

// ignored decodes any JSON value into nothing.
type ignored struct{}

func (*ignored) UnmarshalJSON([]byte) error { return nil }

// readInventory calls each with every record of the inventory at ref, its
// numbers normalised, its field origins left out unless origins is set:
// the journal entries name the source of each field written, and only a
// run that writes them pays for the origins' memory.
func (a *Activities) readInventory(ctx context.Context, ref string, origins bool, each func(*inventory.Record) error) error {
	if origins {
		return blob.EachJSON(ctx, a.Blob, ref, func(r *inventory.Record) error {
			inventory.NormalizeRecord(r)
			return each(r)
		})
	}
	return blob.EachJSON(ctx, a.Blob, ref, func(r *planRecord) error {
		inventory.NormalizeRecord(&r.Record)
		return each(&r.Record)
	})
}

// DescribePlanInput names a saved plan and the run that applies it.
type DescribePlanInput struct {
	Ref string `json:"ref"`
	Run string `json:"run,omitempty"`
}

// DescribePlan reads a saved plan and lays out its stages, so that a
// reviewed plan can be applied exactly as it was made. It reads NetBox's
// release for the run and writes nothing to NetBox: the Prepare step makes
// what the plan needs.
func (a *Activities) DescribePlan(ctx context.Context, in DescribePlanInput) (PlanResult, error) {
	defer keepAlive(ctx)()
	plan, err := a.loadPlan(ctx, in.Ref)
	if err != nil {
		return PlanResult{}, classify(err)
	}
	run, err := a.netboxRun(ctx, in.Run)
	if err != nil {
		return PlanResult{}, err
	}
	// A plan saved before plans kept their schema beside them gets it now.
	if err := a.saveSchema(ctx, in.Ref, plan); err != nil {
		return PlanResult{}, classify(err)
	}
	res := a.describePlan(in.Ref, plan)
	res.NetBoxVersion = run.NetBoxVersion
	return res, nil
}

func (a *Activities) describePlan(ref string, plan *netbox.Plan) PlanResult {
	res := PlanResult{Ref: ref, Stages: plan.Stages(), Schema: a.NetBox.SchemaCount(plan.Schema()), CreatedAt: plan.CreatedAt}
	counts := map[[2]string]int{}
	for _, b := range plan.Batches {
		counts[[2]string{string(b.Kind), string(b.Op)}] += len(b.Ops)
		res.Summary.Total += len(b.Ops)
	}
	for k, n := range counts {
		res.Summary.Counts = append(res.Summary.Counts, OpCount{Kind: k[0], Op: k[1], Count: n})
	}
	sort.Slice(res.Summary.Counts, func(i, j int) bool {
		ci, cj := res.Summary.Counts[i], res.Summary.Counts[j]
		if oi, oj := inventory.Kind(ci.Kind).Order(), inventory.Kind(cj.Kind).Order(); oi != oj {
			return oi < oj
		}
		return ci.Op < cj.Op
	})
	for k, c := range plan.Summary.Kinds {
		if c.Orphaned > 0 {
			if res.Summary.Orphaned == nil {
				res.Summary.Orphaned = map[string]int{}
			}
			res.Summary.Orphaned[string(k)] = c.Orphaned
		}
	}
	res.Summary.Batches = len(plan.Batches)
	res.Summary.Ambiguous = len(plan.Ambiguous)
	res.Summary.Blocked = plan.Blocked
	res.Summary.LetThrough = plan.LetThrough()
	for _, e := range plan.Guard {
		if e.Over() {
			res.Summary.Guard = append(res.Summary.Guard, e)
		}
	}
	res.Summary.ManualEdits = plan.Summary.ManualEdits
	for _, f := range plan.Findings {
		if f.Field != "" && len(res.Summary.FieldLines) < maxKept {
			res.Summary.FieldLines = append(res.Summary.FieldLines, fmt.Sprintf("%s %s (#%d): %s", f.Kind, f.Key, f.ID, f.Reason))
		}
	}
	res.Summary.Adoptable = len(plan.Adoptable)
	for i, f := range plan.Adoptable {
		if i == maxKept {
			res.Summary.AdoptableLines = append(res.Summary.AdoptableLines, fmt.Sprintf("and %d more in the plan", len(plan.Adoptable)-maxKept))
			break
		}
		res.Summary.AdoptableLines = append(res.Summary.AdoptableLines, f.AdoptableLine())
	}
	for i, k := range plan.Kept {
		res.Summary.KeptTotal += k.Count
		if i < maxKept {
			res.Summary.Kept = append(res.Summary.Kept, k)
			res.Summary.KeptLines = append(res.Summary.KeptLines, k.String())
		}
	}
	if n := len(plan.Kept) - maxKept; n > 0 {
		res.Summary.KeptLines = append(res.Summary.KeptLines, fmt.Sprintf("and %d more groups in the plan", n))
	}
	return res
}

// loadGaps reads the gaps of the merged inventory at ref, by source. An
// inventory merged before gaps were kept beside it has none: the plan
// then orphans as it did before.
func (a *Activities) loadGaps(ctx context.Context, ref string) (map[string][]inventory.Gap, error) {
	var gaps map[string][]inventory.Gap
	err := a.Blob.GetJSON(ctx, GapsRef(ref), &gaps)
	if errors.Is(err, blob.ErrNotFound) {
		a.Log.Warn("the inventory has no gaps beside it; every source is taken as seen completely", zap.String("inventory", ref))
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read gaps: %w", err)
	}
	return gaps, nil
}

// savePlan writes the plan whole, for review and `starter plan show`; what
// it needs of NetBox, for the Prepare step; and each batch on its own, so
// that an apply batch reads only its own operations and a worker never
// holds a large plan through the apply phase.
func (a *Activities) savePlan(ctx context.Context, ref string, plan *netbox.Plan) error {
	if _, err := a.Blob.PutJSON(ctx, ref, plan); err != nil {
		return err
	}
	if err := a.saveSchema(ctx, ref, plan); err != nil {
		return err
	}
	if _, err := a.Blob.PutJSON(ctx, GuardRef(ref), plan.Guard); err != nil {
		return err
	}
	for i := range plan.Batches {
		b := &plan.Batches[i]
		if _, err := a.Blob.PutJSON(ctx, BatchRef(ref, b.ID), b); err != nil {
			return err
		}
		if i%100 == 0 {
			activity.RecordHeartbeat(ctx, map[string]int{"batches_saved": i, "batches_total": len(plan.Batches)})
		}
	}
	return nil
}

func (a *Activities) saveSchema(ctx context.Context, planRef string, plan *netbox.Plan) error {
	_, err := a.Blob.PutJSON(ctx, SchemaRef(planRef), plan.Schema())
	return err
}

// SchemaRef names where the schema the plan at planRef needs lives.
func SchemaRef(planRef string) string {
	return strings.TrimSuffix(planRef, ".json") + "/schema.json"
}

// ProblemsRef names where the whole list of one batch's problems lives
// when there are more than a result carries (the plan at planRef's
// batch); ProblemsDir(planRef) is the folder of all of them.
func ProblemsRef(planRef string, batch int) string {
	return fmt.Sprintf("%s%04d.json", ProblemsDir(planRef), batch)
}

// ProblemsDir is the folder of the plan at planRef's problem lists.
func ProblemsDir(planRef string) string {
	return strings.TrimSuffix(planRef, ".json") + "/problems/"
}

// BatchRef names where one batch of the plan at planRef lives.
func BatchRef(planRef string, batch int) string {
	return fmt.Sprintf("%s/batches/%04d.json", strings.TrimSuffix(planRef, ".json"), batch)
}

func (a *Activities) loadPlan(ctx context.Context, ref string) (*netbox.Plan, error) {
	var plan netbox.Plan
	if err := a.Blob.GetJSON(ctx, ref, &plan); err != nil {
		return nil, fmt.Errorf("load plan: %w", err)
	}
	return &plan, nil
}

// sourceRuns is how each source fared for the metrics: its status, and
// the kinds of it the guard blocked.
func sourceRuns(sources []SourceResult, guard []netbox.GuardEntry) []metrics.SourceRun {
	out := make([]metrics.SourceRun, len(sources))
	for i, s := range sources {
		out[i] = metrics.SourceRun{Name: s.Name, OK: s.Succeeded()}
		for _, e := range guard {
			if e.Blocked && e.Source == s.Name {
				out[i].GuardBlocked = true
				out[i].BlockedKinds = append(out[i].BlockedKinds, string(e.Kind))
			}
		}
	}
	return out
}
