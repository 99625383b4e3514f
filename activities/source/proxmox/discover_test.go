package proxmox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

const labSettings = `import_tags: true
vm_role: Server
node_interface_types:
  enp65s0f*: 10gbase-x-sfpp
  eno1: 1000base-t`

func TestDiscoverGolden(t *testing.T) {
	cases := []struct {
		name     string
		overlays []string
		settings string
	}{
		{name: "lab", settings: labSettings},
		{name: "lab-defaults"},
		{name: "templates", settings: "include_templates: true"},
		{name: "offline-node", overlays: []string{proxmoxtest.OfflineNode}},
		{name: "standalone", overlays: []string{proxmoxtest.Standalone}, settings: "cluster_name: homelab"},
		{name: "standalone-unnamed", overlays: []string{proxmoxtest.Standalone}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := proxmoxtest.NewFake(tc.overlays...)
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			src, _ := newSource(t, "alpha", srv.URL, tc.settings)
			snap, err := src.Discover(context.Background(), &sourcetest.Progress{})
			require.NoError(t, err)
			require.NoError(t, fake.Err())
			sourcetest.CheckGolden(t, SourceType, "alpha", tc.name, snap, *update)
		})
	}
}

func TestGuestKeysKeepTypesApart(t *testing.T) {
	srv := proxmoxtest.NewServer(t)
	src, _ := newSource(t, "alpha", srv.URL, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)

	qemu := sourcetest.Find(snap, "proxmox/alpha/qemu/100")
	lxc := sourcetest.Find(snap, "proxmox/alpha/lxc/100")
	require.NotNil(t, qemu, "qemu 100")
	require.NotNil(t, lxc, "lxc 100")
	assert.Equal(t, "web01", qemu.String("name"))
	assert.Equal(t, "dns01", lxc.String("name"))
	// their children stay apart too
	assert.NotNil(t, sourcetest.Find(snap, "proxmox/alpha/qemu/100/iface/net0/mac"))
	assert.NotNil(t, sourcetest.Find(snap, "proxmox/alpha/lxc/100/iface/net0/mac"))
	assert.NotNil(t, sourcetest.Find(snap, "proxmox/alpha/qemu/100/disk/scsi0"))
	assert.NotNil(t, sourcetest.Find(snap, "proxmox/alpha/lxc/100/disk/rootfs"))
}

func TestInstancesKeepClustersApart(t *testing.T) {
	srv := proxmoxtest.NewServer(t)
	snaps := map[string]*source.Snapshot{}
	for _, inst := range []string{"alpha", "beta"} {
		src, _ := newSource(t, inst, srv.URL, "")
		snap, err := src.Discover(context.Background(), nil)
		require.NoError(t, err)
		sourcetest.CheckStructure(t, SourceType, inst, snap)
		snaps[inst] = snap
	}
	// shared records (site, cluster type, roles) are common to both
	sourcetest.CheckInstancesApart(t, snaps["alpha"], snaps["beta"])
}

func TestAgentNotRunningIsAWarning(t *testing.T) {
	srv := proxmoxtest.NewServer(t)
	src, _ := newSource(t, "alpha", srv.URL, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)

	vm := sourcetest.Find(snap, "proxmox/alpha/qemu/101")
	require.NotNil(t, vm, "the VM is still reported")
	assert.Equal(t, "active", vm.String("status"))
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindVMInterface, "proxmox/alpha/qemu/101/"), 2)
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindMACAddress, "proxmox/alpha/qemu/101/"), 2)
	assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, "proxmox/alpha/qemu/101/"))
	assert.Empty(t, vm.Refs["primary_ip4"])

	var found []string
	for _, w := range snap.Warnings {
		if strings.Contains(w, "qemu 101") {
			found = append(found, w)
		}
	}
	require.Len(t, found, 1)
	assert.Contains(t, found[0], "guest agent not running")
	assert.Contains(t, found[0], "500 QEMU guest agent is not running")

	// the agent of a running VM that answers gives its addresses, without
	// loopback and link-local ones
	ips := sourcetest.RecordsOf(snap, inventory.KindIPAddress, "proxmox/alpha/qemu/100/")
	var addrs []string
	for _, ip := range ips {
		addrs = append(addrs, ip.String("address"))
	}
	assert.ElementsMatch(t, []string{"10.20.0.50/24", "2001:db8:20::50/64"}, addrs)
}

