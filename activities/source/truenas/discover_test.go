package truenas

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
)

func TestDiscoverGolden(t *testing.T) {
	cases := []struct {
		name     string
		fixture  string
		settings string
	}{
		{name: "nas1", fixture: truenastest.NAS1},
		{name: "nas1-configured", fixture: truenastest.NAS1, settings: `username: ` + truenastest.Username + `
device_role: NAS
manufacturer: Supermicro Computer Inc.
model: SuperStorage 620P
include_services: false
interface_types:
  eno2: 10gbase-t
  enp65s0f*: 10gbase-x-sfpp`},
		{name: "vm", fixture: truenastest.VM},
		{name: "core13", fixture: truenastest.CORE13},
		{name: "scale2410", fixture: truenastest.SCALE2410},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := truenastest.NewFake(tc.fixture)
			srv := truenastest.Serve(t, fake)
			src, _ := newSource(t, "nas1", srv, tc.settings)
			p := &sourcetest.Progress{}
			snap, err := src.Discover(context.Background(), p)
			require.NoError(t, err)
			require.NoError(t, fake.Err())
			sourcetest.CheckGolden(t, SourceType, "nas1", tc.name, snap, *update)
		})
	}
}

func TestDeviceFromSystemInfo(t *testing.T) {
	srv := truenastest.NewServer(t)
	src, _ := newSource(t, "nas1", srv, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)

	dev := sourcetest.Find(snap, "truenas/nas1")
	require.NotNil(t, dev)
	assert.Equal(t, "nas1", dev.String("name"))
	assert.Equal(t, "S421337X5A12345", dev.String("serial"))
	assert.Equal(t, "active", dev.String("status"))
	assert.Equal(t, inventory.SharedKey(inventory.KindDeviceRole, "Storage"), dev.Refs["role"])
	assert.Equal(t, inventory.SharedKey(inventory.KindPlatform, "TrueNAS 25.04"), dev.Refs["platform"])
	assert.Equal(t, inventory.SharedKey(inventory.KindDeviceType, "Supermicro SSG-620P-ACR12H"), dev.Refs["device_type"])
	assert.Equal(t, inventory.SharedKey(inventory.KindSite, "Home Lab"), dev.Refs["site"])
	assert.Equal(t, "truenas/nas1/iface/eno1/ip/192.168.10.20%2F24", dev.Refs["primary_ip4"], "the address the session reached")
	assert.Empty(t, dev.Refs["primary_ip6"])

	assert.Equal(t, "backup: DEGRADED (One or more devices has been taken offline by the administrator. "+
		"Sufficient replicas exist for the pool to continue functioning in a degraded state.), tank: ONLINE", dev.String("pool_health"))
	assert.Equal(t, "backup: 81% of 10.88 TiB used, tank: 44% of 29.00 TiB used", dev.String("pool_capacity"))
	assert.Equal(t, false, dev.Attrs["pools_healthy"])

	pf := sourcetest.Find(snap, inventory.SharedKey(inventory.KindPlatform, "TrueNAS 25.04"))
	require.NotNil(t, pf)
	assert.Equal(t, "TrueNAS 25.04", pf.String("name"))
}

