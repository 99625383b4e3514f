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
			itemErrs[i] = nonDict(item)
			failed = true
			continue
		}
		o, errs := t.prepare(k, m, nil, false)
		if errs != nil {
			itemErrs[i] = errs
			failed = true
			continue
		}
		itemErrs[i] = map[string]any{}
		t.save(k, o, nil)
		created = append(created, o)
	}
	if failed {
		t.rollback()
		if !many {
			writeBody(w, http.StatusBadRequest, itemErrs[0])
			return
		}
		writeBody(w, http.StatusBadRequest, itemErrs)
		return
	}
	var b bytes.Buffer
	if many {
		b.WriteByte('[')
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
func bulkIDs(list []any) ([]int64, []any) {
	ids := make([]int64, len(list))
	itemErrs := make([]any, len(list))
	failed := false
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			itemErrs[i] = nonDict(item)
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
	ids, itemErrs := bulkIDs(list)
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
		m := list[i].(map[string]any)
		o, errs := t.prepare(k, m, old, partial)
		if errs != nil {
			t.rollback()
			writeBody(w, http.StatusBadRequest, errs)
			return
		}
		t.save(k, o, old)
		updated = append(updated, id)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, id := range updated {
		if i > 0 {
			b.WriteByte(',')
		}
		t.render(&b, k, t.get(k.Endpoint, id), false)
	}
	b.WriteByte(']')
	writeRaw(w, http.StatusOK, b.Bytes())
}

func (s *Server) bulkDelete(w http.ResponseWriter, t *tx, k *kindSpec, list []any) {
	ids, itemErrs := bulkIDs(list)
	if itemErrs != nil {
		writeBody(w, http.StatusBadRequest, itemErrs)
		return
	}
	var found []int64
	for _, id := range ids {
		if t.get(k.Endpoint, id) != nil {
			found = append(found, id)
		}
	}
	if blocked := t.deleteObjects(k, found); blocked != "" {
		t.rollback()
		writeBody(w, http.StatusConflict, map[string]any{"detail": blocked})
		return
	}
	w.Header().Set("API-Version", "4.3")
	w.WriteHeader(http.StatusNoContent)
}
