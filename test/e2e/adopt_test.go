package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/workflows"
)

// handMade are the objects an operator made in NetBox before the agent
// came, by their NetBox IDs: some of the example inventory's hosts and
// one of its VMs, with what they stand on.
type handMade struct {
	site, dell, supermicro, r640, sys5019, hypervisor, proxmox, cluster int
	// pve1 is pve1 under another name, with its serial; pve2 has its name
	// and no serial, and its eno1 with its MAC; dns1 is the VM by name in
	// the cluster.
	pve1, pve2, pve2eno1, pve2mac, dns1 int
}

// makeByHand fills NetBox as an operator would in its UI: direct API
// POSTs, past the agent, without the agent's tag or custom fields.
func makeByHand(t *testing.T, nb *netbox) handMade {
	t.Helper()
	id := func(o map[string]any) int { return object(o).int("id") }
	var h handMade
	h.site = id(nb.post(t, "dcim/sites", map[string]any{"name": "Home Lab", "slug": "home-lab", "status": "active"}))
	h.dell = id(nb.post(t, "dcim/manufacturers", map[string]any{"name": "Dell Inc.", "slug": "dell"}))
	h.supermicro = id(nb.post(t, "dcim/manufacturers", map[string]any{"name": "Supermicro", "slug": "supermicro"}))
	h.r640 = id(nb.post(t, "dcim/device-types", map[string]any{"model": "PowerEdge R640", "slug": "r640", "manufacturer": h.dell}))
	h.sys5019 = id(nb.post(t, "dcim/device-types", map[string]any{"model": "SYS-5019C-MR", "slug": "sys-5019c-mr", "manufacturer": h.supermicro}))
	h.hypervisor = id(nb.post(t, "dcim/device-roles", map[string]any{"name": "Hypervisor", "slug": "hypervisor", "color": "ff5722"}))
	h.proxmox = id(nb.post(t, "virtualization/cluster-types", map[string]any{"name": "Proxmox VE", "slug": "proxmox-ve"}))
	h.cluster = id(nb.post(t, "virtualization/clusters", map[string]any{"name": "homelab", "type": h.proxmox, "status": "active",
		"scope_type": "dcim.site", "scope_id": h.site}))
	host := func(name, serial string, deviceType int) int {
		return id(nb.post(t, "dcim/devices", map[string]any{"name": name, "serial": serial, "site": h.site, "device_type": deviceType,
			"role": h.hypervisor, "cluster": h.cluster, "status": "active", "comments": "racked by Ann"}))
	}
	h.pve1 = host("r640-a", "7XK2M93", h.r640)
	h.pve2 = host("pve2", "", h.sys5019)
	h.pve2eno1 = id(nb.post(t, "dcim/interfaces", map[string]any{"device": h.pve2, "name": "eno1", "type": "1000base-t"}))
	h.pve2mac = id(nb.post(t, "dcim/mac-addresses", map[string]any{"mac_address": "AC:1F:6B:11:22:33",
		"assigned_object_type": "dcim.interface", "assigned_object_id": h.pve2eno1}))
	h.dns1 = id(nb.post(t, "virtualization/virtual-machines", map[string]any{"name": "dns1", "cluster": h.cluster, "status": "active"}))
	return h
}

