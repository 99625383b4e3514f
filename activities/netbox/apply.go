package netbox

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Tally counts what applying did to objects: for one batch, and added up
// over a run.
type Tally struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Deleted   int `json:"deleted"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	// Problems counts the objects NetBox refused, that drifted since the
	// plan, or that could not be written for another reason.
	Problems int `json:"problems"`
}

// Add adds the counts of o to t.
func (t *Tally) Add(o Tally) {
	t.Created += o.Created
	t.Updated += o.Updated
	t.Deleted += o.Deleted
	t.Unchanged += o.Unchanged
	t.Skipped += o.Skipped
	t.Failed += o.Failed
	t.Problems += o.Problems
}

// BatchResult is what applying one batch did; the Apply activity hands it
// to the workflow as it is. Objects an earlier attempt of the same batch
// wrote already count as done (Created, Updated, Deleted), so that a
// retried batch reports the batch's effect.
type BatchResult struct {
	Batch int `json:"batch"`
	Tally
	// AlreadyDone counts the objects found written by an earlier attempt.
	AlreadyDone int `json:"already_done,omitempty"`
	// SkippedReason is set when the whole batch was skipped.
	SkippedReason string `json:"skipped_batch,omitempty"`
	// Problems lists the objects Tally.Problems counts, in the order they
	// were found; the Apply activity keeps the first few.
	Problems []Problem `json:"problem_list,omitempty"`
	// ProblemsRef names where the whole list lives in the blob store when
	// Problems holds only its first entries.
	ProblemsRef string `json:"problems_ref,omitempty"`
	Requests    int64  `json:"requests"`
}

// Problem is one object the batch could not write, or chose not to.
type Problem struct {
	Key    string `json:"key"`
	ID     int64  `json:"id,omitempty"`
	Reason string `json:"reason"`
	// Messages are NetBox's validation messages ("name: must be unique").
	Messages []string `json:"messages,omitempty"`
}

// String renders the problem on one line: key, reason, NetBox's messages.
func (p Problem) String() string {
	s := p.Key
	if s == "" {
		s = fmt.Sprintf("#%d", p.ID)
	}
	s += ": " + p.Reason
	if len(p.Messages) > 0 {
		s += ": " + strings.Join(p.Messages, "; ")
	}
	return s
}

// ApplyRequest names one batch of a plan and the run that applies it.
type ApplyRequest struct {
	Plan  *Plan
	Batch int
	// Failed lists the batches that failed so far: a batch depending on
	// one of them is skipped.
	Failed []int
	// Run names the run in NetBox's changelog; when its NetBoxVersion is
	// empty, the plan's is used.
	Run Run
}

// ApplyBatch is Apply outside a run.
func (c *Client) ApplyBatch(ctx context.Context, p *Plan, batchID int, failed []int) (BatchResult, error) {
	return c.Apply(ctx, ApplyRequest{Plan: p, Batch: batchID, Failed: failed})
}

// Apply writes one batch of a plan with NetBox's bulk forms.
//
// It skips the batch when it depends on a batch in failed; resolves
// references to objects created by earlier batches by agent_id; looks
// creates up by agent_id first, so that a create whose answer was lost is
// not made twice; skips updates and deletes of objects that changed in
// NetBox since the plan (drift); and splits a batch NetBox refuses with 400
// to write the good objects and report the bad ones with NetBox's
// messages. Every write names the run and the batch in NetBox's changelog
// (4.4+). Calling it twice for the same batch is safe.
//
// The error is only for what the caller should retry or fail on: 429, 5xx,
// transport errors (retry), 401/403 (fail).
func (c *Client) Apply(ctx context.Context, req ApplyRequest) (BatchResult, error) {
	ctx = InBranch(ctx, req.Run.Branch)
	before := c.Requests()
	p, batchID := req.Plan, req.Batch
	res := BatchResult{Batch: batchID}
	b, err := p.Batch(batchID)
	if err != nil {
		return res, err
	}
	for _, d := range b.DependsOn {
		for _, f := range req.Failed {
			if d == f {
				res.Skipped = len(b.Ops)
				res.SkippedReason = fmt.Sprintf("depends on batch %d, which failed", d)
				return res, nil
			}
		}
	}
	s := specFor(b.Kind)
	if s == nil {
		return res, fmt.Errorf("batch %d: kind %q is not written to NetBox", batchID, b.Kind)
	}
	run := req.Run
	if run.NetBoxVersion == "" {
		run.NetBoxVersion = p.NetBoxVersion
	}
	a := &applier{c: c, s: s, b: b, res: &res, note: run.changelog(fmt.Sprintf("batch %04d", batchID))}
	switch b.Op {
	case OpCreate:
		err = a.create(ctx)
	case OpUpdate:
		err = a.update(ctx)
	case OpDelete:
		err = a.delete(ctx)
	default:
		err = fmt.Errorf("batch %d: unknown op %q", batchID, b.Op)
	}
	res.Requests = c.Requests() - before
	res.Tally.Problems = len(res.Problems)
	if err != nil {
		return res, fmt.Errorf("%s %s batch %d: %w", b.Op, b.Kind, batchID, err)
	}
	return res, nil
}

// applier carries one Apply call.
type applier struct {
	c   *Client
	s   *kindSpec
	b   *Batch
	res *BatchResult
	// note is the changelog_message of the batch's writes, or "".
	note string
}

func (a *applier) problem(op *Operation, id int64, reason string, msgs ...string) {
	a.res.Problems = append(a.res.Problems, Problem{Key: op.Key, ID: id, Reason: reason, Messages: msgs})
}

// byAgentID reads the objects of kind s whose agent_id is one of keys. The
// cf_ filter is exact because EnsureSchema sets the field's filter logic;
// the comparison here guards against a field left loose.
func (a *applier) byAgentID(ctx context.Context, s *kindSpec, keys []string) (map[string][]map[string]any, error) {
	out := map[string][]map[string]any{}
	if len(keys) == 0 {
		return out, nil
	}
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	raws, err := listIn(ctx, a.c, s, nil, "cf_"+CFAgentID, uniqueSorted(append([]string(nil), keys...)))
	if err != nil {
		return nil, err
	}
	for _, r := range raws {
		o, ok := newObject(r)
		if ok && want[o.AgentID] {
			out[o.AgentID] = append(out[o.AgentID], r)
		}
	}
	return out, nil
}

// resolveRefs finds the IDs of the objects the batch's operations point to:
// from what this worker learned of the plan so far, else by agent_id, one
// read per referenced kind.
func (a *applier) resolveRefs(ctx context.Context) (map[Ref]int64, error) {
	byKind := map[inventory.Kind][]string{}
	for _, op := range a.b.Ops {
		for _, r := range op.Refs {
			byKind[r.Kind] = append(byKind[r.Kind], r.Key)
		}
		if a.b.Op == OpUpdate && op.ID == 0 {
			byKind[a.b.Kind] = append(byKind[a.b.Kind], op.Key)
		}
	}
	ids := map[Ref]int64{}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		s := specFor(inventory.Kind(k))
		if s == nil {
			return nil, fmt.Errorf("reference to kind %q, which is not written to NetBox", k)
		}
		var missing []string
		for _, key := range byKind[inventory.Kind(k)] {
			r := Ref{Kind: s.Kind, Key: key}
			if id, ok := a.c.ids.get(a.b.Plan, r); ok {
				ids[r] = id
			} else {
				missing = append(missing, key)
			}
		}
		found, err := a.byAgentID(ctx, s, missing)
		if err != nil {
			return nil, fmt.Errorf("resolve %s references: %w", k, err)
		}
		for key, objs := range found {
			if len(objs) == 1 {
				if o, ok := newObject(objs[0]); ok {
					r := Ref{Kind: s.Kind, Key: key}
					ids[r] = o.ID
					a.c.ids.put(a.b.Plan, r, o.ID)
				}
			}
		}
	}
	return ids, nil
}

// body builds the request body of op with its references resolved; ok is
// false (and a problem reported) when one is missing.
func (a *applier) body(op *Operation, ids map[Ref]int64) (map[string]any, bool) {
	body := make(map[string]any, len(op.Fields)+len(op.Refs)+1)
	for k, v := range op.Fields {
		body[k] = v
	}
	names := make([]string, 0, len(op.Refs))
	for name := range op.Refs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r := op.Refs[name]
		id, ok := ids[r]
		if !ok {
			a.problem(op, op.ID, fmt.Sprintf("%s: %s %s not found in NetBox (was its create skipped or refused?)", name, r.Kind, r.Key))
			return nil, false
		}
		body[name] = id
	}
	return body, true
}

// item is one object's body in a bulk request.
type item struct {
	op   *Operation
	id   int64
	body map[string]any
}
