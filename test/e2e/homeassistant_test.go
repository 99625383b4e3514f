package e2e

import (
	"fmt"
	"testing"
	"time"

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
	require.Equal(t, 7, e.nb.count(t, "dcim/locations"), "four areas that hold devices and their three floors")
	closet := e.nb.list(t, "dcim/locations", "name", "Server closet")
	require.Len(t, closet, 1)
	require.Equal(t, "Basement", closet[0].str("parent.name"), "the floor is the area's parent location")
	require.Equal(t, 2, e.nb.count(t, "dcim/mac-addresses", "device_id", idOf(nas)), "the NAS's two NICs")

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged Home Assistant re-sync writes nothing: %v", e.stats().Requests)
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
}

// TestHomeAssistantUpgradeKeepsObjects syncs the house on Home Assistant
// 2025.6, then the same house after the upgrade to 2026.9: the device
// registry split the FRITZ!Box (one device of two config entries) into
// two devices with new ids and added child devices to the Shelly relay.
// Every NetBox object stays in place with its ID; nothing is created,
// deleted or marked orphan; the Shelly lists its child devices.
func TestHomeAssistantUpgradeKeepsObjects(t *testing.T) {
	ha, fake := hatest.NewServer(t)
	e := newEnv(t, fmt.Sprintf(`
netbox:
  orphan_grace: 1s
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

	_, before := e.sync(workflows.SyncRequest{})
	require.Equal(t, activities.SourceOK, before.Sources[0].Status, before.Sources[0].Error)
	require.Empty(t, before.FailedBatches)
	ids := objectIDs(t, e.nb)
	fritz, ok := byName(e.nb.list(t, "dcim/devices"))["FRITZ!Box 7590"]
	require.True(t, ok)
	require.Equal(t, 1, e.nb.count(t, "dcim/mac-addresses", "device_id", idOf(fritz)))

	fake.SetFixture(hatest.Home2026_9)
	_, after := e.sync(workflows.SyncRequest{})
	require.Equal(t, activities.SourceOK, after.Sources[0].Status, after.Sources[0].Error)
	require.Empty(t, after.FailedBatches)
	require.Zero(t, after.Applied.Problems)
	require.Zero(t, after.Applied.Created, "%+v", after.Plan.Counts)
	require.Zero(t, after.Applied.Deleted, "%+v", after.Plan.Counts)
	require.Equal(t, ids, objectIDs(t, e.nb), "every object keeps its ID across the split")
	require.Empty(t, orphansByEndpoint(t, e.nb), "nothing is orphaned by the split")
	requireUniqueAgentIDs(t, e.nb)
	shelly := e.nb.list(t, "dcim/devices", "name", "Dishwasher plug")
	require.Len(t, shelly, 1)
	require.Equal(t, "Home Assistant child devices: Input 0, Kettle socket", shelly[0].str("comments"))

	// past the grace period nothing goes either, and the upgraded house
	// re-syncs without writes
	time.Sleep(1100 * time.Millisecond)
	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	require.Zero(t, e.writes(), "%v", e.stats().Requests)
	require.Equal(t, ids, objectIDs(t, e.nb))
}

// objectIDs lists the IDs of every object the agent syncs, by endpoint and
// display name.
func objectIDs(t *testing.T, nb *netbox) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, ep := range syncedEndpoints() {
		for _, o := range nb.list(t, ep) {
			out[ep+" "+o.str("display")+" "+o.str("device.name")] = idOf(o)
		}
	}
	return out
}
