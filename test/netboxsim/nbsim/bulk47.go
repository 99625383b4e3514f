package nbsim

import (
	"fmt"
	"net/http"
	"slices"
)

// NetBox 4.7's bulk operations report their failures as {"detail": "<n> of <total> objects
// ...", "errors": [...]}, each error naming the entry by its position ("index") or its object
// ("id"), and refuse IDs that are missing or listed twice instead of skipping them
// (netbox/api/viewsets/mixins.py at v4.7.3: BulkCreateModelMixin, BulkUpdateModelMixin,
// BulkDestroyModelMixin and the get_*_response helpers).

func bulkFailure(w http.ResponseWriter, code int, verb string, total int, errs []any) {
	writeBody(w, code, map[string]any{
		"detail": fmt.Sprintf("%d of %d objects %s", len(errs), total, verb),
		"errors": errs,
	})
}

// createErrors4_7 turns bulk create's per-item errors into the 4.7 list of failed entries.
func createErrors4_7(itemErrs []any) []any {
	var out []any
	for i, e := range itemErrs {
		if m, ok := e.(map[string]any); ok && len(m) == 0 {
			continue
		}
		if fe, ok := e.(fieldErrors); ok && len(fe) == 0 {
			continue
		}
		out = append(out, orderedFields{{"index", i}, {"errors", e}})
	}
	return out
}

// checkBulkIDs4_7 runs 4.7's checks on a bulk update or delete's entries before any work:
// every entry names an id (by position), no id twice, every id exists. It answers the failure
// and reports false when one fails.
func checkBulkIDs4_7(w http.ResponseWriter, t *tx, k *kindSpec, list []any) ([]int64, bool) {
	ids, itemErrs := bulkIDs(t.st.cat.rel, list)
	if itemErrs != nil {
		bulkFailure(w, http.StatusBadRequest, "failed validation.", len(list), createErrors4_7(itemErrs))
		return nil, false
	}
	var dups, missing []any
	seen := map[int64]int{}
	for _, id := range ids {
		seen[id]++
	}
	done := map[int64]bool{}
	for _, id := range ids {
		if done[id] {
			continue
		}
		done[id] = true
		if n := seen[id]; n > 1 {
			dups = append(dups, orderedFields{{"id", id}, {"errors", map[string]any{
				"id": []any{fmt.Sprintf("Each object may be specified only once; ID %d is listed %d times", id, n)}}}})
		}
		if t.get(k.Endpoint, id) == nil {
			missing = append(missing, orderedFields{{"id", id}, {"errors", map[string]any{
				"id": []any{fmt.Sprintf("Object with ID %d does not exist", id)}}}})
		}
	}
	switch {
	case len(dups) > 0:
		bulkFailure(w, http.StatusBadRequest, "are listed more than once.", len(ids), dups)
		return nil, false
	case len(missing) > 0:
		bulkFailure(w, http.StatusBadRequest, "could not be found.", len(ids), missing)
		return nil, false
	}
	return ids, true
}

// bulkUpdate4_7 validates and saves every object (in ID order, as the queryset returns them),
// rolling all back when any fails.
func (s *Server) bulkUpdate4_7(w http.ResponseWriter, t *tx, k *kindSpec, list []any, partial bool) {
	ids, ok := checkBulkIDs4_7(w, t, k, list)
	if !ok {
		return
	}
	bodies := map[int64]map[string]any{}
	for i, id := range ids {
		bodies[id] = list[i].(map[string]any)
	}
	order := slices.Sorted(slices.Values(ids))
	var errs []any
	for _, id := range order {
		if fe := t.write(k, bodies[id], t.get(k.Endpoint, id), partial); fe != nil {
			errs = append(errs, orderedFields{{"id", id}, {"errors", fe}})
		}
	}
	if len(errs) > 0 {
		t.rollback()
		bulkFailure(w, http.StatusBadRequest, "could not be updated.", len(ids), errs)
		return
	}
	s.renderList(w, t, k, order, http.StatusOK)
}

// bulkDelete4_7 deletes the objects one by one; one that is protected fails with 409 and the
// whole batch is rolled back.
func (s *Server) bulkDelete4_7(w http.ResponseWriter, t *tx, k *kindSpec, list []any) {
	ids, ok := checkBulkIDs4_7(w, t, k, list)
	if !ok {
		return
	}
	msgs := map[int64]string{}
	for i, item := range list {
		msg, fe := t.deleteMessage(item.(map[string]any))
		if fe != nil {
			bulkFailure(w, http.StatusBadRequest, "failed validation.", len(list), []any{orderedFields{{"index", i}, {"errors", fe}}})
			return
		}
		msgs[ids[i]] = msg
	}
	t.deleting = map[string]map[int64]string{k.Endpoint: msgs}
	var errs []any
	for _, id := range slices.Sorted(slices.Values(ids)) {
		if t.get(k.Endpoint, id) == nil {
			continue // deleted with an earlier one
		}
		doomed, blocked := t.collect(k.Endpoint, []int64{id})
		if len(blocked) > 0 {
			errs = append(errs, orderedFields{{"id", id}, {"errors", map[string]any{"__all__": []any{
				fmt.Sprintf("Unable to delete: %d dependent object(s) prevent deletion.", len(blocked))}}}})
			continue
		}
		t.deleteCollected(doomed)
	}
	if len(errs) > 0 {
		t.rollback()
		bulkFailure(w, http.StatusConflict, "could not be deleted.", len(ids), errs)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
