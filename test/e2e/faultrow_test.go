package e2e

import (
	"context"
	"encoding/json"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	nbplan "github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/test/faults"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// faultRow makes t a row of the fault matrix: when the test ends, the fault, what it checked and
// whether it held are appended to the report faults.ReportEnv names (none: nothing is written).
func faultRow(t *testing.T, fault, checked string) {
	t.Helper()
	start := time.Now()
	t.Cleanup(func() {
		path := os.Getenv(faults.ReportEnv)
		if path == "" {
			return
		}
		outcome := faults.Held
		switch {
		case t.Failed():
			outcome = "broke: " + t.Name() + " failed (its output says how)"
		case t.Skipped():
			outcome = "skipped: " + t.Name()
		}
		row := faults.Row{Fault: fault, Checked: checked, Outcome: outcome, Test: t.Name(), Seconds: time.Since(start).Seconds()}
		if err := faults.Append(path, row); err != nil {
			t.Errorf("fault report: %s", err)
		}
	})
}

// agentIDs lists, for each synced endpoint, the agent IDs of the objects NetBox holds, sorted:
// what two runs must agree on to have left NetBox the same.
func agentIDs(t *testing.T, n *netbox) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, ep := range syncedEndpoints() {
		ids := []string{}
		for _, o := range n.list(t, ep) {
			ids = append(ids, o.str("custom_fields.agent_id"))
		}
		sort.Strings(ids)
		out[ep] = ids
	}
	return out
}

// requireAsUndisturbed checks that NetBox holds exactly the objects want lists (agentIDs of an
// undisturbed run; a create made twice shows as an ID listed twice), and that a clean re-run
// has nothing left to do.
func requireAsUndisturbed(t *testing.T, e *env, want map[string][]string) {
	t.Helper()
	got := agentIDs(t, e.nb)
	for _, ep := range syncedEndpoints() {
		require.Equal(t, len(want[ep]), len(got[ep]), "%s: objects", ep)
		require.Equal(t, want[ep], got[ep], "%s: agent IDs", ep)
	}
	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	if again.Plan.Total != 0 {
		t.Fatalf("a re-run after the fault has %d operations (%+v):\n%s", again.Plan.Total, again.Plan.Counts, planOperations(t, e, again.PlanRef))
	}
	require.Zero(t, e.writes(), "%v", e.stats().Requests)
}

// planOperations reads the plan ref names from the env's blob store and lists its operations, one
// JSON line each: what a failing check shows of a plan that should have been empty.
func planOperations(t *testing.T, e *env, ref string) string {
	t.Helper()
	ctx := context.Background()
	store, err := blob.Open(ctx, e.cfg.BlobURL, e.cfg.BaseDir())
	require.NoError(t, err)
	defer store.Close()
	var p nbplan.Plan
	require.NoError(t, store.GetJSON(ctx, ref, &p))
	var out []byte
	for _, b := range p.Batches {
		for _, op := range b.Ops {
			line, err := json.Marshal(struct {
				Kind string           `json:"kind"`
				Op   string           `json:"op"`
				Do   nbplan.Operation `json:"operation"`
			}{string(b.Kind), string(b.Op), op})
			require.NoError(t, err)
			out = append(append(out, line...), '\n')
		}
	}
	return string(out)
}
