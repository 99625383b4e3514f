package nbsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("API-Version", s.cat.rel.apiVersion())
	if body := s.authenticate(r); body != nil {
		writeBody(w, http.StatusForbidden, body)
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api"), "/"), "/")
	if len(parts) == 1 && s.serveRoot(w, r, parts[0]) {
		return
	}
	if len(parts) < 2 || len(parts) > 3 {
		writeBody(w, http.StatusNotFound, detail("Not found."))
		return
	}
	var id int64
	if len(parts) == 3 {
		n, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || n <= 0 {
			writeBody(w, http.StatusNotFound, detail("Not found."))
			return
		}
		id = n
	}
	if parts[0]+"/"+parts[1] == epObjectChanges {
		s.serveChanges(w, r, id)
		return
	}
	k := s.cat.kinds[parts[0]+"/"+parts[1]]
	switch {
	case k == nil:
		writeBody(w, http.StatusNotFound, detail("Not found."))
	case id != 0:
		s.serveDetail(w, r, k, id)
	default:
		s.serveList(w, r, k)
	}
}

// serveRoot answers the views outside the apps: /api/status/ and, from 4.5,
// /api/authentication-check/. It reports false for any other path.
func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request, name string) bool {
	var body map[string]any
	switch {
	case name == "status":
		body = s.cat.rel.statusBody()
	case name == "authentication-check" && s.cat.rel.authenticationCheck():
		body = authenticationCheckBody(baseURL(r))
	default:
		return false
	}
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r)
		return true
	}
	writeBody(w, http.StatusOK, body)
	return true
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeBody(w, http.StatusMethodNotAllowed, map[string]any{"detail": fmt.Sprintf("Method %q not allowed.", r.Method)})
}

func notFound(w http.ResponseWriter, k *kindSpec) {
	writeBody(w, http.StatusNotFound, map[string]any{"detail": fmt.Sprintf("No %s matches the given query.", k.ModelName)})
}

// readJSON decodes a request body with numbers kept exact.
func readJSON(w http.ResponseWriter, r *http.Request) (any, bool) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		writeBody(w, http.StatusBadRequest, map[string]any{"detail": "read body: " + err.Error()})
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		writeBody(w, http.StatusBadRequest, map[string]any{"detail": "JSON parse error - " + err.Error()})
		return nil, false
	}
	return body, true
}

func (s *Server) serveDetail(w http.ResponseWriter, r *http.Request, k *kindSpec, id int64) {
	switch r.Method {
	case http.MethodGet:
		s.mu.RLock()
		defer s.mu.RUnlock()
		v := &view{st: s.st, base: baseURL(r)}
		o := v.get(k.Endpoint, id)
		if o == nil {
			notFound(w, k)
			return
		}
		var b bytes.Buffer
		v.renderQuery(&b, k, o, r.URL.Query())
		s.setETag(w, o)
		writeRaw(w, http.StatusOK, b.Bytes())
	case http.MethodPut, http.MethodPatch:
		s.updateDetail(w, r, k, id)
	case http.MethodDelete:
		s.deleteDetail(w, r, k, id)
	case http.MethodOptions:
		s.serveOptions(w, r, k)
	default:
		methodNotAllowed(w, r)
	}
}

