package e2e

import (
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/metrics"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// metricValue is the value of the series name{labels} on m's registry,
// and whether it is there.
func metricValue(t *testing.T, m *metrics.Metrics, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	fams, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range s.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue series
				}
			}
			return value(s), true
		}
	}
	return 0, false
}

func value(s *dto.Metric) float64 {
	switch {
	case s.Gauge != nil:
		return s.Gauge.GetValue()
	case s.Counter != nil:
		return s.Counter.GetValue()
	}
	return 0
}

// TestRunMovesTheSyncSeries: a run on the dev server ends with its
// record-run step, which makes the netbox_agent_sync_* series appear with
// what the run did, and counts each source once, with /readyz's last run.
func TestRunMovesTheSyncSeries(t *testing.T) {
	m, err := metrics.New()
	require.NoError(t, err)
	e := newEnv(t, exampleConfig(t))
	e.metrics = m
	e.configure(e.configYAML, e.extraEnv...)

	_, ok := metricValue(t, m, "netbox_agent_sync_runs_total", nil)
	require.False(t, ok, "no run has ended yet")
	_, res := e.sync(workflows.SyncRequest{})
	require.Positive(t, res.Applied.Created)

	must := func(name string, labels map[string]string) float64 {
		t.Helper()
		v, ok := metricValue(t, m, name, labels)
		require.True(t, ok, "%s%v is missing", name, labels)
		return v
	}
	require.InDelta(t, 1, must("netbox_agent_sync_runs_total", map[string]string{"outcome": metrics.OutcomeSucceeded}), 0)
	require.InDelta(t, 1, must("netbox_agent_sync_last_run_success", nil), 0)
	require.Positive(t, must("netbox_agent_sync_last_success_timestamp_seconds", nil))
	require.InDelta(t, float64(res.Applied.Created), must("netbox_agent_sync_last_run_objects", map[string]string{"op": "created"}), 0)
	require.InDelta(t, float64(res.Applied.BatchesDone), must("netbox_agent_sync_last_run_batches", map[string]string{"outcome": metrics.BatchesDone}), 0)
	require.InDelta(t, 1, must("netbox_agent_source_runs_total", map[string]string{"source": "lab-files", "status": "ok"}), 0,
		"the source counts once per run")
	require.InDelta(t, 1, must("netbox_agent_source_last_run_success", map[string]string{"source": "lab-files"}), 0)
	require.InDelta(t, 0, must("netbox_agent_source_consecutive_failed_runs", map[string]string{"source": "lab-files"}), 0)
	require.Positive(t, must("netbox_agent_source_last_run_timestamp_seconds", map[string]string{"source": "lab-files"}))
	last, ok := m.LastRun()
	require.True(t, ok, "/readyz shows the last run")
	require.False(t, last.Failed)

	// A dry run counts as one, and leaves the last success alone.
	okAt := must("netbox_agent_sync_last_success_timestamp_seconds", nil)
	e.sync(workflows.SyncRequest{DryRun: true})
	require.InDelta(t, 1, must("netbox_agent_sync_runs_total", map[string]string{"outcome": metrics.OutcomeDryRun}), 0)
	require.InDelta(t, okAt, must("netbox_agent_sync_last_success_timestamp_seconds", nil), 0)
	require.InDelta(t, 2, must("netbox_agent_source_runs_total", map[string]string{"source": "lab-files", "status": "ok"}), 0)
}
