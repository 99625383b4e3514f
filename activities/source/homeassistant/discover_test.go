package homeassistant

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

const homeSettings = `default_role: Smart Home
roles:
  hue: Lighting
  synology_dsm: Storage
  Shelly: Power
  zha: Sensor`

func TestDiscoverGolden(t *testing.T) {
	cases := []struct {
		name     string
		fixture  string
		settings string
	}{
		{name: "home", settings: homeSettings},
		// the same house on 2026.9: the FRITZ!Box split in two keeps its
		// key, the Shelly's child devices are listed on it
		{name: "home-2026.9", fixture: hatest.Home2026_9, settings: homeSettings},
		{name: "home-defaults"},
		{name: "home-disabled-no-areas", settings: "include_disabled: true\nlocation_from_area: false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, fake := hatest.NewServer(t)
			if tc.fixture != "" {
				fake.SetFixture(tc.fixture)
			}
			src, _ := newSource(t, "house", srv.URL, tc.settings)
			snap, err := src.Discover(context.Background(), &sourcetest.Progress{})
			require.NoError(t, err)
			checkStructure(t, "house", snap)
			sourcetest.Golden(t, tc.name, snap, *update)
			require.Eventually(t, func() bool { return fake.ClosedByPeer() == 1 }, timeoutForClose, pollEvery,
				"the source closes the connection when done")
			require.NoError(t, fake.Err())
		})
	}
}
