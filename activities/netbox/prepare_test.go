package netbox

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// TestPlanningWritesNothing: a plan reads NetBox and writes nothing, on an
// empty NetBox (no agent tag, no custom fields) and on one the agent
// prepared; Prepare then makes what the plan needs, and the plan made
// before it applies as made.
func TestPlanningWritesNothing(t *testing.T) {
	ctx := context.Background()
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 2, 1)
	for i := range recs {
		if recs[i].Kind == inventory.KindDevice {
			recs[i].Set("tags", []string{"Rack A"})
		}
	}
	req := PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}

	sim.ResetStats()
	p, err := c.Plan(ctx, req)
	require.NoError(t, err)
	assertReadsOnly(t, sim.Stats(), "a plan against an empty NetBox")
	require.NotZero(t, p.Operations())
	assert.Equal(t, Schema{Tags: map[string]string{"rack-a": "Rack A"}}, p.Schema(), "the tag a source names, not the agent's own")

	sim.ResetStats()
	prep, err := c.Prepare(ctx, Run{}, p.Schema())
	require.NoError(t, err)
	assert.Equal(t, Prepared{SchemaCount: SchemaCount{Tags: 4, CustomFields: 5}, TagsCreated: 4, CustomFieldsCreated: 5}, prep)
	assert.Equal(t, 4, sim.Count("extras/tags"))
	assert.Equal(t, 5, sim.Count("extras/custom-fields"))

	res := totals(applyAll(t, c, p))
	assert.Empty(t, res.Problems)
	assert.Equal(t, p.Summary.Total.Create, res.Created)

	// Prepared and synced: planning again still only reads, and so does
	// preparing again.
	sim.ResetStats()
	again, err := c.Plan(ctx, req)
	require.NoError(t, err)
	assertReadsOnly(t, sim.Stats(), "a plan against a prepared NetBox")
	assert.Zero(t, again.Operations())
	prep, err = c.Prepare(ctx, Run{}, again.Schema())
	require.NoError(t, err)
	assert.Equal(t, Prepared{SchemaCount: SchemaCount{Tags: 3, CustomFields: 5}}, prep, "nothing left to make")
	assertReadsOnly(t, sim.Stats(), "planning and preparing an unchanged world")
}

func assertReadsOnly(t *testing.T, st nbsim.Stats, what string) {
	t.Helper()
	for method, n := range st.ByMethod {
		assert.Contains(t, []string{"GET", "OPTIONS"}, method, "%s sent %d %s requests", what, n, method)
	}
	assert.Positive(t, st.ByMethod["GET"], "%s reads NetBox", what)
}

// TestSchemaOfASavedPlan reads the tags of a plan as it comes back from the
// blob store, where request bodies are plain JSON.
func TestSchemaOfASavedPlan(t *testing.T) {
	p := &Plan{Batches: []Batch{{Ops: []Operation{
		{Fields: map[string]any{"tags": []any{
			map[string]any{"name": TagAgent, "slug": TagAgent},
			map[string]any{"name": "Rack A", "slug": "rack-a"},
		}}},
		{Fields: map[string]any{"name": "no tags"}},
		{Fields: map[string]any{"tags": []any{map[string]any{"name": "Backup", "slug": "backup"}, map[string]any{"name": TagOrphan, "slug": TagOrphan}}}},
	}}}}
	assert.Equal(t, Schema{Tags: map[string]string{"rack-a": "Rack A", "backup": "Backup"}}, p.Schema())
	assert.Equal(t, Schema{}, (&Plan{}).Schema())
}
