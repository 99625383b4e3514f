package netbox

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// history is a sequence of runs that exercises creates, updates, late
// updates, orphan marks and deletes.
func history() []PlanRequest {
	recs := labInventory("lab", 4, 3)
	edited := edit(edit(recs, pve1, "description", "rack 3"), "fs/lab/vm/vm2-1", "memory", 4096)
	gone := without(edited, "fs/lab/vm/vm4-3")
	return []PlanRequest{
		{Records: recs, Sources: ok("lab"), Now: day0},
		{Records: gone, Sources: ok("lab"), Now: day0.Add(24 * time.Hour)},
		{Records: gone, Sources: ok("lab"), Now: day0.Add(40 * 24 * time.Hour)},
	}
}

// runHistory syncs every run of history and returns the final state.
func runHistory(t *testing.T, sim *nbsim.Server, c *Client) []string {
	for i, req := range history() {
		p, _ := syncOnce(t, c, req)
		require.NotZero(t, p.Operations(), "run %d", i)
	}
	return state(sim)
}

func TestFaultsEndInTheSameState(t *testing.T) {
	sim, c := newSim(t, testConfig())
	want := runHistory(t, sim, c)
	require.NotEmpty(t, want)
	calm := sim.Stats().Total

	cases := []struct {
		name   string
		faults nbsim.Faults
	}{
		{"10% 5xx", nbsim.Faults{ErrorRate: 0.1}},
		{"commit then drop the connection", nbsim.Faults{DropAfterCommitRate: 0.3, Methods: []string{"POST", "PATCH", "DELETE"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, c := newSim(t, testConfig())
			sim.SetFaults(tc.faults)
			got := runHistory(t, sim, c)
			sim.SetFaults(nbsim.Faults{})
			assert.Equal(t, want, got)
			// The faults happened: retries cost extra requests.
			assert.Greater(t, sim.Stats().Total, calm)
			t.Logf("%d requests, %d without faults", sim.Stats().Total, calm)
			// No object twice: every agent_id appears once per kind.
			for _, s := range specOrder {
				seen := map[string]bool{}
				for _, raw := range sim.Dump()[s.Endpoint] {
					o, _ := newObject(raw)
					assert.False(t, seen[o.AgentID], "%s %s twice", s.Kind, o.AgentID)
					seen[o.AgentID] = true
				}
			}
		})
	}
}

func TestDriftedObjectSkipped(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 2, 0)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})

	changed := edit(edit(recs, pve1, "description", "rack 3"), "fs/lab/device/pve2", "description", "rack 4")
	p := planRetry(t, c, PlanRequest{Records: changed, Sources: ok("lab"), Now: day0})
	require.Equal(t, 2, p.Operations())
	// Someone edits pve1 between plan and apply.
	patch(t, c, inventory.KindDevice, idOf(find(sim, inventory.KindDevice, "name", "pve1")), map[string]any{"comments": "moved"})

	res := totals(applyAll(t, c, p))
	assert.Equal(t, 1, res.Updated)
	assert.Equal(t, 1, res.Skipped)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, 1, res.Tally.Problems, "the count follows the list")
	assert.Equal(t, pve1, res.Problems[0].Key)
	assert.Contains(t, res.Problems[0].Reason, "changed in NetBox since the plan")
	assert.Equal(t, "", find(sim, inventory.KindDevice, "name", "pve1")["description"])
	assert.Equal(t, "rack 4", find(sim, inventory.KindDevice, "name", "pve2")["description"])
}

func TestBadRequestIsolatesTheBadObject(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 1, 0)
	dev := pve1
	for i := 3; i <= 8; i++ {
		mtu := 1500
		if i == 5 {
			mtu = 99999 // beyond NetBox's 65536
		}
		recs = append(recs, rec(inventory.KindInterface, fmt.Sprintf("%s/iface/eth%d", dev, i), "lab",
			map[string]any{"name": fmt.Sprintf("eth%d", i), "type": "1000base-t", "mtu": mtu}, map[string]string{"device": dev}))
	}
	p, results := syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	res := totals(results)
	require.Len(t, res.Problems, 1)
	pr := res.Problems[0]
	assert.Equal(t, dev+"/iface/eth5", pr.Key)
	assert.Equal(t, "refused by NetBox", pr.Reason)
	require.NotEmpty(t, pr.Messages)
	assert.True(t, strings.HasPrefix(pr.Messages[0], "mtu: "), pr.Messages[0])
	assert.Equal(t, 1, res.Failed)
	assert.Equal(t, 7, count(sim, inventory.KindInterface), "the others are written")
	assert.Equal(t, p.Summary.Total.Create-1, res.Created)
}

