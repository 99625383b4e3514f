package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// call is one API request as NetBox answered it: the figures a cost
// model of NetBox is fitted from.
type call struct {
	Method   string        `json:"method"`
	Endpoint string        `json:"endpoint"`
	Status   int           `json:"status"`
	Duration time.Duration `json:"duration"`
	// Written counts the objects of a write's body (the length of a bulk
	// list); Read the objects of a list's answer.
	Written int `json:"written,omitempty"`
	Read    int `json:"read,omitempty"`
}

// callRecorder is an http.Handler that times every request it passes on
// to next and records it.
type callRecorder struct {
	next  http.Handler
	mu    sync.Mutex // guards calls
	calls []call
}

// take returns the calls recorded since the last take.
func (c *callRecorder) take() []call {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	return out
}

func (c *callRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cl := call{Method: r.Method, Endpoint: endpointOf(r.URL.Path)}
	if r.Body != nil && r.Method != http.MethodGet {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		cl.Written = objectsIn(body)
	}
	rec := &teeWriter{ResponseWriter: w, status: http.StatusOK, keep: r.Method == http.MethodGet}
	start := time.Now()
	c.next.ServeHTTP(rec, r)
	cl.Duration = time.Since(start)
	cl.Status = rec.status
	if rec.keep {
		var page struct {
			Results []json.RawMessage `json:"results"`
		}
		if json.Unmarshal(rec.buf.Bytes(), &page) == nil {
			cl.Read = len(page.Results)
		}
	}
	c.mu.Lock()
	c.calls = append(c.calls, cl)
	c.mu.Unlock()
}

// objectsIn counts the objects of a request body: the elements of a
// list, or 1 for one object.
func objectsIn(body []byte) int {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return 0
	}
	if body[0] != '[' {
		return 1
	}
	var list []json.RawMessage
	if json.Unmarshal(body, &list) != nil {
		return 0
	}
	return len(list)
}

// endpointOf is an API path without its ID: "dcim/devices" for
// /api/dcim/devices/12/.
func endpointOf(path string) string {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(path, "/api/"), "/"), "/")
	if len(parts) > 2 {
		parts = parts[:2]
	}
	return strings.Join(parts, "/")
}

// teeWriter passes an answer on and keeps a copy of it when keep is set.
type teeWriter struct {
	http.ResponseWriter
	status int
	keep   bool
	buf    bytes.Buffer
}

func (t *teeWriter) WriteHeader(code int) {
	t.status = code
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.keep {
		t.buf.Write(b)
	}
	return t.ResponseWriter.Write(b)
}

// Flush lets the reverse proxy flush through the recorder.
func (t *teeWriter) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
