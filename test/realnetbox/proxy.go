package realnetbox

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Proxy is a reverse proxy in front of a NetBox (real or emulated) that counts the requests
// passing through it and can inject the faults a NetBox in trouble shows: delays, 5xx and 429
// answers, and writes that are committed but whose answer is lost. Tests put it between the agent
// and NetBox so that "no writes" and fault assertions hold whatever NetBox is behind it.
//
// The Host header is passed on unchanged, so the URLs in NetBox's answers (pagination "next"
// links, object "url"s) point back at the proxy. All methods are safe for concurrent use.
type Proxy struct {
	rp *httputil.ReverseProxy

	mu      sync.Mutex // guards the fields below
	stats   Stats
	faults  Faults
	latency time.Duration
	rng     *rand.Rand
	hold    *hold
}

// hold keeps back the answers of writes after the first few, until released.
type hold struct {
	left     int           // writes still let through
	held     chan struct{} // closed when the first write is held
	released chan struct{} // closed by Release
}

// Stats counts the API requests a Proxy passed on or answered itself.
type Stats struct {
	// ByMethod counts requests by HTTP method.
	ByMethod map[string]int
	// Requests counts requests by method and path pattern, e.g. "PATCH /api/dcim/devices/{id}/".
	Requests map[string]int
	// ByScheme counts requests by the scheme of their Authorization header ("Token", "Bearer";
	// "" for none).
	ByScheme map[string]int
	// Total counts all requests.
	Total int
}

// Writes counts the requests that may change something: POST, PUT, PATCH and DELETE.
func (s Stats) Writes() int {
	return s.ByMethod[http.MethodPost] + s.ByMethod[http.MethodPut] + s.ByMethod[http.MethodPatch] + s.ByMethod[http.MethodDelete]
}

// Faults are injected into requests, each decided at random per request.
type Faults struct {
	// ErrorRate is the share of requests answered 500, 502 or 503 without being passed on.
	ErrorRate float64
	// RateLimitRate is the share of requests answered 429 with a Retry-After header.
	RateLimitRate float64
	// RetryAfter is the Retry-After of 429 answers (rounded up to whole seconds; 1s when zero).
	RetryAfter time.Duration
	// DropAfterCommitRate is the share of writes that are passed on and then answered by closing
	// the connection, so that the caller sees an error for a write that happened.
	DropAfterCommitRate float64
	// Down answers every request by closing its connection without passing it on, as when
	// NetBox is down behind a proxy that resets what it cannot forward.
	Down bool
	// EchoAuthRate is the share of requests answered 500 with a body that repeats the request's
	// Authorization header, as a debug error page does: what must never reach a log or an error.
	EchoAuthRate float64
}

// NewProxy returns a proxy to the NetBox at backend (its base URL). seed seeds the fault
// injection's random numbers.
func NewProxy(backend *url.URL, seed uint64) *Proxy {
	p := &Proxy{
		stats: newStats(),
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(backend)
			r.Out.Host = r.In.Host
		},
	}
	return p
}

func newStats() Stats {
	return Stats{ByMethod: map[string]int{}, Requests: map[string]int{}, ByScheme: map[string]int{}}
}

// Stats returns a copy of the counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := newStats()
	for k, v := range p.stats.ByMethod {
		out.ByMethod[k] = v
	}
	for k, v := range p.stats.Requests {
		out.Requests[k] = v
	}
	for k, v := range p.stats.ByScheme {
		out.ByScheme[k] = v
	}
	out.Total = p.stats.Total
	return out
}

// ResetStats zeroes the counters.
func (p *Proxy) ResetStats() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats = newStats()
}

// SetFaults replaces the injected faults; the zero Faults injects none.
func (p *Proxy) SetFaults(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
}

// SetLatency sets the delay added before every request is passed on.
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// HoldWritesAfter lets the next n writes through and holds every write after them: it reaches
// NetBox, which commits it, but its answer is kept back until Release, as when the caller dies
// while NetBox writes. A held write whose caller goes away is never answered. The returned
// channel is closed once a write is held.
func (p *Proxy) HoldWritesAfter(n int) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold = &hold{left: n, held: make(chan struct{}), released: make(chan struct{})}
	return p.hold.held
}

// Release answers the held writes whose callers still wait and stops holding.
func (p *Proxy) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold != nil {
		close(p.hold.released)
		p.hold = nil
	}
}

