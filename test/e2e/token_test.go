package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// requireScheme checks that every request the agent made carried the Authorization scheme of
// its token.
func requireScheme(t *testing.T, e *env) {
	t.Helper()
	scheme, _, _ := strings.Cut(authorization(e.token), " ")
	s := e.stats()
	require.Positive(t, s.Total)
	require.Equal(t, s.Total, s.ByScheme[scheme], "requests by Authorization scheme: %v", s.ByScheme)
}

// TestV1TokenSync syncs the example inventory with a v1 token (40 hex digits, sent as
// "Authorization: Token"), which NetBox still takes beside v2 ones.
func TestV1TokenSync(t *testing.T) {
	e := newEnv(t, exampleConfig(t))
	e.token = e.nb.tokenV1
	e.configure(e.configYAML)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)
	require.Equal(t, res.Plan.Total, res.Applied.Created+res.Applied.Updated)
	requireScheme(t, e)
	requireExampleInventory(t, e.nb, "lab-files")

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	require.Zero(t, e.writes(), "%v", e.stats().Requests)
	requireScheme(t, e)
}