func TestBatchDependingOnFailedBatchSkipped(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 1, 0)
	require.NoError(t, c.EnsureSchema(context.Background()))
	p, err := c.Plan(context.Background(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	require.NoError(t, err)
	var devBatch *Batch
	for i := range p.Batches {
		if p.Batches[i].Kind == inventory.KindDevice && p.Batches[i].Op == OpCreate {
			devBatch = &p.Batches[i]
		}
	}
	require.NotNil(t, devBatch)
	require.NotEmpty(t, devBatch.DependsOn)
	res, err := c.ApplyBatch(context.Background(), p, devBatch.ID, []int{devBatch.DependsOn[0]})
	require.NoError(t, err)
	assert.Equal(t, len(devBatch.Ops), res.Skipped)
	assert.Equal(t, fmt.Sprintf("depends on batch %d, which failed", devBatch.DependsOn[0]), res.SkippedReason)
	assert.Zero(t, count(sim, inventory.KindDevice))
}

func TestMatchBySerialAndAmbiguity(t *testing.T) {
	cfg := testConfig()
	cfg.Adopt = AdoptAuto // the device matched by serial is taken over and renamed
	sim, c := newSim(t, cfg)
	require.NoError(t, c.EnsureSchema(context.Background()))
	recs := labInventory("lab", 2, 0)
	// The shared records and nothing else first, so that hand-made devices can point to them.
	var shared []inventory.Record
	for _, r := range recs {
		if r.Kind.Shared() {
			shared = append(shared, r)
		}
	}
	syncOnce(t, c, PlanRequest{Records: shared, Sources: ok("lab"), Now: day0})
	site := idOf(find(sim, inventory.KindSite, "name", "Home Lab"))
	dt := idOf(find(sim, inventory.KindDeviceType, "model", "PowerEdge R640"))
	role := idOf(find(sim, inventory.KindDeviceRole, "name", "Hypervisor"))
	base := map[string]any{"site": site, "device_type": dt, "role": role}
	mk := func(name, serial string) map[string]any {
		b := map[string]any{"name": name, "serial": serial}
		for k, v := range base {
			b[k] = v
		}
		return handMake(t, c, inventory.KindDevice, b)
	}
	renamed := mk("old-pve1", "SN0001") // pve1 by serial
	mk("twin-a", "SN0002")              // pve2's serial, twice
	mk("twin-b", "SN0002")

	p, res := syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	assert.Empty(t, totals(res).Problems)
	got := find(sim, inventory.KindDevice, "serial", "SN0001")
	assert.Equal(t, idOf(renamed), idOf(got))
	assert.Equal(t, "pve1", got["name"], "adopted and renamed")
	require.Len(t, p.Ambiguous, 1)
	assert.Equal(t, "fs/lab/device/pve2", p.Ambiguous[0].Key)
	assert.Equal(t, "2 objects match by serial", p.Ambiguous[0].Reason)
	assert.Len(t, p.Ambiguous[0].Candidates, 2)
	assert.Equal(t, 3, count(sim, inventory.KindDevice), "nothing guessed, nothing created for pve2")
	var skipped []string
	for _, f := range p.Findings {
		if strings.HasPrefix(f.Key, "fs/lab/device/pve2/") {
			skipped = append(skipped, f.Key)
		}
	}
	assert.Equal(t, []string{"fs/lab/device/pve2/iface/eno1", "fs/lab/device/pve2/iface/eno2"}, skipped[:2])
}

func TestMatchByMAC(t *testing.T) {
	cfg := testConfig()
	cfg.Adopt = AdoptAuto // the objects matched by MAC are taken over
	sim, c := newSim(t, cfg)
	require.NoError(t, c.EnsureSchema(context.Background()))
	recs := labInventory("lab", 1, 0)
	var shared []inventory.Record
	for _, r := range recs {
		if r.Kind.Shared() {
			shared = append(shared, r)
		}
	}
	syncOnce(t, c, PlanRequest{Records: shared, Sources: ok("lab"), Now: day0})
	// By hand: a device under another name and without serial, whose
	// interface "uplink" carries eno1's MAC.
	dev := handMake(t, c, inventory.KindDevice, map[string]any{"name": "rack1-u7",
		"site":        idOf(find(sim, inventory.KindSite, "name", "Home Lab")),
		"device_type": idOf(find(sim, inventory.KindDeviceType, "model", "PowerEdge R640")),
		"role":        idOf(find(sim, inventory.KindDeviceRole, "name", "Hypervisor"))})
	ifc := handMake(t, c, inventory.KindInterface, map[string]any{"device": idOf(dev), "name": "uplink", "type": "1000base-t"})
	var mac string
	for _, r := range recs {
		if r.Key == pve1+"/iface/eno1/mac" {
			mac = r.String("mac_address")
		}
	}
	handMake(t, c, inventory.KindMACAddress, map[string]any{"mac_address": strings.ToUpper(mac),
		"assigned_object_type": "dcim.interface", "assigned_object_id": idOf(ifc)})

	p, res := syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	assert.Empty(t, totals(res).Problems)
	reasons := map[string]string{}
	for _, b := range p.Batches {
		for _, op := range b.Ops {
			if b.Phase == PhaseMain {
				reasons[op.Key] = op.Reason
			}
		}
	}
	assert.Contains(t, reasons[pve1], "adopt (matched by MAC)")
	assert.Contains(t, reasons[pve1+"/iface/eno1"], "adopt (matched by MAC)")
	assert.Contains(t, reasons[pve1+"/iface/eno1/mac"], "adopt (matched by natural key mac_address+assigned_object_id)")
	assert.Equal(t, 1, count(sim, inventory.KindDevice))
	assert.Equal(t, 2, count(sim, inventory.KindInterface), "uplink became eno1, eno2 is new")
	assert.Equal(t, 2, count(sim, inventory.KindMACAddress))
	assert.Equal(t, "eno1", find(sim, inventory.KindInterface, "id", idOf(ifc))["name"])
	assert.Equal(t, "pve1", find(sim, inventory.KindDevice, "id", idOf(dev))["name"])
}