// ServeHTTP counts the request, draws its fault and passes it on.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if released := p.holds(r); released != nil {
		p.serveHeld(w, r, released)
		return
	}
	latency, fault, drop := p.admit(r)
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
		// The write reaches NetBox, its answer is thrown away, and aborting the handler makes
		// net/http close the connection without one.
		p.rp.ServeHTTP(&discardWriter{header: http.Header{}}, r)
		panic(http.ErrAbortHandler)
	}
	p.rp.ServeHTTP(w, r)
}

// holds reports whether the request is a write whose answer is held, with the channel that
// releases it; nil when it is not held.
func (p *Proxy) holds(r *http.Request) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold == nil || !isWrite(r.Method) {
		return nil
	}
	if p.hold.left > 0 {
		p.hold.left--
		return nil
	}
	return p.hold.released
}

// serveHeld counts a held write and passes it on, then keeps its answer back until released
// or until its caller goes away.
func (p *Proxy) serveHeld(w http.ResponseWriter, r *http.Request, released <-chan struct{}) {
	p.mu.Lock()
	p.count(r)
	h := p.hold
	p.mu.Unlock()
	answer := &bufferedWriter{header: http.Header{}, code: http.StatusOK}
	// The write must reach NetBox even if its caller is killed meanwhile.
	p.rp.ServeHTTP(answer, r.WithContext(context.WithoutCancel(r.Context())))
	if h != nil {
		h.signalHeld()
	}
	select {
	case <-released:
		answer.copyTo(w)
	case <-r.Context().Done():
	}
}

// signalHeld closes the held channel once.
func (h *hold) signalHeld() {
	select {
	case <-h.held:
	default:
		close(h.held)
	}
}

// count counts a request; p.mu must be held.
func (p *Proxy) count(r *http.Request) {
	p.stats.ByMethod[r.Method]++
	p.stats.Requests[r.Method+" "+pathPattern(r.URL.Path)]++
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	p.stats.ByScheme[scheme]++
	p.stats.Total++
}

// admit counts the request and draws its fault: the delay, an answer to give instead of
// passing the request on, or whether to drop the answer of a write.
func (p *Proxy) admit(r *http.Request) (time.Duration, func(http.ResponseWriter), bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.count(r)
	f := p.faults
	if f.Down {
		return p.latency, func(http.ResponseWriter) { panic(http.ErrAbortHandler) }, false
	}
	if f.EchoAuthRate > 0 && p.rng.Float64() < f.EchoAuthRate {
		auth := r.Header.Get("Authorization")
		return p.latency, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("<h1>Server Error (500)</h1><pre>HTTP_AUTHORIZATION = '" + auth + "'</pre>"))
		}, false
	}
	if f.RateLimitRate > 0 && p.rng.Float64() < f.RateLimitRate {
		secs := max(1, int((f.RetryAfter+time.Second-1)/time.Second))
		return p.latency, func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			// A failed write means the client has gone; there is no one left to tell.
			_, _ = w.Write([]byte(`{"detail":"Request was throttled. Expected available in ` + strconv.Itoa(secs) + ` seconds."}`))
		}, false
	}
	if f.ErrorRate > 0 && p.rng.Float64() < f.ErrorRate {
		code := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[p.rng.IntN(3)]
		return p.latency, func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(code)
			_, _ = w.Write([]byte("<h1>" + http.StatusText(code) + "</h1>"))
		}, false
	}
	drop := isWrite(r.Method) && f.DropAfterCommitRate > 0 && p.rng.Float64() < f.DropAfterCommitRate
	return p.latency, nil, drop
}

// isWrite reports whether a request of this method may change something.
func isWrite(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch || method == http.MethodDelete
}

// pathPattern replaces the numeric segments of an API path with {id}.
func pathPattern(path string) string {
	parts := strings.Split(path, "/")
	for i, s := range parts {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// discardWriter is a ResponseWriter that throws the answer away.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// bufferedWriter is a ResponseWriter that keeps the answer to give it later.
type bufferedWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedWriter) WriteHeader(code int)        { b.code = code }

// copyTo gives the kept answer.
func (b *bufferedWriter) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.code)
	// A failed write means the client has gone; there is no one left to tell.
	_, _ = w.Write(b.body.Bytes())
}
