// Package nbsim emulates the parts of the NetBox REST API that netbox-agent uses, in memory, for
// tests, benchmarks and local runs. It reproduces one release at a time, 4.3 to 4.7
// (Options.Version), with the differences between them that the agent can meet.
//
// Fields, length limits and patterns come from the openapi.yaml shipped with go-netbox v4.3.0;
// choices come from each release's own choice sets (choices.json); NetBox's source decides the
// rest (validation messages, uniqueness, deletes, filters, paging, tokens). Objects are listed in
// ID order.
package nbsim

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	// Version is the NetBox release to reproduce: one of Versions() ("4.3" to "4.7"); empty
	// means DefaultVersion.
	Version string
	// Token is the API token (NetBox v1 form, 40 hex digits). Requests authenticate with
	// "Authorization: Token <Token>", and from 4.5 also with "Authorization: Bearer
	// <BearerToken(Token)>" (a v2 token).
	Token string
	// Latency delays every API request.
	Latency time.Duration
	// LatencyPerWrite delays a write by this much more for every object of its body (the
	// length of a bulk list, or 1); LatencyPerRead delays a list by this much more for every
	// object of its answer. With Latency they make a cost model of a real NetBox.
	LatencyPerWrite time.Duration
	LatencyPerRead  time.Duration
	// LatencySlots, when above 0, lets at most this many requests wait out their delays at
	// once (a NetBox with that many busy CPUs); the others queue.
	LatencySlots int
	// StateFile, when set, is where Save and Load (and the /_sim/save and /_sim/load endpoints)
	// keep the state.
	StateFile string
	// Seed seeds the fault injection's random numbers; the same seed gives the same faults for
	// the same sequence of requests.
	Seed int64
}

// BearerToken returns the NetBox v2 ("nbt_") form of token that the emulator accepts from 4.5:
// "nbt_" + the first 12 characters of token (the key) + "." + token (the secret).
func BearerToken(token string) string {
	key := token
	if len(key) > 12 {
		key = key[:12]
	}
	return "nbt_" + key + "." + token
}

// Stats counts API requests.
type Stats struct {
	// Requests counts requests by method and path pattern, e.g. "GET /api/dcim/devices/" or
	// "PATCH /api/dcim/devices/{id}/".
	Requests map[string]int `json:"requests"`
	// ByMethod counts requests by HTTP method.
	ByMethod map[string]int `json:"by_method"`
	// Total counts all API requests.
	Total int `json:"total"`
}

// Faults are injected into API requests, each decided at random per request.
type Faults struct {
	// ErrorRate is the share of requests answered 500, 502 or 503 without being processed.
	ErrorRate float64
	// RateLimitRate is the share of requests answered 429 with a Retry-After header.
	RateLimitRate float64
	// RetryAfter is the Retry-After of 429 answers (rounded up to whole seconds; 1s when zero).
	RetryAfter time.Duration
	// DropAfterCommitRate is the share of writes that are committed and then answered by
	// closing the connection, so that callers see an error for a write that happened.
	DropAfterCommitRate float64
	// Methods restricts the faults to these HTTP methods; empty means all.
	Methods []string
}

// Server is the emulator. It implements http.Handler; all methods are safe for concurrent use.
type Server struct {
	cat   *catalog     // the release's kinds and schemas; never written
	mu    sync.RWMutex // guards st and changes
	st    *state
	now   func() time.Time
	token string
	file  string
	cost  costModel

	knobs   sync.Mutex // guards the fields below
	latency time.Duration
	faults  Faults
	rng     *rand.Rand
	stats   Stats

	// pages holds the buffers lists are rendered into, for the next list:
	// a page of 1,000 objects is megabytes, which the collector would
	// otherwise sweep after every page.
	pages sync.Pool
}

// New returns an empty emulator of the release opts.Version names. It panics when that is not
// one of Versions(); CheckVersion tells beforehand.
func New(opts Options) *Server {
	rel, err := releaseFor(opts.Version)
	if err != nil {
		panic(err)
	}
	seed := uint64(opts.Seed)
	now := func() time.Time { return time.Now().UTC() }
	cat := catalogs[rel.name()]
	s := &Server{
		cat:     cat,
		st:      newState(cat, now),
		now:     now,
		token:   opts.Token,
		file:    opts.StateFile,
		latency: opts.Latency,
		cost:    newCostModel(opts),
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
	s.stats = newStats()
	return s
}

func newStats() Stats { return Stats{Requests: map[string]int{}, ByMethod: map[string]int{}} }

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	out := newStats()
	for k, v := range s.stats.Requests {
		out.Requests[k] = v
	}
	for k, v := range s.stats.ByMethod {
		out.ByMethod[k] = v
	}
	out.Total = s.stats.Total
	return out
}

