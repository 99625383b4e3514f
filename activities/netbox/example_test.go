package netbox

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/filesystem"
)

// TestExampleInventory syncs the repository's example inventory into the
// emulator and reports the requests of a first sync and of an unchanged
// re-sync.
func TestExampleInventory(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "inventory")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		files[e.Name()] = data
	}
	recs, warnings := filesystem.Read("example", "Home Lab", files)
	require.Empty(t, warnings)
	for i := range recs {
		inventory.NormalizeRecord(&recs[i])
	}
	sim, c := newSim(t, DefaultConfig())
	req := PlanRequest{Records: recs, Sources: ok("example"), Now: day0}

	p, res := syncOnce(t, c, req)
	first := sim.Stats()
	tot := totals(res)
	assert.Empty(t, tot.Problems)
	assert.Empty(t, p.Ambiguous)
	assert.Equal(t, p.Summary.Total.Create, tot.Created)
	t.Logf("first sync: %d records, %d creates, %d batches, %d requests (%d GET, %d POST, %d PATCH)",
		len(recs), tot.Created, len(p.Batches), first.Total, first.ByMethod["GET"], first.ByMethod["POST"], first.ByMethod["PATCH"])
	for _, f := range p.Findings {
		t.Logf("finding: %s %s: %s", f.Kind, f.Key, f.Reason)
	}

	sim.ResetStats()
	require.NoError(t, c.EnsureSchema(context.Background()))
	again, err := c.Plan(context.Background(), req)
	require.NoError(t, err)
	st := sim.Stats()
	assert.Zero(t, again.Operations())
	assert.Zero(t, st.Total-reads(st))
	t.Logf("unchanged re-sync: %d requests, all reads, %d operations", st.Total, again.Operations())
}
