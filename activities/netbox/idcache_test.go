package netbox

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

func TestIDCacheKeepsPlansApart(t *testing.T) {
	var c idCache
	dev := Ref{Kind: inventory.KindDevice, Key: "filesystem/home/device/nas1"}
	c.put("plan-a", dev, 7)
	id, ok := c.get("plan-a", dev)
	assert.True(t, ok)
	assert.Equal(t, int64(7), id)
	_, ok = c.get("plan-b", dev)
	assert.False(t, ok, "another plan never sees plan-a's IDs")
	_, ok = c.get("", dev)
	assert.False(t, ok, "batches without a plan are never cached")

	c.put("plan-b", dev, 8)
	c.put("plan-c", dev, 9)
	_, ok = c.get("plan-a", dev)
	assert.False(t, ok, "only the two most recent plans are kept")
	id, _ = c.get("plan-c", dev)
	assert.Equal(t, int64(9), id)

	c.drop("plan-c", dev)
	_, ok = c.get("plan-c", dev)
	assert.False(t, ok)
}

// A batch's references to objects an earlier batch created on the same
// worker cost no lookup: the create's answer gave their IDs.
func TestApplyReusesCreatedIDs(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 3, 4)
	require.NoError(t, c.EnsureSchema(context.Background()))
	p := planRetry(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})

	sim.ResetStats()
	res := applyAll(t, c, p)
	assert.Empty(t, totals(res).Problems)
	deviceCreates := 0
	for _, b := range p.Batches {
		if b.Kind == inventory.KindDevice && b.Op == OpCreate {
			deviceCreates++
		}
	}
	require.Positive(t, deviceCreates)
	// Each device create batch looks its own keys up once (a create whose
	// answer was lost is not made twice); the interfaces, VMs and late
	// updates that point to the devices read nothing more.
	assert.Equal(t, deviceCreates, sim.Stats().Requests["GET /api/dcim/devices/"])

	// A fresh worker knows nothing and looks references up, with the same result.
	sim2, c2 := newSim(t, testConfig())
	require.NoError(t, c2.EnsureSchema(context.Background()))
	p2 := planRetry(t, c2, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	for i := range p2.Batches {
		p2.Batches[i].Plan = "" // as a batch of an older plan format: no cache
	}
	sim2.ResetStats()
	res2 := applyAll(t, c2, p2)
	assert.Empty(t, totals(res2).Problems)
	assert.Greater(t, sim2.Stats().Requests["GET /api/dcim/devices/"], deviceCreates)
	for _, k := range Kinds() {
		assert.Equal(t, count(sim, k), count(sim2, k), "%s: the same NetBox either way", k)
	}
}
