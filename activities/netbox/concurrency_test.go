package netbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// TestOneVMsDisksShareABatch: NetBox sums a VM's virtual disks into the VM
// on each disk's save, reading what is committed, so two batches of one
// VM's disks applied at once leave the VM a wrong total, and NetBox then
// refuses the VM's next update. Each VM's disks go in one batch, whether
// the VM is new (a reference) or in NetBox (an ID), for creates, updates
// and deletes alike; a batch grows past the batch size rather than cut them.
func TestOneVMsDisksShareABatch(t *testing.T) {
	withDisks := func(recs []inventory.Record, names []string, size int) []inventory.Record {
		out := slices.Clone(recs)
		for _, r := range recs {
			if r.Kind != inventory.KindVirtualMachine {
				continue
			}
			for _, d := range names {
				out = append(out, rec(inventory.KindVirtualDisk, r.Key+"/disk/"+d, r.Source,
					map[string]any{"name": d, "size": size}, map[string]string{"virtual_machine": r.Key}))
			}
		}
		return out
	}
	// vmOf names the VM of each disk operation: the record key before
	// "/disk/", which is the same for a create, an update and a delete.
	vmOf := func(o Operation) string { return o.Key[:strings.Index(o.Key, "/disk/")] }
	checkBatches := func(t *testing.T, p *Plan, op Op, wantOps int) {
		t.Helper()
		batchOf, n := map[string]int{}, 0
		for _, b := range p.Batches {
			if b.Kind != inventory.KindVirtualDisk || b.Op != op {
				continue
			}
			for _, o := range b.Ops {
				n++
				if first, ok := batchOf[vmOf(o)]; ok {
					assert.Equal(t, first, b.ID, "%s %s: the disks of one VM in two batches", op, o.Key)
				}
				batchOf[vmOf(o)] = b.ID
			}
		}
		assert.Equal(t, wantOps, n, "%s operations of disks", op)
		for _, st := range p.Stages() {
			if st.Kind != inventory.KindVirtualDisk || st.Op != op {
				continue
			}
			for i := range st.Count {
				assert.Equal(t, len(p.Batches[st.First+i].Ops), st.BatchOps(i), "stage %s batch %d's size", op, i)
			}
		}
	}
	cfg := testConfig()
	cfg.BatchSize = 2
	cfg.OrphanGrace = 24 * time.Hour
	cfg.MassDeleteThreshold = 1
	_, c := newSim(t, cfg)
	ctx := context.Background()
	require.NoError(t, c.EnsureSchema(ctx))
	base := labInventory("lab", 2, 3) // six VMs, each with its scsi0

	first := withDisks(base, []string{"scsi1", "scsi2"}, 16384)
	p, err := c.Plan(ctx, PlanRequest{Records: first, Sources: ok("lab"), Now: day0})
	require.NoError(t, err)
	checkBatches(t, p, OpCreate, 18)
	res := totals(applyAll(t, c, p))
	require.Empty(t, res.Problems)

	// Every disk grows: updates of VMs NetBox holds, by ID.
	grown := withDisks(labInventory("lab", 2, 3), []string{"scsi1", "scsi2"}, 65536)
	for i := range grown {
		if grown[i].Kind == inventory.KindVirtualDisk {
			grown[i].Set("size", 65536)
		}
	}
	p, err = c.Plan(ctx, PlanRequest{Records: grown, Sources: ok("lab"), Now: day0})
	require.NoError(t, err)
	checkBatches(t, p, OpUpdate, 18)
	res = totals(applyAll(t, c, p))
	require.Empty(t, res.Problems)

	// scsi1 and scsi2 go: marked orphans (updates by ID of the NetBox
	// object), while scsi0 shrinks back (updates of records), in the same
	// stage; then, a day past the grace, the orphans are deleted (by ID).
	p, err = c.Plan(ctx, PlanRequest{Records: base, Sources: ok("lab"), Now: day0})
	require.NoError(t, err)
	for _, g := range p.Guard {
		require.False(t, g.Blocked, "the guard lets the test's orphans through: %s", g)
	}
	checkBatches(t, p, OpUpdate, 18)
	res = totals(applyAll(t, c, p))
	require.Empty(t, res.Problems)
	p, err = c.Plan(ctx, PlanRequest{Records: base, Sources: ok("lab"), Now: day0.Add(48 * time.Hour)})
	require.NoError(t, err)
	checkBatches(t, p, OpDelete, 12)
	res = totals(applyAll(t, c, p))
	require.Empty(t, res.Problems)
}
