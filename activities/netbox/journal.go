package netbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// journalEndpoint is NetBox's journal (extras.JournalEntry): remarks on an
// object, listed under its Journal tab.
const journalEndpoint = "extras/journal-entries"

// maxJournalBulk bounds the entries of one journal request, so that a
// batch of a thousand objects sends a few requests of a size NetBox takes.
const maxJournalBulk = 250

// The kinds of journal entries the agent writes: a write is news, an
// orphan mark something an operator should look at.
const (
	journalInfo    = "info"
	journalWarning = "warning"
)

// journalWrite is one object the batch created or updated, for its
// journal entry.
type journalWrite struct {
	op *Operation
	// id is the object's NetBox ID; 0 for a create whose answer did not
	// name it, which is looked up by agent_id.
	id int64
	// earlier is true when an earlier attempt of the batch wrote the
	// object, and so may have journaled it already.
	earlier bool
}

// wrote notes that the batch's op was written (earlier: by an earlier
// attempt), for the journal; nothing when the run writes no journal.
func (a *applier) wrote(op *Operation, id int64, earlier bool) {
	if a.journal == "" || op == nil {
		return
	}
	a.writes = append(a.writes, journalWrite{op: op, id: id, earlier: earlier})
}

// wroteItems notes the items of a bulk write NetBox took; answer is its
// answer, which names the IDs of created objects.
func (a *applier) wroteItems(method string, items []item, answer []byte) {
	if a.journal == "" {
		return
	}
	var created map[string]int64
	if method == http.MethodPost {
		created = createdIDs(answer)
	}
	for _, it := range items {
		id := it.id
		if id == 0 {
			id = created[it.op.Key]
		}
		// An update of an object this plan created is sent again without
		// a read on a retry (it has no state to drift from), so an earlier
		// attempt may have written and journaled it.
		again := method == http.MethodPatch && it.op.LastUpdated == ""
		a.wrote(it.op, id, again)
	}
}

// writeJournal writes a journal entry on each object the batch created or
// updated, once the objects' own writes succeeded. A journal that cannot
// be written does not fail the batch, whose objects are written: it is
// reported as one problem of the batch, and not tried again.
//
// A retried batch must not journal an object twice. Each entry opens with
// the batch's marker (the run and the batch), and entries are written only
// after every object write of the batch succeeded. So an attempt that
// wrote an object itself knows no earlier attempt journaled it: that
// attempt stopped before its journal. Only the objects an earlier attempt
// wrote (found created by agent_id, or already holding the update) and
// the updates of objects this plan created, which a retry sends again
// unread, may have an entry: for those alone NetBox is asked, by the
// marker, which already have one. A batch of creates or of updates of
// existing objects, written whole on its first attempt, reads nothing.
func (a *applier) writeJournal(ctx context.Context) {
	if a.journal == "" || len(a.writes) == 0 {
		return
	}
	n, err := a.journalEntries(ctx)
	a.res.Journaled += n
	if err != nil {
		a.res.Problems = append(a.res.Problems, Problem{Key: "journal",
			Reason:   fmt.Sprintf("journal entries of batch %04d not written (%d of %d objects journaled)", a.b.ID, n, len(a.writes)),
			Messages: []string{scrubSecrets(err.Error(), a.c.auth)}})
	}
}

// journalEntries writes the entries and returns how many objects have
// one of this batch (written now or found written before).
func (a *applier) journalEntries(ctx context.Context) (int, error) {
	if err := a.journalIDs(ctx); err != nil {
		return 0, err
	}
	have, err := a.journaled(ctx)
	if err != nil {
		return 0, err
	}
	var bodies []map[string]any
	seen := map[int64]bool{}
	for _, w := range a.writes {
		if w.id == 0 || seen[w.id] {
			continue
		}
		seen[w.id] = true
		if have[w.id] {
			continue
		}
		bodies = append(bodies, a.journalEntry(w))
	}
	done := len(have)
	for start := 0; start < len(bodies); start += maxJournalBulk {
		chunk := bodies[start:min(start+maxJournalBulk, len(bodies))]
		n, err := a.sendJournal(ctx, chunk)
		done += n
		if err != nil {
			return done, err
		}
	}
	if missing := len(a.writes) - len(seen); missing > 0 {
		return done, fmt.Errorf("%d objects not found by agent_id", missing)
	}
	return done, nil
}

