package nbsim

import (
	"bytes"
	"crypto/subtle"
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

// authenticate applies NetBox's TokenAuthentication; it returns the 403 body when the request
// may not proceed.
func (s *Server) authenticate(r *http.Request) map[string]any {
	fields := strings.Fields(r.Header.Get("Authorization"))
	if len(fields) == 0 {
		return map[string]any{"detail": "Authentication credentials were not provided."}
	}
	scheme := strings.ToLower(fields[0])
	if scheme != "token" && scheme != "bearer" {
		return map[string]any{"detail": "Authentication credentials were not provided."}
	}
	switch len(fields) {
	case 1:
		return map[string]any{"detail": "Invalid token header. No credentials provided."}
	case 2:
	default:
		return map[string]any{"detail": "Invalid token header. Token string should not contain spaces."}
	}
	want := s.token
	if scheme == "bearer" {
		want = BearerToken(s.token)
	}
	if s.token == "" || subtle.ConstantTimeCompare([]byte(fields[1]), []byte(want)) != 1 {
		return map[string]any{"detail": "Invalid token"}
	}
	return nil
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if body := s.authenticate(r); body != nil {
		writeBody(w, http.StatusForbidden, body)
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api"), "/"), "/")
	if len(parts) == 1 && parts[0] == "status" {
		if r.Method != http.MethodGet {
			methodNotAllowed(w, r)
			return
		}
		writeBody(w, http.StatusOK, statusBody())
		return
	}
	if len(parts) < 2 || len(parts) > 3 {
		writeBody(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
		return
	}
	k := defaultCatalog.kinds[parts[0]+"/"+parts[1]]
	if k == nil {
		writeBody(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
		return
	}
	if len(parts) == 3 {
		id, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || id <= 0 {
			writeBody(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
			return
		}
		s.serveDetail(w, r, k, id)
		return
	}
	s.serveList(w, r, k)
}

func statusBody() map[string]any {
	return map[string]any{
		"django-version": "5.2.4",
		"installed-apps": map[string]any{"django_filters": "25.1", "rest_framework": "3.16.0"},
		"netbox-version": "4.3.7", "netbox-full-version": "4.3.7-Docker-3.3.0",
		"plugins": map[string]any{}, "python-version": "3.12.3", "rq-workers-running": 1,
	}
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
		writeRaw(w, http.StatusOK, b.Bytes())
	case http.MethodPut, http.MethodPatch:
		body, ok := readJSON(w, r)
		if !ok {
			return
		}
		m, isMap := body.(map[string]any)
		if !isMap {
			writeBody(w, http.StatusBadRequest, nonDict(body))
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t := &tx{view: &view{st: s.st, base: baseURL(r)}}
		old := t.get(k.Endpoint, id)
		if old == nil {
			notFound(w, k)
			return
		}
		o, errs := t.prepare(k, m, old, r.Method == http.MethodPatch)
		if errs != nil {
			writeBody(w, http.StatusBadRequest, errs)
			return
		}
		t.save(k, o, old)
		var b bytes.Buffer
		t.render(&b, k, t.get(k.Endpoint, id), false)
		writeRaw(w, http.StatusOK, b.Bytes())
	case http.MethodDelete:
		s.mu.Lock()
		defer s.mu.Unlock()
		t := &tx{view: &view{st: s.st, base: baseURL(r)}}
		if t.get(k.Endpoint, id) == nil {
			notFound(w, k)
			return
		}
		if blocked := t.deleteObjects(k, []int64{id}); blocked != "" {
			writeBody(w, http.StatusConflict, map[string]any{"detail": blocked})
			return
		}
		w.Header().Set("API-Version", "4.3")
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(w, r)
	}
}

func nonDict(body any) map[string]any {
	return map[string]any{"non_field_errors": []string{
		fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyType(body))}}
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
			writeBody(w, http.StatusBadRequest, nonDict(body))
			return
		}
		list = []any{m}
	} else if !isList {
		writeBody(w, http.StatusBadRequest, map[string]any{"non_field_errors": []string{
			fmt.Sprintf("Expected a list of items but got type %q.", pyType(body))}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &tx{view: &view{st: s.st, base: baseURL(r)}}
	switch r.Method {
	case http.MethodPost:
		s.bulkCreate(w, t, k, list, isList)
	case http.MethodPut, http.MethodPatch:
		s.bulkUpdate(w, t, k, list, r.Method == http.MethodPatch)
	case http.MethodDelete:
		s.bulkDelete(w, t, k, list)
	}
}
