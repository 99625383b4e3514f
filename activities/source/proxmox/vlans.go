package proxmox

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// The VLAN tags of guest NICs (qemu and lxc netN "tag=20") become VLANs of
// one VLAN group per cluster, named after it; a tagged NIC is an access
// port of its VLAN. Trunks (qemu "trunks=10;20") stay in the NIC's
// description: the inventory has no list of references for tagged VLANs.

// vlans collects the VLAN IDs the cluster's guests are tagged with.
type vlans struct {
	groupKey string
	vids     map[int]bool
	// unseen says why some guests' configs, and so their tags, were not read.
	unseen string
}

// vlanTag is a guest NIC's tag as a VLAN ID, or 0 with the reason it is
// not one (PVE takes 1-4094).
func vlanTag(tag string) (int, error) {
	if tag == "" {
		return 0, nil
	}
	vid, err := strconv.Atoi(tag)
	if err != nil || vid < 1 || vid > 4094 {
		return 0, fmt.Errorf("VLAN tag %q is not a VLAN ID (1-4094)", tag)
	}
	return vid, nil
}

// vlanKey is the key of VLAN vid in the cluster's group.
func (v *vlans) vlanKey(vid int) string {
	return source.ChildKey(v.groupKey, "vlan", strconv.Itoa(vid))
}

// use records that a guest NIC is tagged with vid and makes iface its
// access port.
func (v *vlans) use(iface *inventory.Record, vid int) {
	v.vids[vid] = true
	iface.Set("mode", "access")
	iface.Ref("untagged_vlan", v.vlanKey(vid))
}

// add adds the group and its VLANs. When a guest's config was not read its
// tags are unknown, so the VLANs not seen, and the group when no guest read
// has a tag, are reported unseen rather than left to be orphaned.
func (v *vlans) add(b *source.Builder, clusterName, clusterKey string) {
	if v.unseen != "" {
		b.Unseen(v.groupKey, v.unseen, inventory.KindVLANGroup, inventory.KindVLAN)
	}
	if len(v.vids) == 0 {
		return
	}
	g := source.NewRecord(inventory.KindVLANGroup, v.groupKey)
	g.Set("name", clusterName)
	g.Set("description", "VLAN tags of the cluster's guests")
	g.Ref("cluster", clusterKey)
	b.Add(g)
	ids := make([]int, 0, len(v.vids))
	for vid := range v.vids {
		ids = append(ids, vid)
	}
	sort.Ints(ids)
	for _, vid := range ids {
		r := source.NewRecord(inventory.KindVLAN, v.vlanKey(vid))
		r.Set("vid", vid)
		r.Set("name", "VLAN "+strconv.Itoa(vid))
		r.Set("status", "active")
		r.Ref("group", v.groupKey)
		b.Add(r)
	}
}
