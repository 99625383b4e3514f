package e2e

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestLongRunContinuesAsNew runs a sync on a dev server of its own that suggests
// continue-as-new after 100 history events, as a real one does after thousands: the run
// continues as new in the middle of its apply, carries its state across, and ends with NetBox
// as a run that did not continue leaves it. Its first run's history is the replay corpus's
// continue-as-new shape.
func TestLongRunContinuesAsNew(t *testing.T) {
	cfg := exampleConfig(t) + `
netbox:
  batch_size: 3
`
	plain := newEnv(t, cfg)
	_, res := plain.sync(workflows.SyncRequest{})
	require.Zero(t, res.Continuations)
	want := agentIDs(t, plain.nb)
	plain.stop()

	cli, err := temporalCLI()
	require.NoError(t, err)
	srv, err := startDevServer(cli, "--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=100")
	require.NoError(t, err)
	suite := devServer
	devServer = srv
	t.Cleanup(func() {
		devServer = suite
		require.NoError(t, srv.Stop())
	})

	e := newEnv(t, cfg)
	run, res := e.sync(workflows.SyncRequest{})
	require.Positive(t, res.Continuations, "the run continued as new")
	require.Empty(t, res.FailedBatches)
	require.Equal(t, res.Applied.Batches, res.Applied.BatchesDone, "every batch once, across the runs")
	recordHistory(t, run, "sync_continued_as_new")
	t.Logf("%d batches over %d continuations", res.Applied.Batches, res.Continuations)
	require.Equal(t, want, agentIDs(t, e.nb), "NetBox as after a run that did not continue as new")
}
