package netbox

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// PlanRequest is the input of Plan.
type PlanRequest struct {
	// Records is the merged inventory; references name records by key, and
	// a record's Aliases are other keys that refer to it.
	Records []inventory.Record `json:"records"`
	// Read, when set, reads the records instead of Records, calling each
	// with one record at a time (which it may reuse), so that only the
	// planner's copy of the inventory is held, at less than half the size.
	Read func(each func(*inventory.Record) error) error `json:"-"`
	// Sources names every source of the run, failed ones included, and
	// whether it succeeded: only sources that succeeded have their orphans
	// handled.
	Sources map[string]bool `json:"sources"`
	// Now is the workflow's time, for agent_last_seen and orphan dates.
	Now time.Time `json:"now"`
	// NetBoxVersion is the release the run read with Status at its start;
	// when empty, Plan reads it.
	NetBoxVersion string `json:"netbox_version,omitempty"`
	// Settings are the configured values that must be choices NetBox
	// takes; one it does not take fails the plan with a *SettingError.
	Settings []ChoiceSetting `json:"settings,omitempty"`
	// Gaps are, by source, the parts of the systems the sources could not
	// see: what NetBox holds in them is left as it is, never orphaned.
	Gaps map[string][]inventory.Gap `json:"gaps,omitempty"`
	// Baseline counts, by source and kind, what the last run that applied
	// its plan left: the mass-delete guard judges drops against it (or
	// against what NetBox holds, when that is more).
	Baseline Baseline `json:"baseline,omitempty"`
	// AllowDeletes lets the guard's blocks through for this plan: "*",
	// a source name, or "source/kind" (ParseAllowDeletes).
	AllowDeletes []string `json:"allow_deletes,omitempty"`
}

// Op is what an operation does to a NetBox object.
type Op string

// The operations of a plan.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Phase orders batches of the same kind and operation: primary IPs, primary
// MACs and references between objects of one kind are set in a late pass
// after the objects they point to exist.
type Phase string

// The phases of a plan.
const (
	PhaseMain Phase = ""
	PhaseLate Phase = "late"
)

// Plan is a reviewable set of changes, in apply order. It is plain JSON so
// that the caller can keep it in the blob store and apply it later.
type Plan struct {
	CreatedAt time.Time `json:"created_at"`
	// NetBoxVersion is the NetBox release the plan was made against.
	NetBoxVersion string `json:"netbox_version,omitempty"`
	// Batches are in apply order: creates and updates in dependency order,
	// late updates, then deletes in reverse dependency order.
	Batches []Batch `json:"batches"`
	Summary Summary `json:"summary"`
	// Ambiguous lists records left alone because several NetBox objects match.
	Ambiguous []Finding `json:"ambiguous,omitempty"`
	// Adoptable lists records matched to objects made by hand that the
	// plan leaves alone, and builds nothing on, until an operator decides
	// (adopt: report): each names the object and what matched.
	Adoptable []Finding `json:"adoptable,omitempty"`
	// Blocked reads, a line each, the guard entries that blocked a
	// source's kind.
	Blocked []string `json:"blocked,omitempty"`
	// Guard is the mass-delete guard's reckoning for each source that
	// succeeded and each kind it has: blocked, let through or within the
	// limits; the next baseline is made from it (NextBaseline).
	Guard []GuardEntry `json:"guard,omitempty"`
	// Kept counts, by source, kind and reason, the objects no record
	// claims that were left untouched because their source could not see
	// the part that holds them.
	Kept []Kept `json:"kept,omitempty"`
	// Findings are everything else a reviewer should know: records skipped and
	// why, objects left alone, sources whose orphans were not looked at.
	Findings []Finding `json:"findings,omitempty"`
	// Requests is the number of NetBox requests the plan took.
	Requests int64 `json:"requests"`
}

// Batch is one bulk request's worth of operations of one kind and op. Its
// ID is its index in Plan.Batches.
type Batch struct {
	ID int `json:"id"`
	// Plan identifies the plan the batch belongs to, so that the IDs a
	// worker learns while applying one plan are never used for another.
	Plan      string         `json:"plan,omitempty"`
	Kind      inventory.Kind `json:"kind"`
	Op        Op             `json:"op"`
	Phase     Phase          `json:"phase,omitempty"`
	Ops       []Operation    `json:"ops"`
	DependsOn []int          `json:"depends_on,omitempty"`
}

