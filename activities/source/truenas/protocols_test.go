package truenas

import (
	"context"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
	"github.com/netbox-agent/netbox-agent/test/tlstest"
)

// discover reads the fixture with the settings and fails the test on an
// error of the discovery or of the fake.
func discover(t *testing.T, fixture, settings string) *source.Snapshot {
	t.Helper()
	fake := truenastest.NewFake(fixture)
	srv := truenastest.Serve(t, fake)
	src, _ := newSource(t, "nas1", srv, settings)
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	require.NoError(t, fake.Err())
	return snap
}

func keysOf(snap *source.Snapshot) []string {
	out := make([]string, 0, len(snap.Records))
	for _, r := range snap.Records {
		out = append(out, r.Key)
	}
	sort.Strings(out)
	return out
}

// TestSameSystemOverBothProtocols: TrueNAS 25.04 serves both APIs; what
// the source reports must not depend on which one it spoke, so that a
// system whose protocol changes keeps every NetBox object.
func TestSameSystemOverBothProtocols(t *testing.T) {
	jsonrpc := discover(t, truenastest.NAS1, "protocol: jsonrpc")
	legacy := discover(t, truenastest.NAS1, "protocol: legacy")
	assert.Equal(t, jsonrpc, legacy)
	auto := discover(t, truenastest.NAS1, "")
	assert.Equal(t, jsonrpc, auto)
}

// TestUpgradeKeepsKeys: nas1 on SCALE 24.10 (legacy API only), then on
// 25.04 (JSON-RPC): the same records by key; only the platform moves.
func TestUpgradeKeepsKeys(t *testing.T) {
	before := discover(t, truenastest.SCALE2410, "")
	after := discover(t, truenastest.NAS1, "")
	require.Equal(t, keysOf(before), removeShared(keysOf(after), inventory.SharedKey(inventory.KindPlatform, "TrueNAS 25.04"), inventory.SharedKey(inventory.KindPlatform, "TrueNAS 24.10")))
	devBefore, devAfter := sourcetest.Find(before, "truenas/nas1"), sourcetest.Find(after, "truenas/nas1")
	assert.Equal(t, inventory.SharedKey(inventory.KindPlatform, "TrueNAS 24.10"), devBefore.Refs["platform"])
	assert.Equal(t, inventory.SharedKey(inventory.KindPlatform, "TrueNAS 25.04"), devAfter.Refs["platform"])
	assert.Equal(t, devBefore.Refs["primary_ip4"], devAfter.Refs["primary_ip4"])
}

