package main

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/metrics"
)

// readyInterval is how often the worker checks Temporal and NetBox in the
// background; /readyz answers from the last check.
const readyInterval = 30 * time.Second

// health answers liveness and readiness and serves the metrics. /healthz
// is cheap; /readyz answers from the state the background check keeps, and
// tells callers only ok or unreachable: the errors go to the log.
type health struct {
	temporal client.Client
	acts     *activities.Activities
	metrics  *metrics.Metrics
	log      *zap.Logger

	mu      sync.Mutex
	checked time.Time
	checks  map[string]string
	ready   bool
}

func newHealth(c client.Client, acts *activities.Activities, m *metrics.Metrics, log *zap.Logger) *health {
	return &health{temporal: c, acts: acts, metrics: m, log: log}
}

// refresh checks the dependencies at once and then every interval until
// ctx ends.
func (h *health) refresh(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		h.check(ctx, interval)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// check reaches Temporal and NetBox once, within timeout, and keeps the outcome.
func (h *health) check(ctx context.Context, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	checks := map[string]string{}
	ready := true
	probe := func(name string, err error) {
		h.metrics.DependencyUp(name, err == nil)
		if err != nil {
			checks[name], ready = "unreachable", false
			h.log.Warn("readiness check failed", zap.String("dependency", name), zap.Error(err))
			return
		}
		checks[name] = "ok"
	}
	_, err := h.temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	probe("temporal", err)
	if h.acts.NetBox != nil {
		probe("netbox", h.acts.NetBox.Ping(ctx))
		// The main worker watches the schedules; a discovery-only worker
		// inside another network need not.
		if err := h.checkSchedules(ctx); err != nil {
			h.log.Warn("schedule check failed", zap.Error(err))
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checked, h.checks, h.ready = time.Now(), checks, ready
}

func (h *health) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", h.readyz)
	mux.Handle("GET /metrics", h.metrics.Handler())
	return mux
}

// readiness is the answer of /readyz.
type readiness struct {
	Status  string            `json:"status"`
	Checks  map[string]string `json:"checks,omitempty"`
	Checked *time.Time        `json:"checked_at,omitempty"`
	LastRun *metrics.LastRun  `json:"last_run,omitempty"`
}

func (h *health) readyz(w http.ResponseWriter, _ *http.Request) {
	h.mu.Lock()
	out := readiness{Status: "starting", Checks: h.checks}
	status := http.StatusServiceUnavailable
	if !h.checked.IsZero() {
		at := h.checked.UTC()
		out.Checked = &at
		out.Status = "not ready"
		if h.ready {
			out.Status, status = "ready", http.StatusOK
		}
	}
	h.mu.Unlock()
	if last, ok := h.metrics.LastRun(); ok {
		out.LastRun = &last
	}
	writeJSON(w, status, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to tell it
}