func (s *Server) updateDetail(w http.ResponseWriter, r *http.Request, k *kindSpec, id int64) {
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	m, isMap := body.(map[string]any)
	if !isMap {
		writeBody(w, http.StatusBadRequest, s.cat.rel.nonDict(body))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.newTx(baseURL(r))
	held := newHeldAnswer()
	defer s.answerOrFail(w, t, held)
	w = held
	old := t.get(k.Endpoint, id)
	if old == nil {
		notFound(w, k)
		return
	}
	if s.preconditionFailed(w, r, old) {
		return
	}
	if errs := t.write(k, m, old, r.Method == http.MethodPatch); errs != nil {
		t.rollback()
		writeBody(w, http.StatusBadRequest, errs)
		return
	}
	o := t.get(k.Endpoint, id)
	var b bytes.Buffer
	t.render(&b, k, o, false)
	s.setETag(w, o)
	writeRaw(w, http.StatusOK, b.Bytes())
}

func (s *Server) deleteDetail(w http.ResponseWriter, r *http.Request, k *kindSpec, id int64) {
	body := map[string]any{}
	if r.ContentLength != 0 {
		raw, ok := readJSON(w, r)
		if !ok {
			return
		}
		if m, isMap := raw.(map[string]any); isMap {
			body = m
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.newTx(baseURL(r))
	held := newHeldAnswer()
	defer s.answerOrFail(w, t, held)
	w = held
	o := t.get(k.Endpoint, id)
	if o == nil {
		notFound(w, k)
		return
	}
	if s.preconditionFailed(w, r, o) {
		return
	}
	msg, errs := t.deleteMessage(body)
	if errs != nil {
		writeBody(w, http.StatusBadRequest, errs)
		return
	}
	t.deleting = map[string]map[int64]string{k.Endpoint: {id: msg}}
	if blocked := t.deleteObjects(k, []int64{id}); blocked != "" {
		t.rollback()
		writeBody(w, http.StatusConflict, detail(blocked))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// nonDict is the error of a body (or a bulk entry) that is not a JSON object.
func (r release) nonDict(body any) map[string]any {
	return map[string]any{r.nonFieldKey(): []string{
		fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyType(body))}}
}

// notAList answers a PUT, PATCH or DELETE on a list endpoint whose body is not a list: DRF's
// ListSerializer error, or from 4.7 a detail of NetBox's own (netbox/api/viewsets/mixins.py
// at v4.7.3, _validate_list_body).
func (r release) notAList(w http.ResponseWriter, body any) {
	if !r.structuredBulkErrors() {
		writeBody(w, http.StatusBadRequest, map[string]any{r.nonFieldKey(): []string{
			fmt.Sprintf("Expected a list of items but got type %q.", pyType(body))}})
		return
	}
	detail := fmt.Sprintf("Expected a list of objects, but got %s.", pyType(body))
	if m, isMap := body.(map[string]any); body == nil || (isMap && len(m) == 0) || body == "" {
		detail = "Expected a list of objects, but no data was submitted."
	}
	writeBody(w, http.StatusBadRequest, map[string]any{"detail": detail})
}

// write validates body and saves the object it makes (new when old is nil), with the body's
// changelog_message; it returns the validation errors instead when there are any.
func (t *tx) write(k *kindSpec, body map[string]any, old *object, partial bool) fieldErrors {
	mac, setMAC, errs := t.macShortcut(k, body)
	if errs != nil {
		return errs
	}
	o, errs := t.prepare(k, body, old, partial)
	if errs != nil {
		return errs
	}
	t.subject, t.message = o, t.changelogMessage(body)
	t.save(k, o, old)
	if setMAC {
		return t.setPrimaryMAC(k, o, mac)
	}
	return nil
}

// save stores o (new when old is nil) and runs the kind's signals.
func (t *tx) save(k *kindSpec, o, old *object) {
	if old == nil {
		t.insert(k.Endpoint, o)
	} else {
		t.replace(k.Endpoint, o)
	}
	if k.After != nil {
		k.After(t, o, old)
	}
}

// deleteObjects deletes ids and what cascades from them, or returns NetBox's 409 message.
func (t *tx) deleteObjects(k *kindSpec, ids []int64) string {
	doomed, blocked := t.collect(k.Endpoint, ids)
	if len(blocked) > 0 {
		return fmt.Sprintf("Unable to delete object. %d dependent objects were found: %s", len(blocked), strings.Join(blocked, ", "))
	}
	t.deleteCollected(doomed)
	return ""
}

func (s *Server) serveList(w http.ResponseWriter, r *http.Request, k *kindSpec) {
	switch r.Method {
	case http.MethodGet:
		s.list(w, r, k)
		return
	case http.MethodOptions:
		s.serveOptions(w, r, k)
		return
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		methodNotAllowed(w, r)
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	list, isList := body.([]any)
	if r.Method == http.MethodPost && !isList {
		m, isMap := body.(map[string]any)
		if !isMap {
			writeBody(w, http.StatusBadRequest, s.cat.rel.nonDict(body))
			return
		}
		list = []any{m}
	} else if !isList {
		s.cat.rel.notAList(w, body)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.newTx(baseURL(r))
	held := newHeldAnswer()
	defer s.answerOrFail(w, t, held)
	w = held
	switch r.Method {
	case http.MethodPost:
		s.bulkCreate(w, t, k, list, isList)
	case http.MethodPut, http.MethodPatch:
		s.bulkUpdate(w, t, k, list, r.Method == http.MethodPatch)
	case http.MethodDelete:
		s.bulkDelete(w, t, k, list)
	}
}
