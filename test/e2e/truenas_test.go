package e2e

import (
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestTrueNASSync reads the fake nas1 over TrueNAS's JSON-RPC WebSocket
// (TLS, verified against its CA) and syncs it into NetBox, with pool
// health mapped to a custom field the agent creates.
func TestTrueNASSync(t *testing.T) {
	nas := truenastest.NewServer(t)
	caFile := writeNASCA(t, nas)
	e := newEnv(t, fmt.Sprintf(`
netbox:
  custom_fields:
    - attr: pool_health
      kinds: [device]
sync:
  retry:
    initial_interval: 100ms
    maximum_attempts: 3
sources:
  - name: nas1
    type: truenas
    url: %s
    ca_file: %s
    site: Home Lab
`, nas.URL, caFile), config.SecretEnv("nas1", "api_key")+"="+truenastest.APIKey)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)

	devices := e.nb.list(t, "dcim/devices", "name", "nas1")
	require.Len(t, devices, 1)
	dev := devices[0]
	require.Equal(t, "S421337X5A12345", dev.str("serial"))
	require.Equal(t, "Storage", dev.str("role.name"))
	require.Contains(t, dev.str("custom_fields.pool_health"), "DEGRADED", "pool health reached its custom field")
	require.Equal(t, 8, e.nb.count(t, "dcim/interfaces", "device_id", idOf(dev)))
	require.Equal(t, 3, e.nb.count(t, "ipam/services"))

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged TrueNAS re-sync writes nothing: %v", e.stats().Requests)
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
}

