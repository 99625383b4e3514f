package activities

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/scanner"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// TestScannerMissedRunsSurviveRestarts: the count of runs an address has
// been silent in lives in the blob store, not in the worker. Every run
// here is discovered by a new worker (new Activities, new scanner), and
// the silent address is still a gap until missed_runs, then gone; a retry
// of a run's discovery does not count the run twice.
func TestScannerMissedRunsSurviveRestarts(t *testing.T) {
	ctx := context.Background()
	store, err := blob.Open(ctx, "mem://", "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	table := filepath.Join(t.TempDir(), "arp")
	header := "IP address HW type Flags HW address Mask Device\n"
	// Only the neighbour table finds hosts: nothing is sent.
	settings := fmt.Sprintf("cidrs: [127.77.3.0/29]\nmethods: [neighbours]\nneighbour_table: %s\nmissed_runs: 3\n", table)

	discover := func(run string) (DiscoverResult, []inventory.Gap) {
		t.Helper()
		src, _ := sourcetest.New(t, scanner.SourceType, "lan", settings, "", "")
		a := &Activities{Blob: store, Log: zap.NewNop(), Settings: Settings{ApplyLock: "nb1"},
			Sources: []SourceInstance{{Name: "lan", Type: scanner.SourceType, Source: src}}}
		var env testsuite.WorkflowTestSuite
		ae := env.NewTestActivityEnvironment()
		ae.RegisterActivity(a)
		val, err := ae.ExecuteActivity(a.Discover, DiscoverInput{Run: run, Source: "lan"})
		require.NoError(t, err)
		var d DiscoverResult
		require.NoError(t, val.Get(&d))
		var gaps []inventory.Gap
		if d.GapsRef != "" {
			require.NoError(t, store.GetJSON(ctx, d.GapsRef, &gaps))
		}
		return d, gaps
	}
	silent := func(gaps []inventory.Gap, missed int) {
		t.Helper()
		require.Len(t, gaps, 1)
		assert.Equal(t, "scanner/lan/ip/127.77.3.5", gaps[0].Under)
		assert.Contains(t, gaps[0].Why, fmt.Sprintf("did not answer in the last %d of up to 3 runs", missed))
	}

	require.NoError(t, os.WriteFile(table, []byte(header+"127.77.3.5 0x1 0x2 52:54:00:aa:03:05 * lo\n"), 0o600))
	d, gaps := discover("wf/run-1")
	assert.Equal(t, 1, d.ByKind[string(inventory.KindIPAddress)])
	assert.Empty(t, gaps)

	require.NoError(t, os.WriteFile(table, []byte(header), 0o600))
	d, gaps = discover("wf/run-2")
	assert.Zero(t, d.ByKind[string(inventory.KindIPAddress)])
	silent(gaps, 1)
	_, gaps = discover("wf/run-2")
	silent(gaps, 1) // a retry of run 2 starts from what run 1 left
	_, gaps = discover("wf/run-3")
	silent(gaps, 2)
	_, gaps = discover("wf/run-4")
	assert.Empty(t, gaps, "silent for missed_runs runs: reported gone")

	var doc sourceState
	require.NoError(t, store.GetJSON(ctx, SourceStateRef("nb1", "lan"), &doc))
	assert.Equal(t, "wf/run-4", doc.Run)
	assert.JSONEq(t, `{"misses":{}}`, string(doc.State))
}

func TestSourceStateRef(t *testing.T) {
	assert.Equal(t, "state/sources/default/lan.json", SourceStateRef("", "lan"))
	assert.Equal(t, "state/sources/nb1/lan.json", SourceStateRef("nb1", "lan"))
}
