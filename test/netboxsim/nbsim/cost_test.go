package nbsim_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

const costToken = "0123456789abcdef0123456789abcdef01234567"

// costRequest sends one request and returns how long it took.
func costRequest(t *testing.T, method, url, body string) time.Duration {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+costToken)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, out)
	}
	return time.Since(start)
}

// TestCostModel: a bulk write waits per object of its body, a list per
// object of its answer, and with slots requests queue for their delays.
func TestCostModel(t *testing.T) {
	sim := nbsim.New(nbsim.Options{Token: costToken, LatencyPerWrite: 20 * time.Millisecond, LatencyPerRead: 10 * time.Millisecond})
	ts := httptest.NewServer(sim)
	defer ts.Close()
	sites := `[{"name":"a","slug":"a"},{"name":"b","slug":"b"},{"name":"c","slug":"c"},{"name":"d","slug":"d"},{"name":"e","slug":"e"}]`
	if d := costRequest(t, http.MethodPost, ts.URL+"/api/dcim/sites/", sites); d < 100*time.Millisecond {
		t.Errorf("a bulk create of 5 took %v, want at least 5 x 20ms", d)
	}
	if d := costRequest(t, http.MethodGet, ts.URL+"/api/dcim/sites/?limit=3", ""); d < 30*time.Millisecond {
		t.Errorf("a page of 3 took %v, want at least 3 x 10ms", d)
	}

	slotted := nbsim.New(nbsim.Options{Token: costToken, Latency: 50 * time.Millisecond, LatencySlots: 1})
	ts2 := httptest.NewServer(slotted)
	defer ts2.Close()
	start := time.Now()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { costRequest(t, http.MethodGet, ts2.URL+"/api/dcim/sites/", "") })
	}
	wg.Wait()
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("3 requests through 1 slot took %v, want at least 3 x 50ms", d)
	}
}