func TestOfflineNodeGuestsFromClusterResources(t *testing.T) {
	fake := proxmoxtest.NewFake(proxmoxtest.OfflineNode)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	src, _ := newSource(t, "alpha", srv.URL, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)

	node := sourcetest.Find(snap, "proxmox/alpha/node/node2")
	require.NotNil(t, node)
	assert.Equal(t, "offline", node.String("status"))
	assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindInterface, "proxmox/alpha/node/node2/"))

	for _, tc := range []struct {
		key    string
		vcpus  int64
		memory int64
	}{
		{"proxmox/alpha/qemu/101", 8, 16384},
		{"proxmox/alpha/qemu/104", 4, 8000},
		{"proxmox/alpha/lxc/103", 2, 2048},
	} {
		t.Run(tc.key, func(t *testing.T) {
			vm := sourcetest.Find(snap, tc.key)
			require.NotNil(t, vm)
			assert.Equal(t, "offline", vm.String("status"))
			assert.Equal(t, tc.vcpus, vm.Attrs["vcpus"])
			assert.Equal(t, tc.memory, vm.Attrs["memory"])
			assert.Equal(t, "proxmox/alpha/node/node2", vm.Refs["device"])
			assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindVMInterface, tc.key+"/"))
		})
	}
	assert.Zero(t, fake.Hits("/nodes/node2/network")+fake.Hits("/nodes/node2/qemu/101/config"),
		"nothing is asked of an offline node")
	require.NotEmpty(t, snap.Warnings)
	assert.Contains(t, strings.Join(snap.Warnings, "\n"), "node node2 is offline")
	// node1 and its guests are complete
	assert.NotEmpty(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, "proxmox/alpha/qemu/100/"))
}

func TestProgressReportsGuests(t *testing.T) {
	srv := proxmoxtest.NewServer(t)
	src, _ := newSource(t, "alpha", srv.URL, "")
	p := &sourcetest.Progress{}
	_, err := src.Discover(context.Background(), p)
	require.NoError(t, err)

	require.Len(t, p.Reports(), 1+5, "one report to start, one per guest (template skipped)")
	for i, raw := range p.Reports() {
		assert.Less(t, len(raw), 2048, "heartbeat %d too large", i)
	}
	var last map[string]any
	require.NoError(t, json.Unmarshal(p.Last(), &last))
	assert.EqualValues(t, 5, last["guests_done"])
	assert.EqualValues(t, 5, last["guests_total"])
	assert.EqualValues(t, 2, last["nodes_total"])
	assert.NotEmpty(t, last["run"])
}

func TestSnapshotIdentity(t *testing.T) {
	srv := proxmoxtest.NewServer(t)
	src, _ := newSource(t, "alpha", srv.URL, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, "alpha", snap.Source)
	assert.Equal(t, SourceType, snap.Type)
}

func TestGuestsReadOneNodeInTurn(t *testing.T) {
	g := func(node string, id uint64) *guestState {
		return &guestState{guest: guest{Type: "qemu", VMID: id, Node: node}}
	}
	in := []*guestState{g("a", 1), g("a", 2), g("a", 3), g("b", 4), g("c", 5), g("c", 6)}
	var got []uint64
	for _, gs := range byNodeInTurn(in) {
		got = append(got, gs.VMID)
	}
	assert.Equal(t, []uint64{1, 4, 5, 2, 6, 3}, got)
	assert.Empty(t, byNodeInTurn(nil))
}