// Operation is one change to one object.
type Operation struct {
	// Key is the record key (agent_id) of the object.
	Key string `json:"key"`
	// ID is the NetBox ID; 0 for creates and for late updates of objects this
	// plan creates, which are found by agent_id at apply time.
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// Fields is the request body (without refs): only the fields that change.
	Fields map[string]any `json:"fields,omitempty"`
	// Refs are fields pointing to objects this plan creates, resolved by
	// agent_id when the batch runs.
	Refs map[string]Ref `json:"refs,omitempty"`
	// Reason says why: new, which fields change from what to what, orphaned
	// since when, adopted.
	Reason  string   `json:"reason"`
	Changes []Change `json:"changes,omitempty"`
	// LastUpdated is the object's last_updated when the plan was made; an
	// object changed since is skipped as drifted.
	LastUpdated string `json:"last_updated,omitempty"`
	// AfterUpdate marks a late update of an object this plan also updates
	// earlier: its own write moves last_updated, so drift is judged by the
	// fields it writes instead.
	AfterUpdate bool `json:"after_update,omitempty"`
	// OrphanedSince is the orphan date a delete was planned on.
	OrphanedSince string `json:"orphaned_since,omitempty"`
	// Sources names, by field written, the source that reported its value,
	// when the plan was made with the inventory's origins (review.journal).
	Sources map[string]string `json:"sources,omitempty"`
	// OrphanOf names, on an orphan mark, the source that no longer
	// reports the object.
	OrphanOf string `json:"orphan_of,omitempty"`
	// Group is the parent of an object of a kind batched by parent
	// (kindSpec.BatchByParent); the operations of one group go in one
	// batch. Used while batching only.
	Group string `json:"-"`
}

// Ref points to a record by kind and key.
type Ref struct {
	Kind inventory.Kind `json:"kind"`
	Key  string         `json:"key"`
}

// Change is one field's move.
type Change struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// Finding is something a reviewer should see.
type Finding struct {
	Kind   inventory.Kind `json:"kind"`
	Key    string         `json:"key,omitempty"`
	ID     int64          `json:"id,omitempty"`
	Reason string         `json:"reason"`
	// Field names the field of a finding about one field's value: an
	// operator's edit, or a difference on_manual_edit: report reports.
	Field string `json:"field,omitempty"`
	// Candidates are the NetBox IDs that tie, for ambiguous records.
	Candidates []int64 `json:"candidates,omitempty"`
	// Name is the name of the NetBox object ID, and Match the key and
	// value it matched by ("serial 7XK2M93"), for adoptable records.
	Name  string `json:"name,omitempty"`
	Match string `json:"match,omitempty"`
}

// Counts are the number of objects per outcome.
type Counts struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	// Orphaned counts the objects newly marked as orphans (also in Update).
	Orphaned int `json:"orphaned,omitempty"`
}

func (c *Counts) add(o Counts) {
	c.Create += o.Create
	c.Update += o.Update
	c.Delete += o.Delete
	c.Unchanged += o.Unchanged
	c.Skipped += o.Skipped
	c.Orphaned += o.Orphaned
}

// Changes is the number of writes the counts stand for.
func (c Counts) Changes() int { return c.Create + c.Update + c.Delete }

// Summary counts objects per kind and outcome; each object counts once.
type Summary struct {
	Kinds map[inventory.Kind]Counts `json:"kinds"`
	Total Counts                    `json:"total"`
	// ManualEdits counts the fields an operator changed in NetBox (neither
	// what the agent last wrote nor what the sources say); each has a
	// finding naming both values and what was done (on_manual_edit).
	ManualEdits int `json:"manual_edits,omitempty"`
	// Adoptable counts the records held for adoption (Plan.Adoptable).
	Adoptable int `json:"adoptable,omitempty"`
}

// Operations is the number of operations across all batches.
func (p *Plan) Operations() int {
	n := 0
	for _, b := range p.Batches {
		n += len(b.Ops)
	}
	return n
}

// Batch returns the batch with the given ID.
func (p *Plan) Batch(id int) (*Batch, error) {
	if id >= 0 && id < len(p.Batches) && p.Batches[id].ID == id {
		return &p.Batches[id], nil
	}
	for i := range p.Batches {
		if p.Batches[i].ID == id {
			return &p.Batches[i], nil
		}
	}
	return nil, fmt.Errorf("plan has no batch %d", id)
}

// Stage is a run of consecutive batches of one kind, op and phase that
// may apply in any order: none depends on another of the same stage.
// Stages apply in order. It crosses Temporal, in the plan's description
// and in the workflow's state when it continues as new.
type Stage struct {
	Kind  inventory.Kind `json:"kind"`
	Op    Op             `json:"op"`
	Phase Phase          `json:"phase,omitempty"`
	// First is the ID of the stage's first batch; the stage holds Count
	// batches from there.
	First int `json:"first"`
	Count int `json:"count"`
	// Ops counts the stage's operations and BatchSize those of its first
	// batch, so that a batch's size can be named without the plan.
	Ops       int `json:"ops"`
	BatchSize int `json:"batch_size"`
	// Sizes holds each batch's operations when they are not BatchSize
	// (the last one aside): a batch kept whole for one parent's objects
	// is longer.
	Sizes []int `json:"sizes,omitempty"`
}