func TestInterfaces(t *testing.T) {
	srv := truenastest.NewServer(t)
	src, _ := newSource(t, "nas1", srv, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)

	const dev = "truenas/nas1"
	cases := []struct {
		name    string
		typ     string
		enabled bool
		mtu     int64
		refs    map[string]string
		mac     string
	}{
		{name: "eno1", typ: "1000base-t", enabled: true, mtu: 1500, mac: "3c:ec:ef:12:34:56"},
		{name: "eno2", typ: DefaultPhysicalType, enabled: false, mtu: 1500, mac: "3c:ec:ef:12:34:57"},
		{name: "enp65s0f0", typ: "10gbase-x-sfpp", enabled: true, mtu: 9000, refs: map[string]string{"lag": dev + "/iface/bond0"}, mac: "b4:96:91:aa:bb:01"},
		// a bond member's own MAC, not the bond's it carries
		{name: "enp65s0f1", typ: "10gbase-x-sfpp", enabled: true, mtu: 9000, refs: map[string]string{"lag": dev + "/iface/bond0"}, mac: "b4:96:91:aa:bb:02"},
		{name: "bond0", typ: "lag", enabled: true, mtu: 9000, mac: "b4:96:91:aa:bb:01"},
		{name: "vlan20", typ: "virtual", enabled: true, mtu: 9000, refs: map[string]string{"parent": dev + "/iface/bond0"}, mac: "b4:96:91:aa:bb:01"},
		// link down: the fastest supported mode decides
		{name: "enp66s0", typ: "10gbase-t", enabled: true, mtu: 1500, refs: map[string]string{"bridge": dev + "/iface/br0"}, mac: "3c:ec:ef:12:34:58"},
		{name: "br0", typ: "bridge", enabled: true, mtu: 1500, mac: "6e:2c:91:0d:44:10"},
	}
	require.Len(t, sourcetest.RecordsOf(snap, inventory.KindInterface, ""), len(cases))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := dev + "/iface/" + tc.name
			r := sourcetest.Find(snap, key)
			require.NotNil(t, r)
			assert.Equal(t, tc.name, r.String("name"))
			assert.Equal(t, tc.typ, r.String("type"))
			assert.Equal(t, tc.enabled, r.Attrs["enabled"])
			assert.Equal(t, tc.mtu, r.Attrs["mtu"])
			want := map[string]string{"device": dev}
			for k, v := range tc.refs {
				want[k] = v
			}
			assert.Equal(t, want, r.Refs)
			mac := sourcetest.Find(snap, key+"/mac")
			require.NotNil(t, mac)
			assert.Equal(t, tc.mac, mac.String("mac_address"))
			assert.Equal(t, key, mac.Refs["interface"])
		})
	}
}

func TestAddresses(t *testing.T) {
	srv := truenastest.NewServer(t)
	src, _ := newSource(t, "nas1", srv, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)

	got := map[string]string{}
	for _, r := range sourcetest.RecordsOf(snap, inventory.KindIPAddress, "") {
		iface := strings.TrimPrefix(r.Refs["interface"], "truenas/nas1/iface/")
		got[iface+" "+r.String("address")] = r.String("status")
	}
	// no loopback or link-local addresses; what nobody configured came from
	// DHCP or autoconfiguration
	assert.Equal(t, map[string]string{
		"eno1 192.168.10.20/24":                    "active",
		"eno1 2001:db8:10::20/64":                  "active",
		"vlan20 10.20.0.5/24":                      "active",
		"br0 10.30.0.57/24":                        "dhcp",
		"br0 2001:db8:30:0:6c2c:91ff:fe0d:4410/64": "slaac",
	}, got)
}

func TestServices(t *testing.T) {
	srv := truenastest.NewServer(t)
	src, _ := newSource(t, "nas1", srv, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)

	cases := []struct {
		key, name   string
		port        int64
		description string
	}{
		{"truenas/nas1/service/nfs", "NFS", PortNFS, "NFS exports: /mnt/tank/k8s, /mnt/tank/media"},
		{"truenas/nas1/service/smb", "SMB", PortSMB, "SMB shares: office (/mnt/tank/office), timemachine (/mnt/backup/timemachine)"},
		{"truenas/nas1/service/iscsi", "iSCSI", PortISCSI, "iSCSI targets: iqn.2005-10.org.freenas.ctl:vmstore; extents: zvol/tank/iscsi/vmstore"},
	}
	require.Len(t, sourcetest.RecordsOf(snap, inventory.KindService, ""), len(cases))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := sourcetest.Find(snap, tc.key)
			require.NotNil(t, r)
			assert.Equal(t, tc.name, r.String("name"))
			assert.Equal(t, "tcp", r.String("protocol"))
			assert.Equal(t, []int64{tc.port}, r.Attrs["ports"])
			assert.Equal(t, tc.description, r.String("description"))
			assert.Equal(t, "truenas/nas1", r.Refs["parent"])
		})
	}
	assert.Empty(t, snap.Warnings)
}

