package e2e

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestHomeAssistantSync reads the fake house's device registry over Home
// Assistant's WebSocket API and syncs it into NetBox: devices with
// their types, locations from areas, and MACs from connections.
func TestHomeAssistantSync(t *testing.T) {
	ha, _ := hatest.NewServer(t)
	e := newEnv(t, fmt.Sprintf(`
sync:
  retry:
    initial_interval: 100ms
    maximum_attempts: 3
sources:
  - name: house
    type: homeassistant
    url: %s
    site: Home
`, ha.URL), config.SecretEnv("house", "token")+"="+hatest.Token)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)

	devices := e.nb.list(t, "dcim/devices")
	require.Len(t, devices, 11, "every registry device but services and the disabled one")
	for _, d := range devices {
		require.Equal(t, "Home", d.str("site.name"))
	}
	nas, ok := byName(devices)["nas"]
	require.True(t, ok)
	require.Equal(t, "2080PDN123456", nas.str("serial"))
	require.Equal(t, "Server closet", nas.str("location.name"), "the area became the location")
	require.Equal(t, 4, e.nb.count(t, "dcim/locations"))
	require.Equal(t, 2, e.nb.count(t, "dcim/mac-addresses", "device_id", idOf(nas)), "the NAS's two NICs")

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged Home Assistant re-sync writes nothing: %v", e.stats().Requests)
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
}
