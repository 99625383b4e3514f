package nbsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

func TestStatsAndReset(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	c.sim.ResetStats()
	c.get("/api/dcim/devices/")
	c.get("/api/dcim/devices/?name=dev1")
	c.get(fmt.Sprintf("/api/dcim/devices/%d/", w.device))
	c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"serial": "x"})
	st := c.sim.Stats()
	want := map[string]int{"GET /api/dcim/devices/": 2, "GET /api/dcim/devices/{id}/": 1, "PATCH /api/dcim/devices/{id}/": 1}
	for k, n := range want {
		if st.Requests[k] != n {
			t.Errorf("Requests[%q] = %d, want %d (all: %v)", k, st.Requests[k], n, st.Requests)
		}
	}
	if st.Total != 4 || st.ByMethod["GET"] != 3 || st.ByMethod["PATCH"] != 1 {
		t.Errorf("stats = %+v", st)
	}
	// The HTTP controls give the same.
	code, body := c.do(http.MethodGet, "/_sim/stats", nil)
	var got nbsim.Stats
	if err := json.Unmarshal(body, &got); code != http.StatusOK || err != nil || got.Total != 4 {
		t.Errorf("/_sim/stats: %d %s %v", code, body, err)
	}
	if code, _ := c.do(http.MethodPost, "/_sim/reset", nil); code != http.StatusOK {
		t.Fatalf("reset: %d", code)
	}
	if n := c.sim.Count("dcim/devices"); n != 0 || c.sim.Stats().Total != 0 {
		t.Errorf("after reset: %d devices, %d requests", n, c.sim.Stats().Total)
	}
	if id := c.create("dcim/sites", map[string]any{"name": "A", "slug": "a"}); id != 1 {
		t.Errorf("first ID after reset = %d, want 1", id)
	}
}

