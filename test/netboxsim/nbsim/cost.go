package nbsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// The cost model: besides Options.Latency per request, a write waits
// Options.LatencyPerWrite for every object its body holds and a list
// waits Options.LatencyPerRead for every object of its answer, so that
// a bulk request costs what a real NetBox spends per object. With
// Options.LatencySlots, at most that many requests wait out their delay
// at once and the others queue, as on a NetBox whose CPUs are all busy.

// costModel holds the per-object costs and the slots; set once by New.
type costModel struct {
	perWrite, perRead time.Duration
	slots             chan struct{} // nil: no limit
}

func newCostModel(opts Options) costModel {
	c := costModel{perWrite: opts.LatencyPerWrite, perRead: opts.LatencyPerRead}
	if opts.LatencySlots > 0 {
		c.slots = make(chan struct{}, opts.LatencySlots)
	}
	return c
}

// writeCost is the delay for the objects of a write's body: the length
// of a bulk list, or 1. The body is read and put back.
func (c costModel) writeCost(r *http.Request) time.Duration {
	if c.perWrite <= 0 || r.Body == nil || r.Method == http.MethodGet {
		return 0
	}
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return 0
	}
	body = bytes.TrimSpace(body)
	n := 1
	if len(body) == 0 {
		n = 0
	} else if body[0] == '[' {
		var list []json.RawMessage
		if json.Unmarshal(body, &list) == nil {
			n = len(list)
		}
	}
	return time.Duration(n) * c.perWrite
}

// acquire takes a slot, waiting for one; ok is false when the request
// ended first. release gives it back.
func (c costModel) acquire(ctx context.Context) (release func(), ok bool) {
	if c.slots == nil {
		return func() {}, true
	}
	select {
	case c.slots <- struct{}{}:
		return func() { <-c.slots }, true
	case <-ctx.Done():
		return nil, false
	}
}

// sleep waits d; false when the request ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// readCosted serves a GET into a buffer, waits for the objects of its
// answer, then sends it; other requests are served as they are.
func (c costModel) readCosted(w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter, *http.Request)) {
	if c.perRead <= 0 || r.Method != http.MethodGet {
		serve(w, r)
		return
	}
	rec := &bufferedWriter{header: w.Header(), code: http.StatusOK}
	serve(rec, r)
	var page struct {
		Results []json.RawMessage `json:"results"`
	}
	if json.Unmarshal(rec.body.Bytes(), &page) == nil && !sleep(r.Context(), time.Duration(len(page.Results))*c.perRead) {
		return
	}
	w.WriteHeader(rec.code)
	// A failed write means the client has gone; there is no one left to tell.
	_, _ = w.Write(rec.body.Bytes())
}

// bufferedWriter keeps an answer until it is sent; its header is the real
// writer's.
type bufferedWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedWriter) WriteHeader(code int)        { b.code = code }