// journalIDs finds, by agent_id, the objects whose create answer named no ID.
func (a *applier) journalIDs(ctx context.Context) error {
	var keys []string
	for _, w := range a.writes {
		if w.id == 0 {
			keys = append(keys, w.op.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	found, err := a.byAgentID(ctx, a.s, keys)
	if err != nil {
		return fmt.Errorf("look up journaled objects: %w", err)
	}
	for i := range a.writes {
		w := &a.writes[i]
		if objs := found[w.op.Key]; w.id == 0 && len(objs) == 1 {
			if o, ok := newObject(objs[0]); ok {
				w.id = o.ID
			}
		}
	}
	return nil
}

// journaled reads which of the objects an earlier attempt wrote hold an
// entry of this batch already.
func (a *applier) journaled(ctx context.Context) (map[int64]bool, error) {
	var ids []string
	for _, w := range a.writes {
		if w.earlier && w.id != 0 {
			ids = append(ids, strconv.FormatInt(w.id, 10))
		}
	}
	have := map[int64]bool{}
	for _, chunk := range chunkValues("assigned_object_id", uniqueSorted(ids), maxQueryLen) {
		q := url.Values{"assigned_object_type": {a.s.ObjectType}, "assigned_object_id": chunk, "q": {a.journal}}
		entries, err := a.c.listPath(ctx, journalEndpoint, q)
		if err != nil {
			return nil, fmt.Errorf("read journal entries: %w", err)
		}
		for _, e := range entries {
			id, ok := refID(e["assigned_object_id"])
			if ok && id != nil && journalMarked(e["comments"], a.journal) {
				have[id.(int64)] = true
			}
		}
	}
	return have, nil
}

// journalMarked reports whether an entry's comments open with marker;
// NetBox's q matches the marker anywhere, case aside.
func journalMarked(comments any, marker string) bool {
	s, _ := comments.(string)
	return len(s) >= len(marker) && s[:len(marker)] == marker
}

// sendJournal posts one list of entries and returns how many NetBox took.
// An entry NetBox refuses (its object deleted meanwhile) is left out and
// the rest sent once more; any other failure ends the journal.
func (a *applier) sendJournal(ctx context.Context, bodies []map[string]any) (int, error) {
	_, err := a.c.sendList(ctx, http.MethodPost, journalEndpoint+"/", bodies, a.note)
	if err == nil {
		return len(bodies), nil
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || len(bodies) < 2 {
		return 0, err
	}
	items := make([]item, len(bodies))
	for i, b := range bodies {
		id, _ := b["assigned_object_id"].(int64)
		items[i] = item{id: id, body: b}
	}
	perItem, ok := itemErrors(ae.Body, items)
	if !ok {
		return 0, err
	}
	var good []map[string]any
	for i, b := range bodies {
		if perItem[i] == nil {
			good = append(good, b)
		}
	}
	if len(good) == 0 || len(good) == len(bodies) {
		return 0, err
	}
	if _, err2 := a.c.sendList(ctx, http.MethodPost, journalEndpoint+"/", good, a.note); err2 != nil {
		return 0, err2
	}
	return len(good), err
}

// journalEntry is the request body of w's entry.
func (a *applier) journalEntry(w journalWrite) map[string]any {
	kind := journalInfo
	if w.op.OrphanOf != "" {
		kind = journalWarning
	}
	return map[string]any{
		"assigned_object_type": a.s.ObjectType,
		"assigned_object_id":   w.id,
		"kind":                 kind,
		"comments":             journalComments(a.journal, a.b.Op, w.op, a.s, a.c.auth),
	}
}

// journalMarker is the first line of the batch's entries, by which a
// retried batch finds them: the run and the batch, or, outside a run, the
// plan and the batch.
func journalMarker(run Run, b *Batch) string {
	if run.ID != "" {
		return fmt.Sprintf("netbox-agent run `%s` batch %04d", run.ID, b.ID)
	}
	return fmt.Sprintf("netbox-agent plan `%s` batch %04d", b.Plan, b.ID)
}
