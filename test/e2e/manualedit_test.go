package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestManualEditsKept is issue 15's first rule end to end: an operator
// fixes gw1's description and its eth0's description in NetBox by hand.
// The next syncs keep both and name both values, whatever the sources say,
// until on_manual_edit_fields says to overwrite the device's description.
func TestManualEditsKept(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(repoPath(t, "examples/inventory"))))
	network := filepath.Join(dir, "network.yaml")
	setDescription := func(old, new string) {
		t.Helper()
		text, err := os.ReadFile(network)
		require.NoError(t, err)
		changed := strings.Replace(string(text), old, new, 1)
		require.NotEqual(t, string(text), changed, "%s is in network.yaml", old)
		require.NoError(t, os.WriteFile(network, []byte(changed), 0o600))
	}
	// gw1 gets a description in the inventory, for the agent to own.
	setDescription("    serial: F09FC2A1B2C3\n", "    serial: F09FC2A1B2C3\n    description: edge router\n")
	cfg := strings.Replace(exampleConfig(t), repoPath(t, "examples/inventory"), dir, 1)
	e := newEnv(t, cfg)
	_, first := e.sync(workflows.SyncRequest{})
	require.Empty(t, first.FailedBatches)
	require.Zero(t, first.Applied.Problems)

	gw := e.nb.list(t, "dcim/devices", "name", "gw1")
	require.Len(t, gw, 1)
	require.Equal(t, "edge router", gw[0].str("description"))
	require.NotEmpty(t, gw[0].str("custom_fields.agent_written"), "the create records what it wrote")
	eth0 := e.nb.list(t, "dcim/interfaces", "device_id", idOf(gw[0]), "name", "eth0")
	require.Len(t, eth0, 1)
	require.Equal(t, "uplink to the ISP modem", eth0[0].str("description"))

	code, body := e.nb.edit(t, "dcim/devices", gw[0].int("id"), map[string]any{"description": "rack 3, left"})
	require.Equal(t, http.StatusOK, code, "%s", body)
	code, body = e.nb.edit(t, "dcim/interfaces", eth0[0].int("id"), map[string]any{"description": "fibre to the ONT"})
	require.Equal(t, http.StatusOK, code, "%s", body)

	devKept := `description was edited in NetBox ("rack 3, left"); the sources say "edge router"; kept (on_manual_edit: keep)`
	ifKept := `description was edited in NetBox ("fibre to the ONT"); the sources say "uplink to the ISP modem"; kept (on_manual_edit: keep)`
	e.resetStats()
	_, kept := e.sync(workflows.SyncRequest{})
	require.Empty(t, kept.FailedBatches)
	assert.Zero(t, kept.Plan.Total, "%+v", kept.Plan.Counts)
	assert.Zero(t, e.writes(), "nothing written: %v", e.stats().Requests)
	t.Logf("kept: %q", kept.Plan.FieldLines)
	assert.Equal(t, 2, kept.Plan.ManualEdits)
	assert.True(t, hasLine(kept.Plan.FieldLines, "device", devKept), "%q", kept.Plan.FieldLines)
	assert.True(t, hasLine(kept.Plan.FieldLines, "interface", ifKept), "%q", kept.Plan.FieldLines)
	assert.Equal(t, "rack 3, left", e.nb.list(t, "dcim/devices", "id", idOf(gw[0]))[0].str("description"))
	assert.Equal(t, "fibre to the ONT", e.nb.list(t, "dcim/interfaces", "id", idOf(eth0[0]))[0].str("description"))

	// The sources change their mind: the operator's value still stands.
	setDescription("    description: edge router\n", "    description: core router\n")
	e.resetStats()
	_, changed := e.sync(workflows.SyncRequest{})
	require.Empty(t, changed.FailedBatches)
	assert.Zero(t, changed.Plan.Total, "%+v", changed.Plan.Counts)
	assert.Zero(t, e.writes(), "nothing written: %v", e.stats().Requests)
	assert.True(t, hasLine(changed.Plan.FieldLines, "device",
		`description was edited in NetBox ("rack 3, left"); the sources say "core router"; kept (on_manual_edit: keep)`), "%q", changed.Plan.FieldLines)
	assert.True(t, hasLine(changed.Plan.FieldLines, "interface", ifKept), "%q", changed.Plan.FieldLines)
	assert.Equal(t, "rack 3, left", e.nb.list(t, "dcim/devices", "id", idOf(gw[0]))[0].str("description"))

	// The operator lets the sources win for devices' descriptions only.
	e.configure(cfg + "netbox:\n  on_manual_edit_fields:\n    device.description: overwrite\n")
	_, over := e.sync(workflows.SyncRequest{})
	require.Empty(t, over.FailedBatches)
	require.Zero(t, over.Applied.Problems)
	assert.Equal(t, 1, over.Applied.Updated, "%+v", over.Plan.Counts)
	assert.Equal(t, 2, over.Plan.ManualEdits)
	assert.True(t, hasLine(over.Plan.FieldLines, "device",
		`description was edited in NetBox ("rack 3, left"); the sources say "core router"; overwritten (on_manual_edit: overwrite)`), "%q", over.Plan.FieldLines)
	assert.True(t, hasLine(over.Plan.FieldLines, "interface", ifKept), "%q", over.Plan.FieldLines)
	assert.Equal(t, "core router", e.nb.list(t, "dcim/devices", "id", idOf(gw[0]))[0].str("description"))
	assert.Equal(t, "fibre to the ONT", e.nb.list(t, "dcim/interfaces", "id", idOf(eth0[0]))[0].str("description"))

	// Written and recorded: the next sync has nothing to do for the device,
	// and still tells of the interface.
	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	assert.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	assert.Zero(t, e.writes(), "%v", e.stats().Requests)
	assert.Equal(t, 1, again.Plan.ManualEdits)
	assert.Equal(t, []string{again.Plan.FieldLines[0]}, again.Plan.FieldLines)
	assert.True(t, hasLine(again.Plan.FieldLines, "interface", ifKept), "%q", again.Plan.FieldLines)
}

// hasLine reports whether a field line of kind ends with reason.
func hasLine(lines []string, kind, reason string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, kind+" ") && strings.HasSuffix(l, ": "+reason) {
			return true
		}
	}
	return false
}