// writeNASCA writes the fake system's certificate as a CA file.
func writeNASCA(t *testing.T, nas *httptest.Server) string {
	t.Helper()
	caFile := filepath.Join(t.TempDir(), "nas-ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: nas.Certificate().Raw}), 0o600))
	return caFile
}

// nasConfig is the config of one TrueNAS source nas1 at url; extra are
// more settings of the source, indented as they are.
func nasConfig(url, caFile, extra string) string {
	return fmt.Sprintf(`
sync:
  retry:
    initial_interval: 100ms
    maximum_attempts: 3
sources:
  - name: nas1
    type: truenas
    url: %s
    ca_file: %s
    site: Home Lab
%s`, url, caFile, extra)
}

// nasObjects are the IDs of the objects the agent made for nas1, by
// endpoint and name (an IP address by its address).
func nasObjects(t *testing.T, e *env) map[string]string {
	t.Helper()
	devices := e.nb.list(t, "dcim/devices", "name", "nas1")
	require.Len(t, devices, 1)
	dev := idOf(devices[0])
	out := map[string]string{"device": dev}
	for _, o := range e.nb.list(t, "dcim/interfaces", "device_id", dev) {
		out["interface "+o.str("name")] = idOf(o)
	}
	for _, o := range e.nb.list(t, "ipam/ip-addresses", "device_id", dev) {
		out["ip "+o.str("address")] = idOf(o)
	}
	for _, o := range e.nb.list(t, "dcim/mac-addresses", "device_id", dev) {
		out["mac "+o.str("mac_address")+" "+o.str("assigned_object.name")] = idOf(o)
	}
	for _, o := range e.nb.list(t, "ipam/services", "device_id", dev) {
		out["service "+o.str("name")] = idOf(o)
	}
	return out
}

// TestTrueNASUpgradeKeepsObjects syncs nas1 on SCALE 24.10, which serves
// only the legacy WebSocket API, then upgrades it to 25.04 (JSON-RPC at
// /api/current): the re-sync speaks the other protocol and leaves every
// NetBox object in place with its ID; only the platform moves.
func TestTrueNASUpgradeKeepsObjects(t *testing.T) {
	fake := truenastest.NewFake(truenastest.SCALE2410)
	nas := truenastest.Serve(t, fake)
	e := newEnv(t, nasConfig(nas.URL, writeNASCA(t, nas), ""), config.SecretEnv("nas1", "api_key")+"="+truenastest.APIKey)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Zero(t, res.Applied.Problems)
	before := nasObjects(t, e)
	require.Len(t, e.nb.list(t, "dcim/devices", "name", "nas1"), 1)
	require.Equal(t, "TrueNAS 24.10", e.nb.list(t, "dcim/devices", "name", "nas1")[0].str("platform.name"))
	require.Contains(t, before, "interface bond0")
	require.Contains(t, before, "service NFS")

	fake.Upgrade(truenastest.NAS1)
	e.resetStats()
	_, after := e.sync(workflows.SyncRequest{})
	require.Equal(t, activities.SourceOK, after.Sources[0].Status, after.Sources[0].Error)
	require.Zero(t, after.Applied.Problems)
	require.Zero(t, after.Applied.Deleted, "the protocol change deletes nothing")
	require.Equal(t, 1, after.Applied.Created, "only the platform TrueNAS 25.04 is new")
	require.Equal(t, 1, e.nb.count(t, "dcim/platforms", "name", "TrueNAS 25.04"))
	assert.Equal(t, before, nasObjects(t, e), "every object keeps its ID")
	assert.Equal(t, "TrueNAS 25.04", e.nb.list(t, "dcim/devices", "name", "nas1")[0].str("platform.name"))
	assert.Equal(t, 2, fake.Hits("system.info"), "one discovery before the upgrade, one after")
}

// TestTrueNASCore13 syncs a TrueNAS CORE 13 system over the legacy API:
// FreeBSD interfaces typed, pool sizes from the root datasets, NFS paths
// lists; an unchanged re-sync writes nothing.
func TestTrueNASCore13(t *testing.T) {
	nas := truenastest.Serve(t, truenastest.NewFake(truenastest.CORE13))
	e := newEnv(t, nasConfig(nas.URL, writeNASCA(t, nas), "")+`
netbox:
  custom_fields:
    - attr: pool_capacity
      kinds: [device]
`, config.SecretEnv("nas1", "api_key")+"="+truenastest.APIKey)

	_, res := e.sync(workflows.SyncRequest{})
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Zero(t, res.Applied.Problems)
	devices := e.nb.list(t, "dcim/devices", "name", "core.example.internal")
	require.Len(t, devices, 1)
	dev := devices[0]
	assert.Equal(t, "TrueNAS 13.0", dev.str("platform.name"))
	assert.Equal(t, "192.168.20.10/24", dev.str("primary_ip4.address"))
	assert.Contains(t, dev.str("custom_fields.pool_capacity"), "tank: 67% of 6.99 TiB used")
	ifaces := byName(e.nb.list(t, "dcim/interfaces", "device_id", idOf(dev)))
	require.Len(t, ifaces, 7)
	assert.Equal(t, "10gbase-x-sfpp", ifaces["ix0"].str("type.value"))
	assert.Equal(t, "lag", ifaces["lagg0"].str("type.value"))
	assert.Equal(t, "lagg0", ifaces["ix1"].str("lag.name"))
	assert.Equal(t, "lagg0", ifaces["vlan10"].str("parent.name"))
	assert.Equal(t, 3, e.nb.count(t, "ipam/services", "device_id", idOf(dev)))

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged TrueNAS CORE re-sync writes nothing: %v", e.stats().Requests)
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
}

// TestTrueNASReadOnlyKey: nas1 on 25.04 synced with a full admin's key,
// then with a Read-only Administrator's, which TrueNAS refuses
// interface.websocket_local_ip: the sync succeeds with a warning and
// NetBox keeps the device's primary IP and every object.
func TestTrueNASReadOnlyKey(t *testing.T) {
	nas := truenastest.NewServer(t)
	caFile := writeNASCA(t, nas)
	e := newEnv(t, nasConfig(nas.URL, caFile, ""), config.SecretEnv("nas1", "api_key")+"="+truenastest.APIKey)
	_, res := e.sync(workflows.SyncRequest{})
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	before := nasObjects(t, e)
	require.Equal(t, "192.168.10.20/24", e.nb.list(t, "dcim/devices", "name", "nas1")[0].str("primary_ip4.address"))

	e.configure(nasConfig(nas.URL, caFile, "    username: "+truenastest.ReadOnlyUsername+"\n"),
		config.SecretEnv("nas1", "api_key")+"="+truenastest.ReadOnlyAPIKey)
	e.resetStats()
	_, ro := e.sync(workflows.SyncRequest{})
	require.Equal(t, activities.SourceOK, ro.Sources[0].Status, ro.Sources[0].Error)
	assert.Equal(t, 1, ro.Sources[0].Warnings, "the refused call is a warning")
	require.Zero(t, ro.Applied.Problems)
	assert.Zero(t, e.writes(), "nothing changes: %v", e.stats().Requests)
	assert.Equal(t, before, nasObjects(t, e))
	assert.Equal(t, "192.168.10.20/24", e.nb.list(t, "dcim/devices", "name", "nas1")[0].str("primary_ip4.address"), "the primary IP stays")
}