// removeShared swaps the platform key of after for the one before had.
func removeShared(keys []string, drop, add string) []string {
	out := []string{add}
	for _, k := range keys {
		if k != drop {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func TestAutoFallsBackToLegacyOnce(t *testing.T) {
	fake := truenastest.NewFake(truenastest.CORE13)
	srv := truenastest.Serve(t, fake)
	src, logs := newSource(t, "core", srv, "")
	for range 2 {
		_, err := src.Discover(context.Background(), nil)
		require.NoError(t, err)
	}
	require.NoError(t, fake.Err())
	assert.Equal(t, 1, logs.FilterMessageSnippet("using the legacy WebSocket API").FilterLevelExact(zap.InfoLevel).Len(), "the fallback is logged once at info")
	assert.Equal(t, 4, fake.Connections(), "each discovery tries /api/current, then /websocket")
}

func TestCoreMapping(t *testing.T) {
	snap := discover(t, truenastest.CORE13, "")
	dev := sourcetest.Find(snap, "truenas/nas1")
	require.NotNil(t, dev)
	assert.Equal(t, "core.example.internal", dev.String("name"))
	assert.Equal(t, inventory.SharedKey(inventory.KindPlatform, "TrueNAS 13.0"), dev.Refs["platform"])
	assert.Equal(t, "scratch: 13% of 838.19 GiB used, tank: 67% of 6.99 TiB used", dev.String("pool_capacity"), "sizes from the root datasets")
	assert.Equal(t, "truenas/nas1/iface/igb0/ip/192.168.20.10%2F24", dev.Refs["primary_ip4"])

	types := map[string]string{}
	for _, r := range snap.Records {
		if r.Kind == inventory.KindInterface {
			types[r.String("name")] = r.String("type")
		}
	}
	assert.Equal(t, map[string]string{
		"igb0": "1000base-t", "igb1": "1000base-t", "ix0": "10gbase-x-sfpp", "ix1": "10gbase-x-sfpp",
		"lagg0": "lag", "vlan10": "virtual", "bridge0": "bridge",
	}, types)
	assert.Equal(t, "truenas/nas1/iface/lagg0", sourcetest.Find(snap, "truenas/nas1/iface/ix0").Refs["lag"])
	assert.Equal(t, "truenas/nas1/iface/lagg0", sourcetest.Find(snap, "truenas/nas1/iface/vlan10").Refs["parent"])
	assert.Equal(t, "truenas/nas1/iface/bridge0", sourcetest.Find(snap, "truenas/nas1/iface/igb1").Refs["bridge"])
	assert.Nil(t, sourcetest.Find(snap, "truenas/nas1/iface/ix0/mac"), "a lagg port's own MAC is not known on CORE")
	require.NotNil(t, sourcetest.Find(snap, "truenas/nas1/iface/lagg0/mac"))
	assert.Equal(t, "ac:1f:6b:44:10:a0", sourcetest.Find(snap, "truenas/nas1/iface/lagg0/mac").String("mac_address"))

	nfs := sourcetest.Find(snap, "truenas/nas1/service/nfs")
	require.NotNil(t, nfs)
	assert.Equal(t, "NFS exports: /mnt/scratch/build, /mnt/tank/media, /mnt/tank/photos", nfs.String("description"), "every path of CORE's paths lists")
	iscsi := sourcetest.Find(snap, "truenas/nas1/service/iscsi")
	require.NotNil(t, iscsi)
	assert.Equal(t, []int64{PortISCSI}, iscsi.Attrs["ports"], "CORE's iscsi.global.config has no listen_port")
	assert.Empty(t, snap.Gaps)
	assert.Empty(t, snap.Warnings)
}

// TestReadOnlyKey: a Read-only Administrator's key is refused
// interface.websocket_local_ip on 25.04 and later (24.10: an allowlist key
// without it); the discovery goes on, says so, and leaves the primary IP
// to NetBox rather than clearing it.
func TestReadOnlyKey(t *testing.T) {
	cases := []struct {
		name, fixture, settings string
	}{
		{"25.04 over JSON-RPC", truenastest.NAS1, "username: " + truenastest.ReadOnlyUsername},
		{"25.04 over the legacy API", truenastest.NAS1, "protocol: legacy"},
		{"24.10", truenastest.SCALE2410, ""},
	}
	full := discover(t, truenastest.NAS1, "")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := truenastest.NewFake(tc.fixture)
			srv := truenastest.Serve(t, fake)
			src, _ := newSourceWith(t, "nas1", srv.URL, "ca_file: "+tlstest.WriteCA(t, srv)+"\n"+tc.settings, truenastest.ReadOnlyAPIKey)
			snap, err := src.Discover(context.Background(), nil)
			require.NoError(t, err)
			require.NoError(t, fake.Err())
			require.Len(t, snap.Warnings, 1)
			assert.Contains(t, snap.Warnings[0], "interface.websocket_local_ip: TrueNAS answered error")
			assert.Contains(t, snap.Warnings[0], "Not authorized (needs FULL_ADMIN")
			assert.Contains(t, snap.Warnings[0], "NetBox keeps the device's primary IP")
			dev := sourcetest.Find(snap, "truenas/nas1")
			require.NotNil(t, dev)
			assert.NotContains(t, dev.Refs, "primary_ip4", "no primary IP is reported, so none is changed")
			assert.Empty(t, snap.Gaps, "every record was read")
			if tc.fixture == truenastest.NAS1 {
				assert.Equal(t, keysOf(full), keysOf(snap), "nothing else is missing")
			}
		})
	}
}

