package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"

	"github.com/netbox-agent/netbox-agent/activities"
)

// metrics exposes the SDK's metrics (through tally) and the process's own
// on one Prometheus registry.
type metrics struct {
	handler  client.MetricsHandler
	reporter tallyprom.Reporter
	scope    io.Closer
}

// Close flushes and stops the metrics scope.
func (m *metrics) Close() error { return m.scope.Close() }

func newMetrics() (*metrics, error) {
	reg := prom.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, err
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, err
	}
	reporter := tallyprom.NewReporter(tallyprom.Options{Registerer: reg, Gatherer: reg, OnRegisterError: func(error) {}})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		Prefix:          "netbox_agent",
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	return &metrics{handler: sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)), reporter: reporter, scope: closer}, nil
}

// health answers liveness and readiness: ready means Temporal and NetBox
// both answer.
type health struct {
	temporal client.Client
	acts     *activities.Activities
	metrics  *metrics
}

func newHealth(c client.Client, acts *activities.Activities, m *metrics) *health {
	return &health{temporal: c, acts: acts, metrics: m}
}

func (h *health) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", h.ready)
	mux.Handle("GET /metrics", h.metrics.reporter.HTTPHandler())
	return mux
}

func (h *health) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	checks := map[string]string{}
	status := http.StatusOK
	if _, err := h.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		checks["temporal"] = "unreachable: " + err.Error()
		status = http.StatusServiceUnavailable
	} else {
		checks["temporal"] = "ok"
	}
	if h.acts.NetBox != nil {
		if err := h.acts.NetBox.Ping(ctx); err != nil {
			checks["netbox"] = "unreachable: " + err.Error()
			status = http.StatusServiceUnavailable
		} else {
			checks["netbox"] = "ok"
		}
	}
	writeJSON(w, status, checks)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to tell it
}
