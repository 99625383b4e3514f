package metrics

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/api/dcim/devices/", "dcim/devices"},
		{"/api/dcim/devices/12/", "dcim/devices"},
		{"/netbox/api/ipam/ip-addresses/", "ipam/ip-addresses"},
		{"/api/status/", "status"},
		{"/api/", "root"},
		{"/login/", "other"},
		{"/api/12/x/", "root"},
	} {
		assert.Equal(t, tc.want, Endpoint(tc.path), tc.path)
	}
}

func TestRunEnded(t *testing.T) {
	m, err := New()
	require.NoError(t, err)
	end := time.Unix(1_700_000_000, 0)
	failing := func(n int) {
		m.RunEnded(Run{End: end.Add(time.Duration(n) * time.Hour), Started: end.Add(time.Duration(n)*time.Hour - time.Minute),
			Sources: []SourceRun{{Name: "pve", OK: true, GuardBlocked: n == 1, BlockedKinds: blockedKinds(n == 1)}, {Name: "nas", OK: false}},
			Created: 3, Orphaned: map[string]int{"device": 2}, BatchesDone: 2, BatchesFailed: 1})
	}
	failing(0)
	failing(1)
	assert.Equal(t, 2.0, value(t, m.sourceFailedRuns.WithLabelValues("nas")))
	assert.Equal(t, 0.0, value(t, m.sourceFailedRuns.WithLabelValues("pve")))
	assert.Equal(t, 0.0, value(t, m.sourceSuccess.WithLabelValues("nas")))
	assert.Equal(t, float64(end.Add(time.Hour).Unix()), value(t, m.sourceLastOK.WithLabelValues("pve")))
	assert.Equal(t, 1.0, value(t, m.guardBlocked.WithLabelValues("pve", "ip_address")))
	assert.Equal(t, 1.0, value(t, m.guardBlocks.WithLabelValues("pve", "ip_address")))
	assert.Equal(t, 1.0, value(t, m.guardBlocked.WithLabelValues("pve", "mac_address")))
	assert.Equal(t, 2, series(m.guardBlocked), "a series for each blocked kind only")
	assert.Equal(t, 4.0, value(t, m.orphaned.WithLabelValues("device")))
	assert.Equal(t, 2.0, value(t, m.sourceRuns.WithLabelValues("nas", "failed")))
	assert.Equal(t, 60.0, value(t, m.runDuration))
	assert.Equal(t, 2.0, value(t, m.batches.WithLabelValues(BatchesFailed)))

	m.RunEnded(Run{End: end.Add(2 * time.Hour), Sources: []SourceRun{{Name: "pve", OK: true}, {Name: "nas", OK: true}}})
	assert.Equal(t, 0.0, value(t, m.sourceFailedRuns.WithLabelValues("nas")))
	assert.Equal(t, 0.0, value(t, m.guardBlocked.WithLabelValues("pve", "ip_address")), "a block ends with a run that goes through")
	assert.Equal(t, 0.0, value(t, m.guardBlocked.WithLabelValues("pve", "mac_address")))
	assert.Equal(t, 1.0, value(t, m.guardBlocks.WithLabelValues("pve", "ip_address")), "the count stays")
	last, ok := m.LastRun()
	require.True(t, ok)
	assert.Equal(t, end.Add(2*time.Hour), last.End)
}

// blockedKinds are the kinds a test run blocks when blocked is set.
func blockedKinds(blocked bool) []string {
	if !blocked {
		return nil
	}
	return []string{"ip_address", "mac_address"}
}

func TestTransportCountsRequests(t *testing.T) {
	m, err := New()
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/dcim/sites/" {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	c := &http.Client{Transport: m.Transport(http.DefaultTransport)}
	for _, p := range []string{"/api/dcim/devices/1/", "/api/dcim/devices/2/", "/api/dcim/sites/"} {
		resp, err := c.Get(srv.URL + p)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	assert.Equal(t, 2.0, value(t, m.requests.WithLabelValues("GET", "dcim/devices", "200")))
	assert.Equal(t, 1.0, value(t, m.requests.WithLabelValues("GET", "dcim/sites", "429")))
	assert.Equal(t, uint64(2), histCount(t, m, "dcim/devices"))
}

// value reads a counter's or a gauge's value.
func value(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	require.NoError(t, c.Write(&out))
	if out.Counter != nil {
		return out.Counter.GetValue()
	}
	return out.Gauge.GetValue()
}

// histCount is how many requests to endpoint the latency histogram holds.
func histCount(t *testing.T, m *Metrics, endpoint string) uint64 {
	t.Helper()
	var out dto.Metric
	h, err := m.requestDuration.GetMetricWithLabelValues("GET", endpoint)
	require.NoError(t, err)
	require.NoError(t, h.(prometheus.Metric).Write(&out))
	return out.Histogram.GetSampleCount()
}

func TestExprMetricNames(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`up{job="netbox-agent"} == 0`, []string{"up"}},
		{`time() - netbox_agent_source_last_success_timestamp_seconds > 6 * 3600`, []string{"netbox_agent_source_last_success_timestamp_seconds"}},
		{`sum by (instance) (rate(a_total{code=~"5..|429"}[5m])) / sum by (instance) (rate(b_total[5m])) > 0.1`, []string{"a_total", "b_total"}},
		{`histogram_quantile(0.9, sum by (le, endpoint) (rate(h_bucket{endpoint=~"$endpoint"}[$__rate_interval])))`, []string{"h_bucket"}},
		{`x and on (source) y or z offset 5m unless w > bool 1e3`, []string{"w", "x", "y", "z"}},
		{`max without (instance) (g{source="by (x)"})`, []string{"g"}},
	} {
		assert.Equal(t, tc.want, ExprMetricNames(tc.expr), tc.expr)
	}
}

// series counts the series a collector holds.
func series(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric)
	go func() {
		c.Collect(ch)
		close(ch)
	}()
	n := 0
	for range ch {
		n++
	}
	return n
}
