package e2e

import (
	"context"
	"fmt"
	"testing"

	gonetbox "github.com/netbox-community/go-netbox/v4"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestHomeAssistantSync reads the fake house's device registry over Home
// Assistant's WebSocket API and syncs it into the emulator: devices with
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

	ctx := context.Background()
	nb := gonetbox.NewAPIClientFor(e.nbURL, e.token)
	devices, _, err := nb.DcimAPI.DcimDevicesList(ctx).Limit(100).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(11), devices.Count, "every registry device but services and the disabled one")
	byName := map[string]gonetbox.DeviceWithConfigContext{}
	for _, d := range devices.Results {
		byName[d.GetName()] = d
		require.Equal(t, "Home", d.Site.GetName())
	}
	nas, ok := byName["nas"]
	require.True(t, ok)
	require.Equal(t, "2080PDN123456", nas.GetSerial())
	require.Equal(t, "Server closet", nas.Location.Get().GetName(), "the area became the location")

	locations, _, err := nb.DcimAPI.DcimLocationsList(ctx).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(4), locations.Count)

	macs, _, err := nb.DcimAPI.DcimMacAddressesList(ctx).DeviceId([]int32{nas.Id}).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(2), macs.Count, "the NAS's two NICs")

	e.sim.ResetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged Home Assistant re-sync writes nothing: %v", e.sim.Stats().Requests)
	require.Zero(t, again.Plan.Total)
}
