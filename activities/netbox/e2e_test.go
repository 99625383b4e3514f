package netbox

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSyncCreatesThenRerunWritesNothing(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 2, 2)
	req := PlanRequest{Records: recs, Sources: ok(recs, "lab"), Now: day0}
	p, res := syncOnce(t, c, req)
	tot := totals(res)
	assert.Empty(t, tot.Problems)
	assert.Equal(t, len(recs), p.Summary.Total.Create)
	assert.Equal(t, len(recs), tot.Created)

	again := planRetry(t, c, req)
	assert.Zero(t, again.Operations(), "re-plan of an unchanged world")
	assert.Equal(t, len(recs), again.Summary.Total.Unchanged)
	_ = sim
	require.NoError(t, context.Background().Err())
}