// Version returns the full NetBox version the emulator reproduces, e.g. "4.7.3".
func (s *Server) Version() string { return s.cat.rel.full }

// ResetStats zeroes the request counters.
func (s *Server) ResetStats() {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	s.stats = newStats()
}

// Reset removes every object and zeroes the counters. IDs start again from 1.
func (s *Server) Reset() {
	s.mu.Lock()
	s.st = newState(s.cat, s.now)
	s.mu.Unlock()
	s.ResetStats()
}

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f Faults) {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	f.Methods = append([]string(nil), f.Methods...)
	s.faults = f
}

// SetLatency sets the delay added to every API request.
func (s *Server) SetLatency(d time.Duration) {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	s.latency = d
}

// Count returns the number of objects at an endpoint path such as "dcim/devices" (0 for an
// unknown endpoint).
func (s *Server) Count(endpoint string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.st.tables[strings.Trim(endpoint, "/")]
	if t == nil {
		return 0
	}
	return len(t.objs)
}

// Dump returns the full representation of every object, by endpoint path, sorted by ID.
func (s *Server) Dump() map[string][]map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := &view{st: s.st, base: "http://netbox"}
	out := map[string][]map[string]any{}
	var buf bytes.Buffer
	for _, ep := range s.st.cat.order {
		t := s.st.tables[ep]
		list := make([]map[string]any, 0, len(t.objs))
		for _, id := range t.ordered() {
			buf.Reset()
			v.render(&buf, t.kind, t.objs[id], false)
			var m map[string]any
			if err := json.Unmarshal(buf.Bytes(), &m); err == nil {
				list = append(list, m)
			}
		}
		out[ep] = list
	}
	return out
}

// ServeHTTP answers NetBox API requests under /api/ and the emulator's controls under /_sim/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveAdmin(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/api" {
		writeBody(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
		return
	}
	latency, fault, drop := s.admit(r)
	latency += s.cost.writeCost(r)
	release, ok := s.cost.acquire(r.Context())
	if !ok {
		return
	}
	defer release()
	if latency > 0 {
		timer := time.NewTimer(latency)
		select {
		case <-r.Context().Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
	if fault != nil {
		fault(w)
		return
	}
	if drop {
		// The write is committed into a buffer that is thrown away; aborting the handler makes
		// net/http close the connection without an answer.
		rec := &discardWriter{header: http.Header{}}
		s.serveAPI(rec, r)
		panic(http.ErrAbortHandler)
	}
	s.cost.readCosted(w, r, s.serveAPI)
}

// admit counts the request and draws its fault.
func (s *Server) admit(r *http.Request) (time.Duration, func(http.ResponseWriter), bool) {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	key := r.Method + " " + pathPattern(r.URL.Path)
	s.stats.Requests[key]++
	s.stats.ByMethod[r.Method]++
	s.stats.Total++
	f := s.faults
	if len(f.Methods) > 0 && !containsFold(f.Methods, r.Method) {
		return s.latency, nil, false
	}
	if f.RateLimitRate > 0 && s.rng.Float64() < f.RateLimitRate {
		secs := int((f.RetryAfter + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		return s.latency, func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", itoa(int64(secs)))
			writeBody(w, http.StatusTooManyRequests, map[string]any{
				"detail": "Request was throttled. Expected available in " + itoa(int64(secs)) + " seconds."})
		}, false
	}
	if f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate {
		code := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[s.rng.IntN(3)]
		return s.latency, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(code)
			// A failed write means the client has gone; there is no one left to tell.
			_, _ = w.Write([]byte("<h1>" + http.StatusText(code) + "</h1>"))
		}, false
	}
	write := r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch || r.Method == http.MethodDelete
	drop := write && f.DropAfterCommitRate > 0 && s.rng.Float64() < f.DropAfterCommitRate
	return s.latency, nil, drop
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// pathPattern replaces an object ID in an API path with {id}.
func pathPattern(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) == 4 && isDigits(parts[3]) {
		parts[3] = "{id}"
	}
	return "/" + strings.Join(parts, "/") + "/"
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// writeBody encodes body as DRF's JSONRenderer does: no HTML escaping of <, > and &.
func writeBody(w http.ResponseWriter, code int, body any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		writeRaw(w, http.StatusInternalServerError, []byte(`{"detail":"encode error"}`))
		return
	}
	writeRaw(w, code, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func writeRaw(w http.ResponseWriter, code int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	w.WriteHeader(code)
	// A failed write means the client has gone; there is no one left to tell.
	_, _ = w.Write(body)
}