// BatchOps is the number of operations of the stage's i-th batch.
func (s Stage) BatchOps(i int) int {
	if len(s.Sizes) > 0 {
		if i < 0 || i >= len(s.Sizes) {
			return 0
		}
		return s.Sizes[i]
	}
	if s.BatchSize == 0 {
		return 0
	}
	return max(0, min(s.BatchSize, s.Ops-i*s.BatchSize))
}

// Stages groups the plan's batches into stages, in apply order: a new
// stage starts where the kind, op or phase changes, and where a batch
// depends on one of the current stage.
func (p *Plan) Stages() []Stage {
	var out []Stage
	var inStage map[int]bool
	for i, b := range p.Batches {
		cur := len(out) - 1
		newStage := cur < 0 || out[cur].Kind != b.Kind || out[cur].Op != b.Op || out[cur].Phase != b.Phase
		for _, d := range b.DependsOn {
			newStage = newStage || inStage[d]
		}
		if newStage {
			out = append(out, Stage{Kind: b.Kind, Op: b.Op, Phase: b.Phase, First: i, BatchSize: len(b.Ops)})
			inStage = map[int]bool{}
		}
		out[len(out)-1].Count++
		out[len(out)-1].Ops += len(b.Ops)
		inStage[b.ID] = true
	}
	for i := range out {
		out[i].Sizes = unevenSizes(p.Batches[out[i].First:out[i].First+out[i].Count], out[i].BatchSize)
	}
	return out
}

// unevenSizes is the batches' sizes when one of them, the last aside, is
// not size; nil when they are even.
func unevenSizes(batches []Batch, size int) []int {
	even := true
	for i, b := range batches {
		even = even && (len(b.Ops) == size || i == len(batches)-1 && len(b.Ops) < size)
	}
	if even {
		return nil
	}
	out := make([]int, len(batches))
	for i, b := range batches {
		out[i] = len(b.Ops)
	}
	return out
}

// Plan reads what matters from NetBox and decides what to change so that
// NetBox matches req.Records. It writes nothing.
func (c *Client) Plan(ctx context.Context, req PlanRequest) (*Plan, error) {
	before := c.Requests()
	f, err := c.planFetcher(ctx)
	if err != nil {
		return nil, err
	}
	// NetBox renders the lists while the records are read.
	lists := newKindLists(ctx, f, specOrder)
	defer lists.close()
	recs, err := readRecords(req)
	if err != nil {
		return nil, err
	}
	facts, err := c.facts(ctx, req, recs)
	if err != nil {
		return nil, err
	}
	p, err := planRecords(ctx, lists, c.cfg, req, recs, facts)
	if err != nil {
		return nil, err
	}
	p.Requests = c.Requests() - before
	return p, nil
}

// planFetcher is what the plan reads NetBox's objects through: the client,
// or, on a NetBox the agent never prepared (the plan of a first run comes
// before its Prepare step), one that knows nothing carries the agent's
// tag, as NetBox answers 400 to a filter on a tag that does not exist.
func (c *Client) planFetcher(ctx context.Context) (fetcher, error) {
	if c.schemaReady.Load() {
		return c, nil
	}
	tags, err := c.listPath(ctx, "extras/tags", url.Values{"slug": {TagAgent}})
	if err != nil {
		return nil, fmt.Errorf("look up the agent tag: %w", err)
	}
	if len(tags) == 0 {
		return untaggedNetBox{c}, nil
	}
	return c, nil
}

// facts reads what the planner needs to know of NetBox besides its
// objects: its release (unless the run read it already) and the choices
// the records and settings give values to; a setting NetBox does not take
// ends the plan here.
func (c *Client) facts(ctx context.Context, req PlanRequest, recs []record) (netboxFacts, error) {
	var facts netboxFacts
	if req.NetBoxVersion != "" {
		v, err := ParseVersion(req.NetBoxVersion)
		if err != nil {
			return facts, fmt.Errorf("plan request: %w", err)
		}
		facts.version = v
	} else {
		st, err := c.Status(ctx)
		if err != nil {
			return facts, err
		}
		facts.version = st.Version
	}
	choices, err := c.readChoices(ctx, recs, req.Settings)
	if err != nil {
		return facts, err
	}
	facts.choices = choices
	if err := checkSettings(req.Settings, choices, facts.version); err != nil {
		return facts, err
	}
	return facts, nil
}

// untaggedNetBox answers every list filtered by the agent tag with nothing,
// for a NetBox in which the tag does not exist yet.
type untaggedNetBox struct{ c *Client }

func (u untaggedNetBox) list(ctx context.Context, spec *kindSpec, q url.Values) ([]map[string]any, error) {
	if slices.Contains(q["tag"], TagAgent) {
		return nil, nil
	}
	return u.c.list(ctx, spec, q)
}
