package nbsim

import (
	"bytes"
	"net/http"
)

// NetBox's bulk forms: a JSON list sent to a list endpoint, all or nothing.

func (s *Server) bulkCreate(w http.ResponseWriter, t *tx, k *kindSpec, list []any, many bool) {
	created := make([]*object, 0, len(list))
	itemErrs := make([]any, len(list))
	failed := false
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			itemErrs[i] = t.st.cat.rel.nonDict(item)
			failed = true
			continue
		}
		if errs := t.write(k, m, nil, false); errs != nil {
			itemErrs[i] = errs
			failed = true
			continue
		}
		itemErrs[i] = map[string]any{}
		created = append(created, t.subject)
	}
	if failed {
		t.rollback()
		switch {
		case !many:
			writeBody(w, http.StatusBadRequest, itemErrs[0])
		case s.cat.rel.structuredBulkErrors():
			bulkFailure(w, http.StatusBadRequest, "could not be created.", len(list), createErrors4_7(itemErrs))
		default:
			writeBody(w, http.StatusBadRequest, itemErrs)
		}
		return
	}
	var b bytes.Buffer
	if many {
		b.WriteByte('[')
	} else {
		// ETagMixin tags single creates only; a bulk answer is a list.
		s.setETag(w, t.get(k.Endpoint, created[0].ID))
	}
	for i, o := range created {
		if i > 0 {
			b.WriteByte(',')
		}
		t.render(&b, k, t.get(k.Endpoint, o.ID), false)
	}
	if many {
		b.WriteByte(']')
	}
	writeRaw(w, http.StatusCreated, b.Bytes())
}

// bulkIDs checks NetBox's BulkOperationSerializer: every item needs an integer id.
func bulkIDs(r release, list []any) ([]int64, []any) {
	ids := make([]int64, len(list))
	itemErrs := make([]any, len(list))
	failed := false
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			itemErrs[i] = r.nonDict(item)
			failed = true
			continue
		}
		raw, present := m["id"]
		id, valid := toInt(raw)
		switch {
		case !present:
			itemErrs[i] = map[string]any{"id": []string{"This field is required."}}
			failed = true
		case !valid:
			itemErrs[i] = map[string]any{"id": []string{"A valid integer is required."}}
			failed = true
		default:
			ids[i] = id
			itemErrs[i] = map[string]any{}
		}
	}
	if failed {
		return nil, itemErrs
	}
	return ids, nil
}

func (s *Server) bulkUpdate(w http.ResponseWriter, t *tx, k *kindSpec, list []any, partial bool) {
	if s.cat.rel.structuredBulkErrors() {
		s.bulkUpdate4_7(w, t, k, list, partial)
		return
	}
	ids, itemErrs := bulkIDs(t.st.cat.rel, list)
	if itemErrs != nil {
		writeBody(w, http.StatusBadRequest, itemErrs)
		return
	}
	var updated []int64
	for i, id := range ids {
		old := t.get(k.Endpoint, id)
		if old == nil {
			continue // NetBox silently skips IDs it does not find.
		}
		if errs := t.write(k, list[i].(map[string]any), old, partial); errs != nil {
			t.rollback()
			writeBody(w, http.StatusBadRequest, errs)
			return
		}
		updated = append(updated, id)
	}
	s.renderList(w, t, k, updated, http.StatusOK)
}

// renderList answers the objects ids of k as a JSON list.
func (s *Server) renderList(w http.ResponseWriter, t *tx, k *kindSpec, ids []int64, code int) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		t.render(&b, k, t.get(k.Endpoint, id), false)
	}
	b.WriteByte(']')
	writeRaw(w, code, b.Bytes())
}

func (s *Server) bulkDelete(w http.ResponseWriter, t *tx, k *kindSpec, list []any) {
	if s.cat.rel.structuredBulkErrors() {
		s.bulkDelete4_7(w, t, k, list)
		return
	}
	ids, itemErrs := bulkIDs(t.st.cat.rel, list)
	if itemErrs != nil {
		writeBody(w, http.StatusBadRequest, itemErrs)
		return
	}
	// BulkOperationSerializer validates each item's changelog_message.
	msgs := map[int64]string{}
	itemErrs = make([]any, len(list))
	failed := false
	for i, item := range list {
		msg, errs := t.deleteMessage(item.(map[string]any))
		if errs != nil {
			itemErrs[i], failed = errs, true
			continue
		}
		itemErrs[i] = map[string]any{}
		msgs[ids[i]] = msg
	}
	if failed {
		writeBody(w, http.StatusBadRequest, itemErrs)
		return
	}
	var found []int64
	for _, id := range ids {
		if t.get(k.Endpoint, id) != nil {
			found = append(found, id)
		}
	}
	t.deleting = map[string]map[int64]string{k.Endpoint: msgs}
	if blocked := t.deleteObjects(k, found); blocked != "" {
		t.rollback()
		writeBody(w, http.StatusConflict, map[string]any{"detail": blocked})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
