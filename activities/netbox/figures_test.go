package netbox

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestFigures measures the NetBox requests of a first sync and of an
// unchanged re-sync of a home lab of about a hundred objects, and holds
// them to their budgets.
func TestRequestFigures(t *testing.T) {
	sim, c := newSim(t, DefaultConfig())
	recs := labInventory("lab", 4, 3)
	req := PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
	ctx := context.Background()

	measure := func(step func()) (gets, writes int) {
		sim.ResetStats()
		step()
		st := sim.Stats()
		return reads(st), st.Total - reads(st)
	}
	var p *Plan
	schemaGets, schemaWrites := measure(func() { require.NoError(t, c.EnsureSchema(ctx)) })
	planGets, _ := measure(func() {
		var err error
		p, err = c.Plan(ctx, req)
		require.NoError(t, err)
	})
	applyGets, applyWrites := measure(func() { assert.Empty(t, totals(applyAll(t, c, p)).Problems) })
	t.Logf("first sync of %d objects: schema %d GET + %d writes, plan %d GET, apply %d GET + %d writes in %d batches; total %d",
		len(recs), schemaGets, schemaWrites, planGets, applyGets, applyWrites, len(p.Batches),
		schemaGets+schemaWrites+planGets+applyGets+applyWrites)

	schemaGets2, schemaWrites2 := measure(func() { require.NoError(t, c.EnsureSchema(ctx)) })
	planGets2, planWrites2 := measure(func() {
		var err error
		p, err = c.Plan(ctx, req)
		require.NoError(t, err)
	})
	t.Logf("unchanged re-sync: schema %d GET + %d writes, plan %d GET, %d operations; total %d",
		schemaGets2, schemaWrites2, planGets2, p.Operations(), schemaGets2+schemaWrites2+planGets2)
	assert.Zero(t, schemaWrites2+planWrites2)
	assert.Zero(t, p.Operations())
	assert.Equal(t, int64(planGets2), p.Requests)
	// One list per kind, and once per run the NetBox release and the
	// choices of each kind that has choice fields; nothing per object.
	assert.LessOrEqual(t, planGets2, len(Kinds())+1+kindsWithChoices())
	assert.LessOrEqual(t, schemaGets2, 2)
}