func TestLegacyErrors(t *testing.T) {
	cases := []struct {
		name    string
		fixture string
		key     string
		setup   func(f *truenastest.Fake)
		class   error
		message []string
	}{
		{"refused key, CORE", truenastest.CORE13, "9-WrongKeyWrongKeyWrongKey", nil, source.ErrAuth, []string{"TrueNAS refused API key 9"}},
		{"refused key, 24.10", truenastest.SCALE2410, "9-WrongKeyWrongKeyWrongKey", nil, source.ErrAuth, []string{"TrueNAS refused API key 9"}},
		{"required method missing", truenastest.SCALE2410, truenastest.APIKey, func(f *truenastest.Fake) { f.RemoveMethod("interface.query") },
			source.ErrConfig, []string{"interface.query: TrueNAS answered error [ENOMETHOD] Method 'query' not found in 'interface'", "does not have a method"}},
		{"required method refused, CORE's errno only", truenastest.CORE13, truenastest.APIKey, func(f *truenastest.Fake) {
			f.SetFault("system.info", truenastest.Fault{Errno: 13, Reason: "Not authorized"})
		}, source.ErrAuth, []string{"system.info: TrueNAS answered error [EACCES]", "READONLY_ADMIN"}},
		{"too many calls", truenastest.SCALE2410, truenastest.APIKey, func(f *truenastest.Fake) {
			f.SetFault("interface.query", truenastest.Fault{Errno: 109, Errname: "ETOOMANYREFS", Reason: "Maximum number of concurrent calls (20) has exceeded."})
		}, source.ErrUnreachable, []string{"ETOOMANYREFS"}},
		{"answer of another call", truenastest.CORE13, truenastest.APIKey, func(f *truenastest.Fake) {
			f.SetFault("system.info", truenastest.Fault{Raw: `{"msg":"result","id":"99","result":{}}`})
		}, source.ErrMalformed, []string{`answer has id "99", want "2"`}},
		{"not the legacy protocol", truenastest.CORE13, truenastest.APIKey, func(f *truenastest.Fake) {
			f.SetFault("system.info", truenastest.Fault{Raw: `{"jsonrpc":"2.0","id":2,"result":{}}`})
		}, source.ErrMalformed, []string{"answer is not the legacy protocol"}},
		{"dropped", truenastest.CORE13, truenastest.APIKey, func(f *truenastest.Fake) {
			f.SetFault("pool.query", truenastest.Fault{Drop: true})
		}, source.ErrUnreachable, []string{"pool.query"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := truenastest.NewFake(tc.fixture)
			if tc.setup != nil {
				tc.setup(fake)
			}
			srv := truenastest.Serve(t, fake)
			src, _ := newSourceWith(t, "nas1", srv.URL, "ca_file: "+tlstest.WriteCA(t, srv), tc.key)
			_, err := src.Discover(context.Background(), nil)
			sourcetest.RequireError(t, err, tc.class, tc.message...)
			assert.NotContains(t, err.Error(), tc.key)
			require.NoError(t, fake.Err())
		})
	}
}

func TestLegacyOptionalCallRefused(t *testing.T) {
	fake := truenastest.NewFake(truenastest.CORE13)
	fake.SetFault("pool.dataset.query", truenastest.Fault{Errno: 13, Reason: "Not authorized"})
	srv := truenastest.Serve(t, fake)
	src, _ := newSource(t, "nas1", srv, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"pool.dataset.query: TrueNAS answered error [EACCES] Not authorized (needs DATASET_READ); pool capacity unknown"}, snap.Warnings)
	dev := sourcetest.Find(snap, "truenas/nas1")
	assert.Equal(t, "scratch: size unknown, tank: size unknown", dev.String("pool_capacity"))
	assert.Equal(t, "scratch: ONLINE, tank: ONLINE", dev.String("pool_health"))
}

// TestAutoNeverFallsBackOnAuth: a refused key on a system with
// /api/current is an auth error, not a reason to try the legacy API.
func TestAutoNeverFallsBackOnAuth(t *testing.T) {
	fake := truenastest.NewFake(truenastest.NAS1)
	srv := truenastest.Serve(t, fake)
	src, _ := newSourceWith(t, "nas1", srv.URL, "ca_file: "+tlstest.WriteCA(t, srv), "9-WrongKeyWrongKeyWrongKey")
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrAuth, "TrueNAS refused API key 9")
	assert.Equal(t, 1, fake.Connections(), "only /api/current was asked")
	require.NoError(t, fake.Err())
}

// TestLegacyHandshakeRefused: a server that answers the legacy connect
// with "failed" is a config error naming the protocol.
func TestLegacyHandshakeRefused(t *testing.T) {
	fake := truenastest.NewFake(truenastest.CORE13)
	fake.RefuseHandshake()
	srv := truenastest.Serve(t, fake)
	src, _ := newSource(t, "nas1", srv, "protocol: legacy")
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrConfig, "legacy API handshake: TrueNAS refused protocol version 1")
}
