package netbox

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// vlanLab is labInventory with the cluster's VLAN group, VLANs 20 and 30,
// and each VM's interface an access port of VLAN 20 but vm4-1's, of VLAN 30.
func vlanLab() []inventory.Record {
	recs := labInventory("lab", 4, 1)
	cluster := inventory.Key("fs", "lab", "cluster", "homelab")
	group := cluster + "/vlan-group"
	recs = append(recs, rec(inventory.KindVLANGroup, group, "lab", map[string]any{"name": "homelab"}, map[string]string{"cluster": cluster}))
	for _, vid := range []int{20, 30} {
		recs = append(recs, rec(inventory.KindVLAN, fmt.Sprintf("%s/vlan/%d", group, vid), "lab",
			map[string]any{"vid": vid, "name": fmt.Sprintf("VLAN %d", vid), "status": "active"}, map[string]string{"group": group}))
	}
	for i := range recs {
		r := &recs[i]
		if r.Kind != inventory.KindVMInterface {
			continue
		}
		vid := 20
		if r.Key == inventory.Key("fs", "lab", "vm", "vm4-1")+"/iface/net0" {
			vid = 30
		}
		r.Set("mode", "access")
		r.Ref("untagged_vlan", fmt.Sprintf("%s/vlan/%d", group, vid))
	}
	return recs
}

func TestVLANsCreatedThenRerunWritesNothing(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := vlanLab()
	req := PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
	p, res := syncOnce(t, c, req)
	assert.Empty(t, totals(res).Problems)
	assert.Equal(t, len(recs), p.Summary.Total.Create)
	assert.Equal(t, 1, count(sim, inventory.KindVLANGroup))
	assert.Equal(t, 2, count(sim, inventory.KindVLAN))

	cluster := find(sim, inventory.KindCluster, "name", "homelab")
	group := find(sim, inventory.KindVLANGroup, "name", "homelab")
	require.NotNil(t, cluster)
	require.NotNil(t, group)
	assert.Equal(t, "virtualization.cluster", group["scope_type"])
	assert.Equal(t, idOf(cluster), idOf(group["scope"].(map[string]any)), "the group is scoped to the cluster")
	assert.Equal(t, "homelab", group["slug"])
	vlan20 := find(sim, inventory.KindVLAN, "vid", 20)
	require.NotNil(t, vlan20)
	assert.Equal(t, idOf(group), idOf(vlan20["group"].(map[string]any)))
	assert.Equal(t, "VLAN 20", vlan20["name"])

	for _, ifc := range sim.Dump()[specFor(inventory.KindVMInterface).Endpoint] {
		mode, _ := canon(typeChoice, ifc["mode"])
		assert.Equal(t, "access", mode)
		require.NotNil(t, ifc["untagged_vlan"], "the VM interface has its VLAN")
	}

	sim.ResetStats()
	again := planRetry(t, c, req)
	assert.Zero(t, again.Operations(), "re-plan of an unchanged world")
	assert.Equal(t, len(recs), again.Summary.Total.Unchanged)
	assert.Zero(t, writes(sim))
}

func TestVLANNoLongerSeenIsOrphaned(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := vlanLab()
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})

	// VM vm4-1 goes, and with it the only guest on VLAN 30.
	gone := without(without(recs, "fs/lab/vm/vm4-1"), "fs/lab/cluster/homelab/vlan-group/vlan/30")
	p, res := syncOnce(t, c, PlanRequest{Records: gone, Sources: ok("lab"), Now: day0.Add(24 * time.Hour)})
	assert.Empty(t, totals(res).Problems)
	assert.Equal(t, 7, p.Summary.Total.Orphaned, "the VM, its interface, MAC, IP, disk and service, and VLAN 30")
	v30 := find(sim, inventory.KindVLAN, "vid", 30)
	require.NotNil(t, v30, "an orphan is marked, not deleted")
	o, _ := newObject(v30)
	assert.True(t, o.Orphan)
	st, _ := canon(typeChoice, v30["status"])
	assert.Equal(t, "deprecated", st)
	v20 := find(sim, inventory.KindVLAN, "vid", 20)
	require.NotNil(t, v20)
	o, _ = newObject(v20)
	assert.False(t, o.Orphan, "VLAN 20 is still seen")

	// After the grace period VLAN 30 is deleted, the group and VLAN 20 stay.
	p, res = syncOnce(t, c, PlanRequest{Records: gone, Sources: ok("lab"), Now: day0.Add(32 * 24 * time.Hour)})
	assert.Empty(t, totals(res).Problems)
	assert.Equal(t, 7, p.Summary.Total.Delete)
	assert.Nil(t, find(sim, inventory.KindVLAN, "vid", 30))
	assert.Equal(t, 1, count(sim, inventory.KindVLAN))
	assert.Equal(t, 1, count(sim, inventory.KindVLANGroup))
}

// A guest moved to another VLAN: one update of its interface, nothing else.
func TestGuestMovedToAnotherVLAN(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := vlanLab()
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	group := inventory.Key("fs", "lab", "cluster", "homelab") + "/vlan-group"
	moved := clone(recs)
	nic := inventory.Key("fs", "lab", "vm", "vm1-1") + "/iface/net0"
	for i := range moved {
		if moved[i].Key == nic {
			moved[i].Ref("untagged_vlan", group+"/vlan/30")
		}
	}
	sim.ResetStats()
	p, res := syncOnce(t, c, PlanRequest{Records: moved, Sources: ok("lab"), Now: day0})
	assert.Empty(t, totals(res).Problems)
	assert.Equal(t, 1, p.Summary.Total.Update)
	var ops []Operation
	for _, b := range p.Batches {
		ops = append(ops, b.Ops...)
	}
	require.Len(t, ops, 1)
	assert.Equal(t, nic, ops[0].Key)
	v30 := find(sim, inventory.KindVLAN, "vid", 30)
	require.NotNil(t, v30)
	assert.Equal(t, idOf(v30), ops[0].Fields["untagged_vlan"])
	ifc := find(sim, inventory.KindVMInterface, "id", ops[0].ID)
	require.NotNil(t, ifc)
	assert.Equal(t, idOf(v30), idOf(ifc["untagged_vlan"].(map[string]any)))
}
