package e2e

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	gonetbox "github.com/netbox-community/go-netbox/v4"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestTrueNASSync reads the fake nas1 over TrueNAS's JSON-RPC WebSocket
// (TLS, verified against its CA) and syncs it into the emulator, with pool
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

	ctx := context.Background()
	nb := gonetbox.NewAPIClientFor(e.nbURL, e.token)
	devices, _, err := nb.DcimAPI.DcimDevicesList(ctx).Name([]string{"nas1"}).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(1), devices.Count)
	dev := devices.Results[0]
	require.Equal(t, "S421337X5A12345", dev.GetSerial())
	require.Equal(t, "Storage", dev.Role.GetName())
	require.Contains(t, dev.CustomFields["pool_health"], "DEGRADED", "pool health reached its custom field")

	ifaces, _, err := nb.DcimAPI.DcimInterfacesList(ctx).DeviceId([]int32{dev.Id}).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(8), ifaces.Count)

	// Services in NetBox 4.3 hang off a parent object; read them raw, since
	// go-netbox cannot decode a service's nested IP addresses.
	require.Equal(t, 3, e.sim.Count("ipam/services"))

	e.sim.ResetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged TrueNAS re-sync writes nothing: %v", e.sim.Stats().Requests)
	require.Zero(t, again.Plan.Total)
}
