package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/metrics"
)

// TestTwoWorkersCountOneSourcesFailures: two workers sharing a blob store
// count a source's failures in a row together, whichever records the run;
// a retried record counts its run once, and a success starts over.
func TestTwoWorkersCountOneSourcesFailures(t *testing.T) {
	ctx := context.Background()
	store, err := blob.Open(ctx, "mem://", "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	worker := func() *Activities {
		m, err := metrics.New()
		require.NoError(t, err)
		return &Activities{Blob: store, Metrics: m, Log: zap.NewNop(), Settings: Settings{ApplyLock: "netbox-1"}}
	}
	w1, w2 := worker(), worker()
	at := func(min int) time.Time { return time.Date(2026, 12, 1, 10, min, 0, 0, time.UTC) }
	record := func(a *Activities, run string, min int, pveOK bool) []metrics.SourceRun {
		t.Helper()
		runs := []metrics.SourceRun{{Name: "pve", OK: pveOK}, {Name: "files", OK: true}}
		require.NoError(t, a.countSourceRuns(ctx, run, at(min), runs))
		return runs
	}
	failed := func(runs []metrics.SourceRun) int {
		t.Helper()
		require.NotNil(t, runs[0].FailedRuns)
		return *runs[0].FailedRuns
	}

	record(w1, "run-1", 0, true)
	assert.Equal(t, 1, failed(record(w1, "run-2", 10, false)))
	assert.Equal(t, 2, failed(record(w2, "run-3", 20, false)))
	assert.Equal(t, 2, failed(record(w2, "run-3", 20, false)), "a retried record of run-3")
	runs := record(w1, "run-4", 30, false)
	assert.Equal(t, 3, failed(runs))
	assert.Equal(t, at(0), runs[0].LastSuccess, "pve's last success, from run-1 on w1")
	assert.Equal(t, 0, *runs[1].FailedRuns)
	assert.Equal(t, at(30), runs[1].LastSuccess)

	runs = record(w2, "run-5", 40, true)
	assert.Equal(t, 0, failed(runs))
	assert.Equal(t, at(40), runs[0].LastSuccess)

	// Another NetBox (another apply lock) counts apart.
	other := worker()
	other.Settings.ApplyLock = "netbox-2"
	assert.Equal(t, 1, failed(record(other, "run-6", 50, false)))
}

// TestRecordRunSetsTheStoredCount: the worker that records a run reports
// the count kept in the store, not the runs it saw itself, and the time of
// the source's run beside it, for the alert to pick the latest worker.
func TestRecordRunSetsTheStoredCount(t *testing.T) {
	ctx := context.Background()
	store, err := blob.Open(ctx, "mem://", "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	_, err = store.PutJSON(ctx, SourceRunsRef(""), sourceRunsDoc{Sources: map[string]sourceRunState{
		"pve": {FailedRuns: 4, LastRun: "earlier", LastSuccess: time.Unix(1000, 0).UTC()},
	}})
	require.NoError(t, err)
	m, err := metrics.New()
	require.NoError(t, err)
	a := &Activities{Blob: store, Metrics: m, Log: zap.NewNop()}
	ae := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	ae.RegisterActivity(a)
	end := time.Unix(5000, 0).UTC()
	_, err = ae.ExecuteActivity(a.RecordRun, RecordRunInput{
		Started: end.Add(-time.Minute), Ended: end,
		Sources: []SourceResult{{Name: "pve", Status: SourceFailed}},
	})
	require.NoError(t, err)

	assert.Equal(t, 5.0, gathered(t, m, "netbox_agent_source_consecutive_failed_runs", "pve"))
	assert.Equal(t, 1000.0, gathered(t, m, "netbox_agent_source_last_success_timestamp_seconds", "pve"))
	assert.Equal(t, 5000.0, gathered(t, m, "netbox_agent_source_last_run_timestamp_seconds", "pve"))
}

// TestRecordRunWithoutTheStoreCountsAlone: a store that cannot be read
// leaves the worker's own count, and the run is still recorded.
func TestRecordRunWithoutTheStoreCountsAlone(t *testing.T) {
	ctx := context.Background()
	store, err := blob.Open(ctx, "mem://", "")
	require.NoError(t, err)
	_, err = store.PutJSON(ctx, SourceRunsRef(""), "not a document of counts")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	m, err := metrics.New()
	require.NoError(t, err)
	a := &Activities{Blob: store, Metrics: m, Log: zap.NewNop()}
	ae := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	ae.RegisterActivity(a)
	for range 2 {
		_, err = ae.ExecuteActivity(a.RecordRun, RecordRunInput{
			Ended: time.Unix(5000, 0).UTC(), Sources: []SourceResult{{Name: "pve", Status: SourceFailed}},
		})
		require.NoError(t, err)
	}
	assert.Equal(t, 2.0, gathered(t, m, "netbox_agent_source_consecutive_failed_runs", "pve"))
}

// gathered reads the value of a per-source gauge from m's registry.
func gathered(t *testing.T, m *metrics.Metrics, name, source string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "source" && l.GetValue() == source {
					return s.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{source=%q} in the registry", name, source)
	return 0
}
