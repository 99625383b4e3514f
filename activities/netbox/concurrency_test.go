package netbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// TestStagesApplyConcurrently applies the batches of each stage from
// several goroutines at once, as several workers would, then every stage
// again.
func TestStagesApplyConcurrently(t *testing.T) {
	cfg := testConfig()
	cfg.BatchSize = 3
	cfg.MaxInFlight = 3
	sim, c := newSim(t, cfg)
	recs := labInventory("lab", 3, 2)
	require.NoError(t, c.EnsureSchema(context.Background()))
	p, err := c.Plan(context.Background(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	require.NoError(t, err)
	apply := func(st Stage) []BatchResult {
		var wg sync.WaitGroup
		results := make([]BatchResult, st.Count)
		errs := make([]error, len(results))
		for i := range st.Count {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = c.ApplyBatch(context.Background(), p, st.First+i, nil)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			assert.NoError(t, err, "stage %s %s batch %d", st.Kind, st.Op, st.First+i)
			assert.Empty(t, results[i].Problems)
		}
		return results
	}
	for _, st := range p.Stages() {
		apply(st)
	}
	// Every stage again, as retried activities would: nothing new.
	for _, st := range p.Stages() {
		for _, r := range apply(st) {
			assert.Equal(t, r.Created, r.AlreadyDone, "stage %s %s", st.Kind, st.Op)
		}
	}
	for _, k := range Kinds() {
		n := 0
		for _, r := range recs {
			if r.Kind == k {
				n++
			}
		}
		assert.Equal(t, n, count(sim, k), "%s", k)
	}
}

// TestLooseAgentIDFilterIsNotTrusted: a person may set agent_id's filter
// logic back to loose, where cf_agent_id=a/pve1 also finds a/pve10.
func TestLooseAgentIDFilterIsNotTrusted(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 10, 0)
	ctx := context.Background()
	require.NoError(t, c.EnsureSchema(ctx))
	for _, cf := range sim.Dump()["extras/custom-fields"] {
		if cf["name"] == CFAgentID {
			_, err := c.send(ctx, http.MethodPatch, "extras/custom-fields/", []map[string]any{{"id": cf["id"], "filter_logic": "loose"}})
			require.NoError(t, err)
		}
	}
	p, err := c.Plan(ctx, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	require.NoError(t, err)
	res := totals(applyAll(t, c, p))
	assert.Empty(t, res.Problems)
	pve1Ifaces := 0
	devID := idOf(find(sim, inventory.KindDevice, "name", "pve1"))
	for _, ifc := range sim.Dump()["dcim/interfaces"] {
		if id, _ := refID(ifc["device"]); id == devID {
			pve1Ifaces++
		}
	}
	assert.Equal(t, 2, pve1Ifaces, "pve1's interfaces on pve1, not on pve10")
	again := planRetry(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	assert.Zero(t, again.Operations())
}

// TestCreateRefusedAsDuplicateOfAConcurrentAttempt: another attempt of the
// same batch creates the object between this call's look-up and its POST;
// NetBox refuses the copy (agent_id is unique), and the call counts the
// object as created instead of reporting a failure.
func TestCreateRefusedAsDuplicateOfAConcurrentAttempt(t *testing.T) {
	sim := nbsim.New(nbsim.Options{Token: simToken})
	var raced atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/dcim/sites/" && !raced.Swap(true) {
			body, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			other := httptest.NewRequest(http.MethodPost, r.URL.Path, bytes.NewReader(body))
			other.Header = r.Header.Clone()
			sim.ServeHTTP(httptest.NewRecorder(), other) // the other attempt wins
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `[{"custom_fields": ["Custom field 'agent_id' must be unique."]}]`)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.URL = srv.URL
	c, err := NewClient(cfg, simToken, nil)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, c.EnsureSchema(ctx))
	recs := []inventory.Record{rec(inventory.KindSite, inventory.SharedKey(inventory.KindSite, "Home Lab"), "lab", map[string]any{"name": "Home Lab"}, nil)}
	p, err := c.Plan(ctx, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	require.NoError(t, err)
	res, err := c.ApplyBatch(ctx, p, 0, nil)
	require.NoError(t, err)
	assert.True(t, raced.Load())
	assert.Empty(t, res.Problems)
	assert.Equal(t, 1, res.Created)
	assert.Equal(t, 1, res.AlreadyDone)
	assert.Zero(t, res.Failed)
	assert.Equal(t, 1, sim.Count("dcim/sites"))
}
