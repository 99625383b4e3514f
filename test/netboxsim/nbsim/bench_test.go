package nbsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// benchDevices is the number of devices the list benchmarks run against.
const benchDevices = 100_000

// preload creates n devices (in bulk requests of 1000) spread over 100 sites, each with an
// agent_id custom field (exact filter logic, as the agent creates it) and a tag.
func preload(b *testing.B, c *apiClient, n int) world {
	b.Helper()
	w := c.seed(100)
	sites := make([]int64, 100)
	for i := range sites {
		sites[i] = c.create("dcim/sites", map[string]any{"name": fmt.Sprintf("bench site %d", i), "slug": fmt.Sprintf("bench-%d", i)})
	}
	for start := 0; start < n; start += 1000 {
		batch := make([]any, 0, 1000)
		for i := start; i < min(start+1000, n); i++ {
			batch = append(batch, map[string]any{"name": fmt.Sprintf("node%06d", i), "device_type": w.deviceType, "role": w.role,
				"site": sites[i%len(sites)], "tags": []any{w.tag}, "custom_fields": map[string]any{"agent_id100": fmt.Sprintf("bench/%d", i)}})
		}
		if code, body := c.do(http.MethodPost, "/api/dcim/devices/", batch); code != http.StatusCreated {
			b.Fatalf("preload: %d %.300s", code, body)
		}
	}
	return w
}

// fire sends one request and drains the answer, failing on an unexpected status.
func fire(b *testing.B, client *http.Client, c *apiClient, method, path string, body []byte, want int) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.url+path, rd)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %d", method, path, resp.StatusCode)
	}
}

// cpuTime is the CPU time this process (client and emulator together) has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRate reports requests (and objects) per second of wall time, and requests per second
// of CPU time, which stays meaningful when other processes share the machine.
func reportRate(b *testing.B, perRequest int, cpuStart time.Duration) {
	secs := b.Elapsed().Seconds()
	if secs == 0 {
		return
	}
	b.ReportMetric(float64(b.N)/secs, "req/s")
	if perRequest > 1 {
		b.ReportMetric(float64(b.N*perRequest)/secs, "objects/s")
	}
	if cpu := (cpuTime(b) - cpuStart).Seconds(); cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, "req/cpu-s")
	}
}

// BenchmarkList measures list requests (one page of 50, full representations, over HTTP)
// against 100,000 devices: unfiltered, by an indexed foreign key, by the agent's custom field,
// and by a tag plus a page far into the result.
func BenchmarkList(b *testing.B) {
	c := newSim(b)
	preload(b, c, benchDevices)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.Logf("heap with %d devices: %.0f MiB", c.sim.Count("dcim/devices"), float64(ms.HeapAlloc)/(1<<20))
	client := &http.Client{}
	for _, q := range []struct{ name, query string }{
		{"all", ""},
		{"site_id", "?site_id=5"},
		{"cf_agent_id", "?cf_agent_id100=bench/77777"},
		{"tag_offset", "?tag=tag100&offset=90000"},
		{"brief_1000", "?brief=1&limit=1000"},
		{"page_1000", "?limit=1000&offset=50000"},
	} {
		b.Run(q.name, func(b *testing.B) {
			cpu := cpuTime(b)
			for b.Loop() {
				fire(b, client, c, http.MethodGet, "/api/dcim/devices/"+q.query, nil, http.StatusOK)
			}
			reportRate(b, 1, cpu)
		})
	}
}

// BenchmarkCreate measures single-object creates (POST of one device).
func BenchmarkCreate(b *testing.B) {
	c := newSim(b)
	w := c.seed(100)
	client := &http.Client{}
	i := 0
	cpu := cpuTime(b)
	for b.Loop() {
		body, err := json.Marshal(map[string]any{"name": fmt.Sprintf("c%d", i), "device_type": w.deviceType, "role": w.role, "site": w.site})
		if err != nil {
			b.Fatal(err)
		}
		i++
		fire(b, client, c, http.MethodPost, "/api/dcim/devices/", body, http.StatusCreated)
	}
	reportRate(b, 1, cpu)
}

// BenchmarkBulkCreate measures bulk creates of 100 devices per request (the agent's batch
// size).
func BenchmarkBulkCreate(b *testing.B) {
	c := newSim(b)
	w := c.seed(100)
	client := &http.Client{}
	const batch = 100
	i := 0
	cpu := cpuTime(b)
	for b.Loop() {
		items := make([]any, batch)
		for j := range items {
			items[j] = map[string]any{"name": fmt.Sprintf("b%d", i), "device_type": w.deviceType, "role": w.role, "site": w.site,
				"tags": []any{w.tag}, "custom_fields": map[string]any{"agent_id100": fmt.Sprintf("bulk/%d", i)}}
			i++
		}
		body, err := json.Marshal(items)
		if err != nil {
			b.Fatal(err)
		}
		fire(b, client, c, http.MethodPost, "/api/dcim/devices/", body, http.StatusCreated)
	}
	reportRate(b, batch, cpu)
}