// TestAdopt: NetBox holds, made by hand, two of the example inventory's
// hosts (one by its serial under another name, one by its name and a MAC)
// and one of its VMs. Under adopt: report (the default) the run makes
// none of them again, writes nothing to them or to what stands on them,
// and names each with its NetBox ID and what matched; the rest of the
// inventory is synced. The operator then sets adopt: auto: the run takes
// them over without a duplicate, and the next run has nothing to do.
func TestAdopt(t *testing.T) {
	e := newEnv(t, exampleConfig(t))
	h := makeByHand(t, e.nb)

	_, held := e.sync(workflows.SyncRequest{})
	require.Empty(t, held.FailedBatches)
	require.Zero(t, held.Applied.Problems, "%v", held.Problems)
	t.Logf("held for adoption: %d\n%s", held.Plan.Adoptable, strings.Join(held.Plan.AdoptableLines, "\n"))
	for _, want := range []struct{ kind, line string }{
		{"device", fmt.Sprintf(`: NetBox #%d "r640-a", matched by serial 7XK2M93`, h.pve1)},
		{"device", fmt.Sprintf(`: NetBox #%d "pve2", matched by MAC ac:1f:6b:11:22:33`, h.pve2)},
		{"interface", fmt.Sprintf(`: NetBox #%d "eno1", matched by MAC ac:1f:6b:11:22:33`, h.pve2eno1)},
		{"virtual_machine", fmt.Sprintf(`: NetBox #%d "dns1", matched by natural key `, h.dns1)},
		{"cluster", fmt.Sprintf(`: NetBox #%d "homelab", matched by natural key `, h.cluster)},
	} {
		assert.True(t, hasAdoptable(held.Plan.AdoptableLines, want.kind, want.line), "%s %s in %q", want.kind, want.line, held.Plan.AdoptableLines)
	}
	assert.Equal(t, len(held.Plan.AdoptableLines), held.Plan.Adoptable)
	// Nothing made again, nothing written to what was made by hand.
	assert.Zero(t, e.nb.count(t, "dcim/devices", "name", "pve1"), "pve1 is r640-a until the operator decides")
	assert.Equal(t, 1, e.nb.count(t, "dcim/devices", "name", "pve2"))
	assert.Equal(t, 1, e.nb.count(t, "virtualization/virtual-machines"), "dns1, and no guest of a held host")
	assert.Equal(t, 1, e.nb.count(t, "virtualization/clusters"))
	assert.Equal(t, 1, e.nb.count(t, "dcim/sites"))
	assert.Equal(t, 1, e.nb.count(t, "dcim/interfaces", "device_id", fmt.Sprint(h.pve2)))
	assert.Zero(t, e.nb.count(t, "dcim/interfaces", "device_id", fmt.Sprint(h.pve1)))
	for _, o := range handObjects(h) {
		got := e.nb.list(t, o.endpoint, "id", fmt.Sprint(o.id))
		require.Len(t, got, 1, "%s #%d", o.endpoint, o.id)
		assert.False(t, got[0].hasTag("netbox-agent"), "%s #%d is not the agent's yet", o.endpoint, o.id)
	}
	assert.Equal(t, "r640-a", e.nb.list(t, "dcim/devices", "id", fmt.Sprint(h.pve1))[0].str("name"))
	// The rest of the inventory is synced.
	for _, name := range []string{"gw1", "sw1", "nas1"} {
		got := e.nb.list(t, "dcim/devices", "name", name)
		require.Len(t, got, 1, name)
		assert.True(t, got[0].hasTag("netbox-agent"), name)
	}
	assert.Equal(t, 3, e.nb.count(t, "dcim/interfaces", "device_id", fmt.Sprint(idOf(e.nb.list(t, "dcim/devices", "name", "gw1")[0]))))

	e.configure(exampleConfig(t) + "netbox:\n  adopt: auto\n")
	_, adopted := e.sync(workflows.SyncRequest{})
	require.Empty(t, adopted.FailedBatches)
	require.Zero(t, adopted.Applied.Problems, "%v", adopted.Problems)
	assert.Zero(t, adopted.Plan.Adoptable)
	// No duplicates, by name and by serial: the objects made by hand are
	// the agent's now.
	for _, c := range []struct {
		endpoint string
		filters  []string
		id       int
	}{
		{"dcim/devices", []string{"serial", "7XK2M93"}, h.pve1},
		{"dcim/devices", []string{"name", "pve1"}, h.pve1},
		{"dcim/devices", []string{"name", "pve2"}, h.pve2},
		{"dcim/interfaces", []string{"device_id", fmt.Sprint(h.pve2), "name", "eno1"}, h.pve2eno1},
		{"dcim/mac-addresses", []string{"mac_address", "ac:1f:6b:11:22:33"}, h.pve2mac},
		{"virtualization/virtual-machines", []string{"name", "dns1"}, h.dns1},
		{"virtualization/clusters", []string{"name", "homelab"}, h.cluster},
		{"dcim/sites", []string{"name", "Home Lab"}, h.site},
		{"dcim/manufacturers", []string{"name", "Dell Inc."}, h.dell},
		{"dcim/device-types", []string{"model", "PowerEdge R640"}, h.r640},
	} {
		got := e.nb.list(t, c.endpoint, c.filters...)
		require.Len(t, got, 1, "%s %v: one, not a duplicate", c.endpoint, c.filters)
		assert.Equal(t, c.id, got[0].int("id"), "%s %v", c.endpoint, c.filters)
	}
	for _, o := range handObjects(h) {
		got := e.nb.list(t, o.endpoint, "id", fmt.Sprint(o.id))
		require.Len(t, got, 1, "%s #%d", o.endpoint, o.id)
		assert.True(t, got[0].hasTag("netbox-agent"), "%s #%d adopted", o.endpoint, o.id)
	}
	pve1 := e.nb.list(t, "dcim/devices", "id", fmt.Sprint(h.pve1))[0]
	assert.Equal(t, "racked by Ann", pve1.str("comments"), "what the agent does not own stays")
	assert.Equal(t, 4, e.nb.count(t, "virtualization/virtual-machines"))
	assert.Equal(t, 1, e.nb.count(t, "virtualization/clusters"))

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	assert.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	assert.Zero(t, again.Plan.Adoptable)
	assert.Zero(t, e.writes(), "%v", e.stats().Requests)
}

// hasAdoptable reports whether an adoptable line of kind holds part.
func hasAdoptable(lines []string, kind, part string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, kind+" ") && strings.Contains(l, part) {
			return true
		}
	}
	return false
}

type handObject struct {
	endpoint string
	id       int
}

// handObjects are the hosts, their parts, the VM and the cluster made by
// hand: not of a shared kind, so held under report.
func handObjects(h handMade) []handObject {
	return []handObject{{"dcim/devices", h.pve1}, {"dcim/devices", h.pve2}, {"dcim/interfaces", h.pve2eno1},
		{"dcim/mac-addresses", h.pve2mac}, {"virtualization/virtual-machines", h.dns1}, {"virtualization/clusters", h.cluster}}
}