// withoutNICs answers like the fake, but with lxc 100's config stripped of
// its netN settings.
type withoutNICs struct{ *proxmoxtest.Fake }

func (w withoutNICs) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Path != proxmoxtest.APIPrefix+"/nodes/node1/lxc/100/config" {
		w.Fake.ServeHTTP(rw, r)
		return
	}
	w.Fake.ServeHTTP(httptest.NewRecorder(), r) // counted as asked
	rw.Header().Set("Content-Type", "application/json")
	_, err := rw.Write([]byte(`{"data":{"hostname":"dns01","cores":2,"memory":1024,"rootfs":"local-zfs:subvol-100-disk-0,size=8G"}}`))
	w.Failed(err)
}

func TestRunningGuestWithoutNICsIsNotAskedForAddresses(t *testing.T) {
	fake := proxmoxtest.NewFake()
	srv := httptest.NewServer(withoutNICs{fake})
	t.Cleanup(srv.Close)
	src, _ := newSource(t, "alpha", srv.URL, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	require.NoError(t, fake.Err())
	assert.Equal(t, 1, fake.Hits("/nodes/node1/lxc/100/config"))
	assert.Zero(t, fake.Hits("/nodes/node1/lxc/100/interfaces"), "no NIC to put an address on")
	assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindVMInterface, "proxmox/alpha/lxc/100/"))
	assert.NotNil(t, sourcetest.Find(snap, "proxmox/alpha/lxc/100/disk/rootfs"))
	assert.Equal(t, 1, fake.Hits("/nodes/node1/qemu/100/agent/network-get-interfaces"), "the others are asked as before")
}

// TestPlanSkipsUnreadableGuests: a guest of cluster resources without a
// node, or with a VMID that is none, cannot be asked for; it is reported
// and left out, never made a VM of a node that is not there.
func TestPlanSkipsUnreadableGuests(t *testing.T) {
	src, _ := newSource(t, "alpha", "https://127.0.0.1:8006", "")
	cases := []struct {
		name    string
		res     resource
		warning string
	}{
		{"no node", resource{ID: "qemu/104", Type: "qemu", VMID: 104}, `cluster resource "qemu/104": no node; skipped`},
		{"vmid zero", resource{Type: "lxc", Node: "n1"}, "cluster resource lxc: vmid 0 is not a VMID; skipped"},
		{"fractional vmid", resource{ID: "qemu/1.5", Type: "qemu", Node: "n1", VMID: 1.5}, `cluster resource "qemu/1.5": vmid 1.5 is not a VMID; skipped`},
		{"readable", resource{ID: "qemu/100", Type: "qemu", Node: "n1", VMID: 100}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sv, err := src.plan(nil, []resource{tc.res, {Type: "node", Node: "n1", Status: "online"}})
			require.NoError(t, err)
			if tc.warning == "" {
				require.Len(t, sv.Guests, 1)
				assert.Empty(t, sv.Warnings)
				return
			}
			assert.Empty(t, sv.Guests)
			assert.Equal(t, []string{tc.warning}, sv.Warnings)
		})
	}
}

// TestPlanNeedsAClusterName: answers that name neither a cluster nor a
// node give no name to key the records by; without cluster_name that is a
// malformed answer, with it the name is the setting's.
func TestPlanNeedsAClusterName(t *testing.T) {
	status := []clusterStatusEntry{{Type: "cluster", Name: " "}}
	src, _ := newSource(t, "alpha", "https://127.0.0.1:8006", "")
	_, err := src.plan(status, nil)
	sourcetest.RequireError(t, err, source.ErrMalformed, "names no cluster and no node", "cluster_name")

	named, _ := newSource(t, "alpha", "https://127.0.0.1:8006", "cluster_name: homelab")
	sv, err := named.plan(status, nil)
	require.NoError(t, err)
	assert.Equal(t, "homelab", sv.ClusterName)
}
