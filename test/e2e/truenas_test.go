package e2e

import (
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
	caFile := filepath.Join(t.TempDir(), "nas-ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: nas.Certificate().Raw}), 0o600))
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
