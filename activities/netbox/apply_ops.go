package netbox

import (
	"context"
	"fmt"
	"net/http"
)

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
			a.wrote(op, objectID(found[0]), true)
			continue
		}
		body, ok := a.body(op, ids)
		if !ok {
			a.res.Skipped++
			continue
		}
		if msg := a.s.requestCheck(a.s.checkCreate, body); msg != "" {
			a.res.Failed++
			a.problem(op, 0, "refused before sending", msg)
			continue
		}
		items = append(items, item{op: op, body: body})
	}
	if err := a.c.ensureTagsOf(ctx, items, a.note); err != nil {
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
			a.wrote(a.opOf(p.Key), objectID(found[p.Key][0]), true)
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
		if it, ok := a.updateItem(&a.b.Ops[i], opID[i], ids, cur); ok {
			items = append(items, it)
		}
	}
	if err := a.c.ensureTagsOf(ctx, items, a.note); err != nil {
		return err
	}
	done, err := a.write(ctx, http.MethodPatch, items)
	a.res.Updated += done
	return err
}

// updateItem is the PATCH op still needs on the object id; ok is false,
// and the op counted and reported, when it needs none or must not be sent.
func (a *applier) updateItem(op *Operation, id int64, ids map[Ref]int64, cur map[int64]*object) (item, bool) {
	if id == 0 {
		a.res.Skipped++
		a.problem(op, 0, "object not found by agent_id (was its create refused?)")
		return item{}, false
	}
	body, ok := a.body(op, ids)
	if !ok {
		a.res.Skipped++
		return item{}, false
	}
	if op.LastUpdated != "" {
		o, ok := cur[id]
		if !ok {
			a.res.Skipped++
			a.problem(op, id, "object no longer exists")
			return item{}, false
		}
		if !a.stillWanted(op, body, o) {
			return item{}, false
		}
	}
	if msg := a.s.requestCheck(a.s.checkUpdate, body); msg != "" {
		a.res.Failed++
		a.problem(op, id, "refused before sending", msg)
		return item{}, false
	}
	body["id"] = id
	return item{op: op, id: id, body: body}, true
}

// stillWanted judges an update planned on object o as NetBox holds it now:
// an object tagged agent-ignore since is left alone, one that holds body
// already was written by an earlier attempt (or needs nothing), and one
// that changed since the plan is skipped as drifted. A false answer is
// counted and, when the update was dropped, reported.
func (a *applier) stillWanted(op *Operation, body map[string]any, o *object) bool {
	switch {
	case o.Ignore:
		a.res.Skipped++
		a.problem(op, o.ID, "tagged "+TagIgnore+" since the plan")
		return false
	case satisfied(a.s, body, o):
		if o.LastUpdated != op.LastUpdated {
			a.res.Updated++ // an earlier attempt wrote it
			a.res.AlreadyDone++
			a.wrote(op, o.ID, true)
		} else {
			a.res.Unchanged++
		}
		return false
	case o.LastUpdated != op.LastUpdated && !(op.AfterUpdate && unchangedSincePlan(a.s, op, o.Raw)):
		a.res.Skipped++
		a.problem(op, o.ID, fmt.Sprintf("changed in NetBox since the plan (last_updated %s, plan saw %s)", o.LastUpdated, op.LastUpdated))
		return false
	}
	return true
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
		o, ok := cur[op.ID]
		if !ok {
			a.res.Deleted++ // gone already: deleted by an earlier attempt or by hand
			continue
		}
		if why := rescued(o, op); why != "" {
			a.res.Skipped++
			a.problem(op, op.ID, "changed in NetBox since the plan: "+why)
			continue
		}
		items = append(items, item{op: op, id: op.ID, body: map[string]any{"id": op.ID}})
	}
	done, err := a.write(ctx, http.MethodDelete, items)
	a.res.Deleted += done
	if err != nil {
		return err
	}
	return a.recheckRefusedDeletes(ctx)
}

// recheckRefusedDeletes looks the objects whose delete NetBox refused up
// once more: NetBox 4.7 refuses a bulk delete naming an object that is gone
// (deleted by hand, or by an attempt of the same batch) with a 400 where
// earlier releases answered 404, and a gone object is deleted all the same.
func (a *applier) recheckRefusedDeletes(ctx context.Context) error {
	var ids []int64
	for _, p := range a.res.Problems {
		if p.Reason == reasonRefused && p.ID != 0 {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	cur, err := a.current(ctx, ids)
	if err != nil {
		return fmt.Errorf("look up refused deletes: %w", err)
	}
	kept := a.res.Problems[:0]
	for _, p := range a.res.Problems {
		if _, exists := cur[p.ID]; p.Reason == reasonRefused && p.ID != 0 && !exists {
			a.res.Failed--
			a.res.Deleted++
			continue
		}
		kept = append(kept, p)
	}
	a.res.Problems = kept
	return nil
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
func (a *applier) current(ctx context.Context, ids []int64) (map[int64]*object, error) {
	out := make(map[int64]*object, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	raws, err := listIn(ctx, a.c, a.s, nil, "id", uniqueSorted(idList(ids)))
	if err != nil {
		return nil, fmt.Errorf("read current objects: %w", err)
	}
	for _, r := range raws {
		if o, ok := newObject(r); ok {
			out[o.ID] = o
		}
	}
	return out, nil
}

// opOf is the batch's operation on the object with agent_id key.
func (a *applier) opOf(key string) *Operation {
	for i := range a.b.Ops {
		if a.b.Ops[i].Key == key {
			return &a.b.Ops[i]
		}
	}
	return nil
}

// objectID is the ID of a raw NetBox object, or 0.
func objectID(raw map[string]any) int64 {
	if o, ok := newObject(raw); ok {
		return o.ID
	}
	return 0
}
