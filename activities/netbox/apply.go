package netbox

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// BatchResult is what ApplyBatch did with one batch. Objects an earlier
// attempt of the same batch wrote already count as done (Created, Updated,
// Deleted), so that a retried batch reports the batch's effect.
type BatchResult struct {
	Batch     int `json:"batch"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Deleted   int `json:"deleted"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	// AlreadyDone counts the objects found written by an earlier attempt.
	AlreadyDone int `json:"already_done,omitempty"`
	// SkippedReason is set when the whole batch was skipped.
	SkippedReason string    `json:"skipped_reason,omitempty"`
	Problems      []Problem `json:"problems,omitempty"`
	Requests      int64     `json:"requests"`
}

// Problem is one object the batch could not write, or chose not to.
type Problem struct {
	Key    string `json:"key"`
	ID     int64  `json:"id,omitempty"`
	Reason string `json:"reason"`
	// Messages are NetBox's validation messages ("name: must be unique").
	Messages []string `json:"messages,omitempty"`
}

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

// ApplyBatch writes one batch of p with NetBox's bulk forms.
//
// It skips the batch when it depends on a batch in failed; resolves
// references to objects created by earlier batches by agent_id; looks
// creates up by agent_id first, so that a create whose answer was lost is
// not made twice; skips updates and deletes of objects that changed in
// NetBox since the plan (drift); and splits a batch NetBox refuses with 400
// to write the good objects and report the bad ones with NetBox's
// messages. Calling it twice for the same batch is safe.
//
// The error is only for what the caller should retry or fail on: 429, 5xx,
// transport errors (retry), 401/403 (fail).
func (c *Client) ApplyBatch(ctx context.Context, p *Plan, batchID int, failed []int) (BatchResult, error) {
	before := c.Requests()
	res := BatchResult{Batch: batchID}
	b, err := p.Batch(batchID)
	if err != nil {
		return res, err
	}
	for _, d := range b.DependsOn {
		for _, f := range failed {
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
	a := &applier{c: c, s: s, b: b, res: &res}
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
	if err != nil {
		return res, fmt.Errorf("%s %s batch %d: %w", b.Op, b.Kind, batchID, err)
	}
	return res, nil
}

// applier carries one ApplyBatch call.
type applier struct {
	c   *Client
	s   *kindSpec
	b   *Batch
	res *BatchResult
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

// resolveRefs finds the IDs of the objects the batch's operations point to
// by agent_id: one read per referenced kind.
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
		found, err := a.byAgentID(ctx, s, byKind[inventory.Kind(k)])
		if err != nil {
			return nil, fmt.Errorf("resolve %s references: %w", k, err)
		}
		for key, objs := range found {
			if len(objs) == 1 {
				if o, ok := newObject(objs[0]); ok {
					ids[Ref{Kind: s.Kind, Key: key}] = o.ID
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

func (a *applier) create(ctx context.Context) error {
	ids, err := a.resolveRefs(ctx)
	if err != nil {
		return err
	}
	keys := make([]string, len(a.b.Ops))
	for i := range a.b.Ops {
		keys[i] = a.b.Ops[i].Key
	}
	existing, err := a.byAgentID(ctx, a.s, keys)
	if err != nil {
		return fmt.Errorf("look up before create: %w", err)
	}
	var items []item
	for i := range a.b.Ops {
		op := &a.b.Ops[i]
		if found := existing[op.Key]; len(found) > 0 {
			// Written by an earlier attempt whose answer was lost.
			a.res.Created++
			a.res.AlreadyDone++
			continue
		}
		body, ok := a.body(op, ids)
		if !ok {
			a.res.Skipped++
			continue
		}
		if msg := validate(a.s.checkCreate, body); msg != "" {
			a.res.Failed++
			a.problem(op, 0, "refused before sending", msg)
			continue
		}
		items = append(items, item{op: op, body: body})
	}
	if err := a.c.ensureTagsOf(ctx, items); err != nil {
		return err
	}
	done, err := a.write(ctx, http.MethodPost, items)
	a.res.Created += done
	if err != nil {
		return err
	}
	return a.recheckRefused(ctx)
}

// recheckRefused looks the refused creates up by agent_id once more: an
// attempt of the same batch running alongside this one (a retry started
// while the first was still at work) may have created them, and NetBox
// refused this call's copy as a duplicate.
func (a *applier) recheckRefused(ctx context.Context) error {
	var keys []string
	for _, p := range a.res.Problems {
		if p.Reason == reasonRefused {
			keys = append(keys, p.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	found, err := a.byAgentID(ctx, a.s, keys)
	if err != nil {
		return fmt.Errorf("look up refused creates: %w", err)
	}
	kept := a.res.Problems[:0]
	for _, p := range a.res.Problems {
		if p.Reason == reasonRefused && len(found[p.Key]) > 0 {
			a.res.Failed--
			a.res.Created++
			a.res.AlreadyDone++
			continue
		}
		kept = append(kept, p)
	}
	a.res.Problems = kept
	return nil
}

func (a *applier) update(ctx context.Context) error {
	ids, err := a.resolveRefs(ctx)
	if err != nil {
		return err
	}
	targets := make([]int64, 0, len(a.b.Ops))
	opID := make([]int64, len(a.b.Ops))
	for i := range a.b.Ops {
		op := &a.b.Ops[i]
		id := op.ID
		if id == 0 {
			id = ids[Ref{Kind: a.b.Kind, Key: op.Key}]
		}
		opID[i] = id
		// Objects this plan created have no state to drift from, and a
		// PATCH repeats safely: only objects that existed at plan time are read.
		if id != 0 && op.LastUpdated != "" {
			targets = append(targets, id)
		}
	}
	cur, err := a.current(ctx, targets)
	if err != nil {
		return err
	}
	var items []item
	for i := range a.b.Ops {
		op := &a.b.Ops[i]
		id := opID[i]
		if id == 0 {
			a.res.Skipped++
			a.problem(op, 0, "object not found by agent_id (was its create refused?)")
			continue
		}
		body, ok := a.body(op, ids)
		if !ok {
			a.res.Skipped++
			continue
		}
		if op.LastUpdated == "" {
			if msg := validate(a.s.checkUpdate, body); msg != "" {
				a.res.Failed++
				a.problem(op, id, "refused before sending", msg)
				continue
			}
			body["id"] = id
			items = append(items, item{op: op, id: id, body: body})
			continue
		}
		raw, ok := cur[id]
		if !ok {
			a.res.Skipped++
			a.problem(op, id, "object no longer exists")
			continue
		}
		o, _ := newObject(raw)
		if o.Ignore {
			a.res.Skipped++
			a.problem(op, id, "tagged "+TagIgnore+" since the plan")
			continue
		}
		if satisfied(a.s, body, raw) {
			if op.LastUpdated != "" && o.LastUpdated != op.LastUpdated {
				a.res.Updated++ // an earlier attempt wrote it
				a.res.AlreadyDone++
			} else {
				a.res.Unchanged++
			}
			continue
		}
		if op.LastUpdated != "" && o.LastUpdated != op.LastUpdated && !(op.AfterUpdate && unchangedSincePlan(a.s, op, raw)) {
			a.res.Skipped++
			a.problem(op, id, fmt.Sprintf("changed in NetBox since the plan (last_updated %s, plan saw %s)", o.LastUpdated, op.LastUpdated))
			continue
		}
		if msg := validate(a.s.checkUpdate, body); msg != "" {
			a.res.Failed++
			a.problem(op, id, "refused before sending", msg)
			continue
		}
		body["id"] = id
		items = append(items, item{op: op, id: id, body: body})
	}
	if err := a.c.ensureTagsOf(ctx, items); err != nil {
		return err
	}
	done, err := a.write(ctx, http.MethodPatch, items)
	a.res.Updated += done
	return err
}

func (a *applier) delete(ctx context.Context) error {
	targets := make([]int64, 0, len(a.b.Ops))
	for _, op := range a.b.Ops {
		targets = append(targets, op.ID)
	}
	cur, err := a.current(ctx, targets)
	if err != nil {
		return err
	}
	var items []item
	for i := range a.b.Ops {
		op := &a.b.Ops[i]
		raw, ok := cur[op.ID]
		if !ok {
			a.res.Deleted++ // gone already: deleted by an earlier attempt or by hand
			continue
		}
		o, _ := newObject(raw)
		if why := rescued(o, op); why != "" {
			a.res.Skipped++
			a.problem(op, op.ID, "changed in NetBox since the plan: "+why)
			continue
		}
		items = append(items, item{op: op, id: op.ID, body: map[string]any{"id": op.ID}})
	}
	done, err := a.write(ctx, http.MethodDelete, items)
	a.res.Deleted += done
	return err
}

// rescued says why an orphan planned for deletion must stay: someone
// removed its orphan or agent tag, tagged it agent-ignore, or it was
// orphaned anew. Other edits do not save it, because deleting its children
// first moves its last_updated; the grace period is the time to rescue it.
func rescued(o *object, op *Operation) string {
	switch {
	case o.Ignore:
		return "tagged " + TagIgnore
	case !o.Agent:
		return TagAgent + " tag removed"
	case !o.Orphan:
		return TagOrphan + " tag removed"
	case o.AgentID != op.Key:
		return fmt.Sprintf("agent_id is now %q", o.AgentID)
	case op.OrphanedSince != "" && dateOf(o.OrphanedSince) != op.OrphanedSince:
		return fmt.Sprintf("orphaned since %s, plan saw %s", dateOf(o.OrphanedSince), op.OrphanedSince)
	}
	return ""
}

// current reads the objects with the given IDs.
func (a *applier) current(ctx context.Context, ids []int64) (map[int64]map[string]any, error) {
	out := make(map[int64]map[string]any, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	raws, err := listIn(ctx, a.c, a.s, nil, "id", uniqueSorted(idList(ids)))
	if err != nil {
		return nil, fmt.Errorf("read current objects: %w", err)
	}
	for _, r := range raws {
		if o, ok := newObject(r); ok {
			out[o.ID] = r
		}
	}
	return out, nil
}

// validate checks a body against go-netbox's request model and returns
// the problem, or "".
func validate(check func([]byte) error, body map[string]any) string {
	if err := checkEach([]map[string]any{body}, check); err != nil {
		return err.Error()
	}
	return ""
}
