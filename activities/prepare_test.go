package activities

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// TestPlanningWritesNothing holds the plan steps to reads, counted by the
// NetBox emulator: Plan and DescribePlan against an empty NetBox (no agent
// tag, no custom field) and against a prepared one. Prepare is the step
// that writes, and the plan made before it applies as made.
func TestPlanningWritesNothing(t *testing.T) {
	sim := nbsim.New(nbsim.Options{Token: simToken})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	a := planActivities(t, srv.URL, choiceSource{value: "1000base-t"})
	var env testsuite.WorkflowTestSuite
	ae := env.NewTestActivityEnvironment()
	ae.RegisterActivity(a)

	plan := func(what string) PlanResult {
		t.Helper()
		sim.ResetStats()
		val, err := ae.ExecuteActivity(a.Plan, planInput())
		require.NoError(t, err)
		var res PlanResult
		require.NoError(t, val.Get(&res))
		requireReadsOnly(t, sim.Stats(), what)
		return res
	}
	res := plan("a plan against an empty NetBox")
	require.Equal(t, 1, res.Summary.Total)
	assert.Equal(t, netbox.SchemaCount{Tags: 3, CustomFields: 5}, res.Schema)
	assert.Zero(t, sim.Count("extras/tags"))
	assert.Zero(t, sim.Count("extras/custom-fields"))

	sim.ResetStats()
	val, err := ae.ExecuteActivity(a.DescribePlan, DescribePlanInput{Ref: res.Ref, Run: "wf/run-1"})
	require.NoError(t, err)
	var described PlanResult
	require.NoError(t, val.Get(&described))
	requireReadsOnly(t, sim.Stats(), "describing a saved plan")
	assert.Equal(t, res.Stages, described.Stages)
	assert.Equal(t, res.Schema, described.Schema)

	sim.ResetStats()
	val, err = ae.ExecuteActivity(a.Prepare, PrepareInput{PlanRef: res.Ref, Run: "wf/run-1", NetBoxVersion: res.NetBoxVersion})
	require.NoError(t, err)
	var prepared netbox.Prepared
	require.NoError(t, val.Get(&prepared))
	assert.Equal(t, netbox.Prepared{SchemaCount: res.Schema, TagsCreated: 3, CustomFieldsCreated: 5}, prepared)
	assert.Equal(t, 2, sim.Stats().ByMethod["POST"], "the tags in one request, the custom fields in another")

	sim.ResetStats()
	val, err = ae.ExecuteActivity(a.Apply, ApplyInput{PlanRef: res.Ref, Batch: 0, Run: "wf/run-1", NetBoxVersion: res.NetBoxVersion})
	require.NoError(t, err)
	var applied netbox.BatchResult
	require.NoError(t, val.Get(&applied))
	assert.Equal(t, 1, applied.Created, "the plan made before Prepare applies as made")
	// A batch never makes or changes tags or custom fields: batches in
	// parallel cannot race to create them.
	for req, n := range sim.Stats().Requests {
		method, path, _ := strings.Cut(req, " ")
		if method != "GET" && method != "OPTIONS" {
			assert.NotContains(t, path, "extras/tags", "the batch sent %d %s", n, req)
			assert.NotContains(t, path, "extras/custom-fields", "the batch sent %d %s", n, req)
		}
	}
	assert.Positive(t, sim.Stats().ByMethod["POST"], "the batch wrote its object")

	again := plan("a plan against a prepared NetBox")
	assert.Zero(t, again.Summary.Total)
}

func requireReadsOnly(t *testing.T, st nbsim.Stats, what string) {
	t.Helper()
	require.Positive(t, st.ByMethod["GET"], "%s reads NetBox", what)
	for method, n := range st.ByMethod {
		require.Contains(t, []string{"GET", "OPTIONS"}, method, "%s sent %d %s requests", what, n, method)
	}
}