func TestFaults(t *testing.T) {
	c := newSim(t)
	c.sim.SetFaults(nbsim.Faults{RateLimitRate: 1, RetryAfter: 1500 * time.Millisecond})
	code, _ := c.do(http.MethodGet, "/api/dcim/sites/", nil)
	if code != http.StatusTooManyRequests {
		t.Errorf("rate limited request: %d", code)
	}

	c.sim.SetFaults(nbsim.Faults{ErrorRate: 1, Methods: []string{"POST"}})
	if code, _ := c.do(http.MethodGet, "/api/dcim/sites/", nil); code != http.StatusOK {
		t.Errorf("GET with POST-only faults: %d", code)
	}
	code, _ = c.do(http.MethodPost, "/api/dcim/sites/", map[string]any{"name": "A", "slug": "a"})
	if code < 500 || c.sim.Count("dcim/sites") != 0 {
		t.Errorf("faulted POST: %d, %d sites (a 5xx fault must not write)", code, c.sim.Count("dcim/sites"))
	}

	// Commit, then drop: the client sees an error, the object exists.
	c.sim.SetFaults(nbsim.Faults{DropAfterCommitRate: 1})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.url+"/api/dcim/sites/",
		strings.NewReader(`{"name":"B","slug":"b"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("dropped write answered %d", resp.StatusCode)
	}
	c.sim.SetFaults(nbsim.Faults{})
	if got := c.count("/api/dcim/sites/?slug=b"); got != 1 {
		t.Errorf("committed-then-dropped site count = %d, want 1", got)
	}

	// Faults over HTTP, with durations as strings.
	code, body := c.do(http.MethodPost, "/_sim/faults", []byte(`{"rate_limit_rate":1,"retry_after":"3s"}`))
	if code != http.StatusOK {
		t.Fatalf("/_sim/faults: %d %s", code, body)
	}
	req, err = http.NewRequestWithContext(context.Background(), http.MethodGet, c.url+"/api/dcim/sites/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", c.auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("429 answer: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestLatency(t *testing.T) {
	c := newSim(t)
	if code, body := c.do(http.MethodPost, "/_sim/latency", []byte(`{"latency":"30ms"}`)); code != http.StatusOK {
		t.Fatalf("/_sim/latency: %d %s", code, body)
	}
	start := time.Now()
	c.get("/api/dcim/sites/")
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("request took %v with 30ms latency", d)
	}
}

func TestSaveLoadAndDump(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	sim := nbsim.New(nbsim.Options{Token: testToken, StateFile: file})
	ts := httptest.NewServer(sim)
	defer ts.Close()
	c := &apiClient{t: t, url: ts.URL, auth: "Token " + testToken, sim: sim}
	c.seed(1)
	before := sim.Dump()
	if code, body := c.do(http.MethodPost, "/_sim/save", nil); code != http.StatusOK {
		t.Fatalf("save: %d %s", code, body)
	}

	restored := nbsim.New(nbsim.Options{Token: testToken, StateFile: file})
	if err := restored.Load(); err != nil {
		t.Fatalf("load: %v", err)
	}
	after := restored.Dump()
	a, errA := json.Marshal(before)
	b, errB := json.Marshal(after)
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Errorf("dump after save and load differs:\n%s\n%s", a, b)
	}
	if n := len(after["dcim/devices"]); n != 1 {
		t.Errorf("dump has %d devices", n)
	}
	// The loaded state keeps working: indexes, uniqueness and IDs.
	rts := httptest.NewServer(restored)
	defer rts.Close()
	rc := &apiClient{t: t, url: rts.URL, auth: "Token " + testToken, sim: restored}
	if got := rc.count("/api/dcim/devices/?cf_agent_id1=test/dev1"); got != 1 {
		t.Errorf("custom field filter after load = %d", got)
	}
	if code, _ := rc.do(http.MethodPost, "/api/dcim/sites/", map[string]any{"name": "Site 1", "slug": "x"}); code != http.StatusBadRequest {
		t.Errorf("duplicate site name after load answered %d", code)
	}
	if id := rc.create("dcim/sites", map[string]any{"name": "New", "slug": "new"}); id != 2 {
		t.Errorf("next site ID after load = %d, want 2", id)
	}
}

// TestConcurrentWrites runs parallel creates, bulk creates, updates and reads; with -race it
// checks the locking, and the final counts check that no write was lost.
func TestConcurrentWrites(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	const workers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan string, workers*each)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{}
			send := func(method, path string, body any) int {
				enc, err := json.Marshal(body)
				if err != nil {
					return 0
				}
				req, err := http.NewRequestWithContext(context.Background(), method, c.url+path, bytes.NewReader(enc))
				if err != nil {
					return 0
				}
				req.Header.Set("Authorization", c.auth)
				resp, err := client.Do(req)
				if err != nil {
					return 0
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			for i := range each {
				name := fmt.Sprintf("g%d-%d", g, i)
				if code := send(http.MethodPost, "/api/dcim/interfaces/", map[string]any{"device": w.device, "name": name, "type": "virtual"}); code != http.StatusCreated {
					errs <- fmt.Sprintf("create %s: %d", name, code)
				}
				if code := send(http.MethodPost, "/api/ipam/ip-addresses/", []any{
					map[string]any{"address": fmt.Sprintf("172.%d.%d.1/24", 16+g, i)},
					map[string]any{"address": fmt.Sprintf("172.%d.%d.2/24", 16+g, i)},
				}); code != http.StatusCreated {
					errs <- fmt.Sprintf("bulk create %s: %d", name, code)
				}
				if code := send(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"serial": name}); code != http.StatusOK {
					errs <- fmt.Sprintf("patch %s: %d", name, code)
				}
				if code := send(http.MethodGet, "/api/dcim/interfaces/?device_id="+fmt.Sprint(w.device), nil); code != http.StatusOK {
					errs <- fmt.Sprintf("list %s: %d", name, code)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := c.sim.Count("dcim/interfaces"); got != 1+workers*each {
		t.Errorf("interfaces = %d, want %d", got, 1+workers*each)
	}
	if got := c.sim.Count("ipam/ip-addresses"); got != 1+2*workers*each {
		t.Errorf("IP addresses = %d, want %d", got, 1+2*workers*each)
	}
	if got := c.count(fmt.Sprintf("/api/dcim/interfaces/?device_id=%d", w.device)); got != 1+workers*each {
		t.Errorf("indexed interface count = %d", got)
	}
}

func TestFaultsJSON(t *testing.T) {
	for _, body := range []string{
		`{"error_rate":0.5,"rate_limit_rate":0.25,"retry_after":"2s","drop_after_commit_rate":0.1,"methods":["POST"]}`,
		`{"ErrorRate":0.5,"RateLimitRate":0.25,"RetryAfter":2000000000,"DropAfterCommitRate":0.1,"Methods":["POST"]}`,
	} {
		var f nbsim.Faults
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		want := nbsim.Faults{ErrorRate: 0.5, RateLimitRate: 0.25, RetryAfter: 2 * time.Second, DropAfterCommitRate: 0.1, Methods: []string{"POST"}}
		if f.ErrorRate != want.ErrorRate || f.RateLimitRate != want.RateLimitRate || f.RetryAfter != want.RetryAfter ||
			f.DropAfterCommitRate != want.DropAfterCommitRate || len(f.Methods) != 1 || f.Methods[0] != "POST" {
			t.Errorf("decode %s = %+v", body, f)
		}
		enc, err := json.Marshal(f)
		if err != nil || !strings.Contains(string(enc), `"retry_after":"2s"`) {
			t.Errorf("encode = %s, %v", enc, err)
		}
	}
	var f nbsim.Faults
	if err := json.Unmarshal([]byte(`{"retry_after":"soon"}`), &f); err == nil {
		t.Error("bad duration accepted")
	}
}
