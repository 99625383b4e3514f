package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestInterfaceTypeFromANewerNetBox guards issue 10: an operator corrects one of the agent's
// interfaces by hand to type 10gbase-cu (added in NetBox 4.5.4, unknown to go-netbox v4.3.0's
// enums) and the worker restarts. The next sync must read that interface, not fail at
// planning, and the one after it must find nothing to do.
func TestInterfaceTypeFromANewerNetBox(t *testing.T) {
	e := newEnv(t, exampleConfig(t))
	_, first := e.sync(workflows.SyncRequest{})
	require.Empty(t, first.FailedBatches)

	gw := e.nb.list(t, "dcim/devices", "name", "gw1")
	require.Len(t, gw, 1)
	ifaces := e.nb.list(t, "dcim/interfaces", "device_id", idOf(gw[0]), "name", "eth0")
	require.Len(t, ifaces, 1)
	code, answer := e.nb.edit(t, "dcim/interfaces", ifaces[0].int("id"), map[string]any{"type": "10gbase-cu"})
	if code == http.StatusBadRequest && strings.Contains(string(answer), "10gbase-cu") {
		t.Skipf("%s does not take interface type 10gbase-cu (NetBox 4.5.4 and later do): %s", e.nb, answer)
	}
	require.Equal(t, http.StatusOK, code, "%s", answer)
	e.configure(e.configYAML)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)
	after := e.nb.list(t, "dcim/interfaces", "id", idOf(ifaces[0]))
	require.Len(t, after, 1)
	t.Logf("after the sync: %d operations (%+v), gw1 eth0 has type %s", res.Plan.Total, res.Plan.Counts, after[0].str("type.value"))

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	require.Zero(t, e.writes(), "%v", e.stats().Requests)
}
