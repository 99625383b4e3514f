package truenas

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
)

// syntheticInterfaces is an interface.query answer with n 10 GbE NICs,
// each with an IPv4 and an IPv6 address.
func syntheticInterfaces(b *testing.B, n int) string {
	b.Helper()
	list := make([]map[string]any, 0, n)
	for i := range n {
		name := fmt.Sprintf("enp%ds0", i)
		list = append(list, map[string]any{
			"id": name, "name": name, "fake": false, "type": "PHYSICAL",
			"state": map[string]any{
				"name": name, "mtu": 9000, "flags": []string{"UP", "RUNNING"}, "link_state": "LINK_STATE_UP",
				"active_media_subtype": "10000Mb/s Fibre", "supported_media": []string{"10000baseSR/Full"},
				"link_address": fmt.Sprintf("b4:96:91:%02x:%02x:01", i/256, i%256), "hardware_link_address": fmt.Sprintf("b4:96:91:%02x:%02x:01", i/256, i%256),
				"aliases": []map[string]any{
					{"type": "INET", "address": fmt.Sprintf("10.%d.%d.5", i/256, i%256), "netmask": 24},
					{"type": "INET6", "address": fmt.Sprintf("2001:db8:%x::5", i), "netmask": 64},
				},
			},
			"aliases":   []map[string]any{{"type": "INET", "address": fmt.Sprintf("10.%d.%d.5", i/256, i%256), "netmask": 24}},
			"ipv4_dhcp": false, "ipv6_auto": true, "description": "", "mtu": 9000,
		})
	}
	raw, err := json.Marshal(list)
	require.NoError(b, err)
	return string(raw)
}

// BenchmarkDiscover measures a whole discovery against the fake over TLS
// on loopback: connection, login, ten calls and the mapping, over each
// protocol; "core13 auto" includes the 404 at /api/current before the
// legacy API.
func BenchmarkDiscover(b *testing.B) {
	cases := []struct {
		name, fixture, settings string
		interfaces              int
	}{
		{"nas1", truenastest.NAS1, "", 0},
		{"interfaces=500", truenastest.NAS1, "", 500},
		{"nas1 legacy", truenastest.NAS1, "protocol: legacy", 0},
		{"interfaces=500 legacy", truenastest.NAS1, "protocol: legacy", 500},
		{"core13 auto", truenastest.CORE13, "", 0},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			fake := truenastest.NewFake(tc.fixture)
			if tc.interfaces > 0 {
				fake.SetFault("interface.query", truenastest.Fault{Result: syntheticInterfaces(b, tc.interfaces)})
			}
			srv := truenastest.Serve(b, fake)
			src, _ := newSource(b, "nas1", srv, tc.settings)
			records := 0
			for b.Loop() {
				snap, err := src.Discover(context.Background(), nil)
				if err != nil {
					b.Fatal(err)
				}
				records = len(snap.Records)
			}
			b.ReportMetric(float64(records), "records/op")
		})
	}
}
