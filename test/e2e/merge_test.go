package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestTwoSourcesOneDevice: the NAS is written by hand in an inventory file
// and also found by Home Assistant. The merge joins them by serial, so
// NetBox gets one device, named and typed as the file (the first source)
// says, with the interfaces Home Assistant saw.
func TestTwoSourcesOneDevice(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nas.yaml"), []byte(`
devices:
  - name: nas01
    site: Home
    role: Storage
    manufacturer: Synology
    device_type: DS920+
    serial: 2080PDN123456
`), 0o600))
	ha, _ := hatest.NewServer(t)
	e := newEnv(t, fmt.Sprintf(`
sync:
  retry:
    initial_interval: 100ms
    maximum_attempts: 3
sources:
  - name: files
    type: filesystem
    path: %s
  - name: house
    type: homeassistant
    url: %s
    site: Home
`, dir, ha.URL), config.SecretEnv("house", "token")+"="+hatest.Token)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 2)
	require.Positive(t, res.Merged, "the two records of the NAS were merged")
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)

	nas := e.nb.list(t, "dcim/devices", "serial", "2080PDN123456")
	require.Len(t, nas, 1, "one device for the NAS, not one per source")
	dev := nas[0]
	require.Equal(t, "nas01", dev.str("name"), "the first source's name wins")
	require.Equal(t, "DS920+", dev.str("device_type.model"))
	require.Equal(t, "Server closet", dev.str("location.name"), "what only Home Assistant knew is kept")
	require.Equal(t, 2, e.nb.count(t, "dcim/mac-addresses", "device_id", idOf(dev)), "Home Assistant's NICs hang off the merged device")
	require.Equal(t, 11, e.nb.count(t, "dcim/devices"), "11 Home Assistant devices, the NAS among them")
}
