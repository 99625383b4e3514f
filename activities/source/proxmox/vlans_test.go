package proxmox

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

func TestVLANTag(t *testing.T) {
	cases := []struct {
		tag  string
		vid  int
		fail bool
	}{
		{"", 0, false}, {"1", 1, false}, {"20", 20, false}, {"4094", 4094, false},
		{"0", 0, true}, {"4095", 0, true}, {"-3", 0, true}, {"vlan20", 0, true}, {"20;30", 0, true},
	}
	for _, tc := range cases {
		vid, err := vlanTag(tc.tag)
		assert.Equal(t, tc.vid, vid, "tag %q", tc.tag)
		if tc.fail {
			assert.ErrorContains(t, err, tc.tag, "tag %q", tc.tag)
		} else {
			assert.NoError(t, err, "tag %q", tc.tag)
		}
	}
}

// A NIC with a tag that is no VLAN ID is reported and kept without a
// VLAN; the other NICs still get theirs, and one VLAN serves every guest
// tagged with it.
func TestGuestVLANs(t *testing.T) {
	s := &Source{Instance: source.Instance{Name: "alpha"}}
	qemu := func(id uint64, nets map[string]string) *guestState {
		return &guestState{guest: guest{Type: "qemu", VMID: id, Name: "vm", Node: "node1", Status: "running"},
			Detail: &guestDetail{Config: guestConfig(nets)}}
	}
	sv := &survey{ClusterName: "lab", Guests: []*guestState{
		qemu(100, map[string]string{"net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=20",
			"net1": "virtio=BC:24:11:00:00:02,bridge=vmbr0,tag=5000"}),
		qemu(101, map[string]string{"net0": "virtio=BC:24:11:00:00:03,bridge=vmbr0,tag=20",
			"net1": "virtio=BC:24:11:00:00:04,bridge=vmbr1"}),
	}}
	snap := s.snapshot(sv)
	byKey := map[string]inventory.Record{}
	var vlans []string
	for _, r := range snap.Records {
		byKey[r.Key] = r
		if r.Kind == inventory.KindVLAN {
			vlans = append(vlans, r.Key)
		}
	}
	assert.Equal(t, []string{"proxmox/alpha/cluster/lab/vlan-group/vlan/20"}, vlans)
	group := byKey["proxmox/alpha/cluster/lab/vlan-group"]
	assert.Equal(t, inventory.KindVLANGroup, group.Kind)
	assert.Equal(t, "lab", group.Attrs["name"])
	assert.Equal(t, "proxmox/alpha/cluster/lab", group.Refs["cluster"])

	tagged := byKey["proxmox/alpha/qemu/101/iface/net0"]
	assert.Equal(t, "access", tagged.Attrs["mode"])
	assert.Equal(t, "proxmox/alpha/cluster/lab/vlan-group/vlan/20", tagged.Refs["untagged_vlan"])
	for _, k := range []string{"proxmox/alpha/qemu/100/iface/net1", "proxmox/alpha/qemu/101/iface/net1"} {
		r, ok := byKey[k]
		require.True(t, ok, k)
		assert.NotContains(t, r.Attrs, "mode", k)
		assert.NotContains(t, r.Refs, "untagged_vlan", k)
	}
	require.Len(t, snap.Warnings, 1)
	assert.Contains(t, snap.Warnings[0], `proxmox/alpha/qemu/100: VLAN tag "5000" is not a VLAN ID (1-4094)`)
	assert.Empty(t, snap.Gaps, "every guest's config was read")
}

// While a guest's config is unread its tags are unknown: the group and its
// VLANs are a gap, even when no guest that was read has a tag.
func TestGuestVLANsUnseen(t *testing.T) {
	s := &Source{Instance: source.Instance{Name: "alpha"}}
	cases := []struct {
		name   string
		detail *guestDetail
		why    string
	}{
		{"node offline", nil, "node node2 offline: its guests' VLAN tags not read"},
		{"config not read", &guestDetail{ConfigUnseen: "config of qemu 101 not read: 403"}, "qemu 101: config not read, its VLAN tags unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sv := &survey{ClusterName: "lab", Guests: []*guestState{
				{guest: guest{Type: "qemu", VMID: 100, Name: "web", Node: "node1", Status: "running"},
					Detail: &guestDetail{Config: guestConfig{"net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0"}}},
				{guest: guest{Type: "qemu", VMID: 101, Name: "db", Node: "node2", Status: "running"}, Detail: tc.detail},
			}}
			snap := s.snapshot(sv)
			for _, r := range snap.Records {
				assert.NotContains(t, []inventory.Kind{inventory.KindVLANGroup, inventory.KindVLAN}, r.Kind, r.Key)
			}
			assert.Contains(t, snap.Gaps, inventory.Gap{Under: "proxmox/alpha/cluster/lab/vlan-group",
				Kinds: []inventory.Kind{inventory.KindVLANGroup, inventory.KindVLAN}, Why: tc.why})
		})
	}
}
