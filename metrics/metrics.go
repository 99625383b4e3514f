// Package metrics holds the worker's Prometheus metrics: the agent's own
// (sources, runs, the mass-delete guard, NetBox requests, the health of what
// the worker depends on) and the Temporal SDK's, on one registry that the
// worker makes and serves on /metrics.
//
// Every method is safe on a nil *Metrics and then records nothing, so that
// activities built without metrics (tests, tools) need no stand-in.
//
// Names follow Prometheus conventions: the netbox_agent_ prefix, base units
// (seconds), _total on counters, _timestamp_seconds on Unix times.
package metrics

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Namespace prefixes every metric of the agent, the SDK's included.
const Namespace = "netbox_agent"

// Metrics is the worker's registry and the agent's own metrics on it.
type Metrics struct {
	reg *prometheus.Registry

	sourceDuration   *prometheus.GaugeVec
	sourceRecords    *prometheus.GaugeVec
	sourceErrors     *prometheus.CounterVec
	sourceSuccess    *prometheus.GaugeVec
	sourceFailedRuns *prometheus.GaugeVec
	sourceLastRun    *prometheus.GaugeVec
	sourceLastOK     *prometheus.GaugeVec
	sourceRuns       *prometheus.CounterVec

	runs          *prometheus.CounterVec
	runSuccess    prometheus.Gauge
	runTime       prometheus.Gauge
	runLastOK     prometheus.Gauge
	runDuration   prometheus.Gauge
	runObjects    *prometheus.GaugeVec
	runBatches    *prometheus.GaugeVec
	batches       *prometheus.CounterVec
	orphaned      *prometheus.CounterVec
	guardBlocked  *prometheus.GaugeVec
	guardBlocks   *prometheus.CounterVec
	objects       *prometheus.CounterVec
	batchDuration *prometheus.HistogramVec

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec

	dependencyUp *prometheus.GaugeVec

	scheduleSkipped *prometheus.CounterVec

	state runState
}

// New makes a registry with the Go runtime's and the process's collectors
// and the agent's metrics.
func New() (*Metrics, error) {
	m := &Metrics{reg: prometheus.NewRegistry(), state: runState{failedRuns: map[string]int{}, skipped: map[string]int64{}, blocked: map[string]map[string]bool{}}}
	m.define()
	if err := m.register(); err != nil {
		return nil, err
	}
	return m, nil
}

// Registry is the registry every metric of the worker is on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// latencyBuckets span a quick GET to a slow bulk write, in seconds.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Temporal makes the Temporal SDK's metrics handler on the registry (its
// metrics are named netbox_agent_temporal_...), timers as histograms so
// that any quantile can be computed from them. The closer flushes and
// stops the scope that reports to the registry every second.
func (m *Metrics) Temporal() (client.MetricsHandler, io.Closer) {
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:              m.reg,
		Gatherer:                m.reg,
		DefaultTimerType:        tallyprom.HistogramTimerType,
		DefaultHistogramBuckets: latencyBuckets,
		// A metric the SDK defines twice with other tags is dropped rather
		// than stopping the worker.
		OnRegisterError: func(error) {},
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		Prefix:          Namespace,
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	return sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)), closer
}

func (m *Metrics) register() error {
	cs := []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.sourceDuration, m.sourceRecords, m.sourceErrors, m.sourceSuccess, m.sourceFailedRuns, m.sourceLastRun, m.sourceLastOK, m.sourceRuns,
		m.runs, m.runSuccess, m.runTime, m.runLastOK, m.runDuration, m.runObjects, m.runBatches, m.batches,
		m.orphaned, m.guardBlocked, m.guardBlocks, m.objects, m.batchDuration,
		m.requests, m.requestDuration, m.dependencyUp, m.scheduleSkipped,
	}
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return fmt.Errorf("register metrics: %w", err)
		}
	}
	return nil
}