func TestStoppedServiceIsAWarning(t *testing.T) {
	srv := truenastest.Serve(t, truenastest.NewFake(truenastest.VM))
	src, _ := newSource(t, "lab", srv, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindService, ""))
	assert.Equal(t, []string{"NFS has 1 export but its service is STOPPED; not reported"}, snap.Warnings)
}

func TestWithoutServices(t *testing.T) {
	fake := truenastest.NewFake(truenastest.NAS1)
	srv := truenastest.Serve(t, fake)
	src, _ := newSource(t, "nas1", srv, "include_services: false")
	p := &sourcetest.Progress{}
	snap, err := src.Discover(context.Background(), p)
	require.NoError(t, err)
	assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindService, ""))
	for _, m := range []string{"service.query", "sharing.nfs.query", "sharing.smb.query", "iscsi.global.config", "iscsi.target.query", "iscsi.extent.query"} {
		assert.Zero(t, fake.Hits(m), "%s is not called", m)
	}
	assert.Equal(t, `{"calls_done":4,"calls_total":4}`, string(p.Last()))
}

func TestVirtualMachineDefaults(t *testing.T) {
	srv := truenastest.Serve(t, truenastest.NewFake(truenastest.VM))
	src, _ := newSource(t, "lab", srv, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)

	dev := sourcetest.Find(snap, "truenas/lab")
	require.NotNil(t, dev)
	assert.Equal(t, "truenas", dev.String("name"))
	assert.NotContains(t, dev.Attrs, "serial", "no serial in DMI")
	assert.Empty(t, dev.Refs["primary_ip4"], "websocket_local_ip answered null")
	assert.Equal(t, inventory.SharedKey(inventory.KindDeviceType, "QEMU Standard PC (Q35 + ICH9, 2009)"), dev.Refs["device_type"])
	assert.Equal(t, inventory.SharedKey(inventory.KindPlatform, "TrueNAS 25.10"), dev.Refs["platform"])
	assert.Equal(t, "data: ONLINE", dev.String("pool_health"))
	assert.Equal(t, true, dev.Attrs["pools_healthy"])

	nic := sourcetest.Find(snap, "truenas/lab/iface/ens18")
	require.NotNil(t, nic)
	assert.Equal(t, DefaultPhysicalType, nic.String("type"), "a virtio NIC tells neither speed nor port")
	ip := sourcetest.Find(snap, "truenas/lab/iface/ens18/ip/192.168.122.50%2F24")
	require.NotNil(t, ip)
	assert.Equal(t, "dhcp", ip.String("status"))
}

func TestProgressCountsCalls(t *testing.T) {
	srv := truenastest.NewServer(t)
	src, _ := newSource(t, "nas1", srv, "")
	p := &sourcetest.Progress{}
	_, err := src.Discover(context.Background(), p)
	require.NoError(t, err)
	require.Len(t, p.Reports(), 11, "one report to start, one per call")
	assert.Equal(t, `{"calls_done":0,"calls_total":10}`, string(p.Reports()[0]))
	assert.Equal(t, `{"calls_done":10,"calls_total":10}`, string(p.Reports()[10]))
}

func TestInstancesKeepSystemsApart(t *testing.T) {
	snaps := map[string]*source.Snapshot{}
	for _, tc := range []struct{ inst, fixture string }{{"alpha", truenastest.NAS1}, {"beta", truenastest.NAS1}} {
		srv := truenastest.Serve(t, truenastest.NewFake(tc.fixture))
		src, _ := newSource(t, tc.inst, srv, "")
		snap, err := src.Discover(context.Background(), nil)
		require.NoError(t, err)
		sourcetest.CheckStructure(t, SourceType, tc.inst, snap)
		snaps[tc.inst] = snap
	}
	// site, role, manufacturer, type and platform are common to both
	sourcetest.CheckInstancesApart(t, snaps["alpha"], snaps["beta"])
}
