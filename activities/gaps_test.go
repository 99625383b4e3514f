package activities

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// gapSource reports one good device, one device without its required
// fields, and a gap of its own.
type gapSource struct{}

func (gapSource) Discover(context.Context, source.Progress) (*source.Snapshot, error) {
	good := inventory.Record{Kind: inventory.KindSite, Key: inventory.SharedKey(inventory.KindSite, "Home")}
	good.Set("name", "Home")
	good.Set("status", "active")
	bad := inventory.Record{Kind: inventory.KindDevice, Key: "fs/nas1/device/broken"}
	return &source.Snapshot{Records: []inventory.Record{good, bad}, Gaps: []inventory.Gap{
		{Under: "fs/nas1/device/pve2", Kinds: []inventory.Kind{inventory.KindInterface}, Why: "node pve2 offline"},
	}}, nil
}

// TestGapsTravelToThePlan: the gaps a source reports, and the records
// discover leaves out as not valid, go beside the snapshot, through the
// merge, to the gaps the plan reads.
func TestGapsTravelToThePlan(t *testing.T) {
	a := planActivities(t, "http://127.0.0.1:1", gapSource{})
	var env testsuite.WorkflowTestSuite
	ae := env.NewTestActivityEnvironment()
	ae.RegisterActivity(a)

	val, err := ae.ExecuteActivity(a.Discover, DiscoverInput{Run: "wf/run-1", Source: "nas1"})
	require.NoError(t, err)
	var d DiscoverResult
	require.NoError(t, val.Get(&d))
	assert.Equal(t, 1, d.Records)
	assert.Equal(t, 2, d.Gaps)
	assert.Equal(t, SnapshotGapsRef("wf/run-1", "nas1"), d.GapsRef)

	val, err = ae.ExecuteActivity(a.Merge, MergeInput{Run: "wf/run-1", Snapshots: []DiscoverResult{d}})
	require.NoError(t, err)
	var m MergeResult
	require.NoError(t, val.Get(&m))
	assert.Equal(t, 2, m.Gaps)

	gaps, err := a.loadGaps(context.Background(), m.Ref)
	require.NoError(t, err)
	require.Len(t, gaps["nas1"], 2)
	var broken *inventory.Gap
	for i, g := range gaps["nas1"] {
		if g.Under == "fs/nas1/device/broken" {
			broken = &gaps["nas1"][i]
		}
	}
	require.NotNil(t, broken, "the record left out is in a gap: %+v", gaps)
	assert.True(t, broken.Covers(inventory.KindDevice, "fs/nas1/device/broken"))
	assert.True(t, broken.Covers(inventory.KindIPAddress, "fs/nas1/device/broken/iface/eth0/ip"))
	assert.Contains(t, broken.Why, "record not valid: device fs/nas1/device/broken: missing")

	// An inventory merged before gaps were kept beside it has none.
	none, err := a.loadGaps(context.Background(), "inv.json")
	require.NoError(t, err)
	assert.Empty(t, none)
}
