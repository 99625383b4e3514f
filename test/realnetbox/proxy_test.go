package realnetbox

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// newProxied starts a backend that counts what reaches it and answers with the Host it saw, and
// a Proxy in front of it.
func newProxied(t *testing.T) (*Proxy, *httptest.Server, *atomic.Int64) {
	t.Helper()
	var reached atomic.Int64
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		_, _ = io.WriteString(w, r.Host)
	}))
	t.Cleanup(backend.Close)
	u, err := url.Parse(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := NewProxy(u, 1)
	front := httptest.NewServer(p)
	t.Cleanup(front.Close)
	return p, front, &reached
}

func do(t *testing.T, method, u, auth string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, strings.NewReader("[]"))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b), nil
}

func TestProxyCounts(t *testing.T) {
	p, front, _ := newProxied(t)
	for _, c := range []struct{ method, path, auth string }{
		{"GET", "/api/dcim/devices/", "Bearer nbt_x.y"},
		{"POST", "/api/dcim/devices/", "Bearer nbt_x.y"},
		{"PATCH", "/api/dcim/devices/12/", "Token 0123"},
		{"DELETE", "/api/dcim/devices/", ""},
	} {
		resp, body, err := do(t, c.method, front.URL+c.path, c.auth)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d", c.method, c.path, resp.StatusCode)
		}
		if want := strings.TrimPrefix(front.URL, "http://"); body != want {
			t.Errorf("backend saw Host %q, want the proxy's %q", body, want)
		}
	}
	s := p.Stats()
	if s.Total != 4 || s.Writes() != 3 || s.ByMethod["GET"] != 1 {
		t.Errorf("stats = %+v", s)
	}
	if s.Requests["PATCH /api/dcim/devices/{id}/"] != 1 {
		t.Errorf("requests = %v", s.Requests)
	}
	if s.ByScheme["Bearer"] != 2 || s.ByScheme["Token"] != 1 || s.ByScheme[""] != 1 {
		t.Errorf("schemes = %v", s.ByScheme)
	}
	p.ResetStats()
	if s := p.Stats(); s.Total != 0 || len(s.ByMethod) != 0 {
		t.Errorf("after reset: %+v", s)
	}
}

func TestProxyFaults(t *testing.T) {
	p, front, reached := newProxied(t)

	p.SetFaults(Faults{RateLimitRate: 1, RetryAfter: 1500 * time.Millisecond})
	resp, _, err := do(t, "GET", front.URL+"/api/", "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("429: got %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	p.SetFaults(Faults{ErrorRate: 1})
	resp, _, err = do(t, "GET", front.URL+"/api/", "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode < 500 {
		t.Errorf("5xx: got %d", resp.StatusCode)
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("a refused request reached the backend %d times", n)
	}

	p.SetFaults(Faults{DropAfterCommitRate: 1})
	if _, _, err := do(t, "GET", front.URL+"/api/", ""); err != nil {
		t.Errorf("a read is never dropped: %v", err)
	}
	if _, _, err := do(t, "POST", front.URL+"/api/dcim/sites/", ""); err == nil {
		t.Error("a dropped write answered")
	}
	if n := reached.Load(); n != 2 {
		t.Errorf("the backend saw %d requests, want the read and the dropped write", n)
	}

	p.SetFaults(Faults{EchoAuthRate: 1})
	resp, body, err := do(t, "GET", front.URL+"/api/", "Bearer nbt_k.s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "Bearer nbt_k.s3cret") {
		t.Errorf("echo: got %d %q", resp.StatusCode, body)
	}

	p.SetFaults(Faults{Down: true})
	for _, m := range []string{"GET", "POST"} {
		if _, _, err := do(t, m, front.URL+"/api/dcim/sites/", ""); err == nil {
			t.Errorf("%s answered while NetBox is down", m)
		}
	}
	if n := reached.Load(); n != 2 {
		t.Errorf("a request reached the backend while it was down or echoing (%d in all)", n)
	}

	p.SetFaults(Faults{})
	p.SetLatency(50 * time.Millisecond)
	start := time.Now()
	if _, _, err := do(t, "GET", front.URL+"/api/", ""); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("latency: answered in %s", d)
	}
}

func TestProxyHoldsWrites(t *testing.T) {
	p, front, reached := newProxied(t)
	held := p.HoldWritesAfter(1)
	if _, _, err := do(t, "POST", front.URL+"/api/dcim/sites/", ""); err != nil {
		t.Fatalf("the first write is let through: %v", err)
	}
	if _, _, err := do(t, "GET", front.URL+"/api/dcim/sites/", ""); err != nil {
		t.Fatalf("reads are never held: %v", err)
	}

	// A held write whose caller gives up still reaches the backend.
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "PATCH", front.URL+"/api/dcim/sites/", strings.NewReader("[]"))
	if err != nil {
		t.Fatal(err)
	}
	gaveUp := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		gaveUp <- err
	}()
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("no write was held")
	}
	cancel()
	if err := <-gaveUp; err == nil {
		t.Error("a held write was answered before Release")
	}
	if n := reached.Load(); n != 3 {
		t.Errorf("the backend saw %d requests, want 3", n)
	}

	// A held write is answered once released.
	answered := make(chan error, 1)
	go func() {
		_, _, err := do(t, "DELETE", front.URL+"/api/dcim/sites/", "")
		answered <- err
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-answered:
		t.Fatalf("answered before Release: %v", err)
	default:
	}
	p.Release()
	if err := <-answered; err != nil {
		t.Fatalf("after Release: %v", err)
	}
	if s := p.Stats(); s.Writes() != 3 {
		t.Errorf("writes = %d, want 3", s.Writes())
	}
}
