package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	gonetbox "github.com/netbox-community/go-netbox/v4"
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

	ctx := context.Background()
	nb := gonetbox.NewAPIClientFor(e.nbURL, e.token)
	nas, _, err := nb.DcimAPI.DcimDevicesList(ctx).Serial([]string{"2080PDN123456"}).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(1), nas.Count, "one device for the NAS, not one per source")
	dev := nas.Results[0]
	require.Equal(t, "nas01", dev.GetName(), "the first source's name wins")
	require.Equal(t, "DS920+", dev.DeviceType.GetModel())
	require.Equal(t, "Server closet", dev.Location.Get().GetName(), "what only Home Assistant knew is kept")
	macs, _, err := nb.DcimAPI.DcimMacAddressesList(ctx).DeviceId([]int32{dev.Id}).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(2), macs.Count, "Home Assistant's NICs hang off the merged device")

	all, _, err := nb.DcimAPI.DcimDevicesList(ctx).Limit(100).Execute()
	require.NoError(t, err)
	require.Equal(t, int32(11), all.Count, "11 Home Assistant devices, the NAS among them")
}
