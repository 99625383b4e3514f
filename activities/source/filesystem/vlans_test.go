package filesystem

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// VLANs nest in their group and are keyed under it, so two groups may both
// have VLAN 20; an interface names its untagged VLAN by VID, which must
// then be one VLAN of the directory. A VID outside 1-4094 is reported and
// that VLAN skipped.
func TestVLANGroupsAndVLANs(t *testing.T) {
	base := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(base, "inv"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(base, "inv", "vlans.yaml"), []byte(`
clusters:
  - {name: homelab, type: Proxmox VE}
vlan_groups:
  - name: homelab
    cluster: homelab
    vlans:
      - {vid: 20, name: users}
      - {vid: 30, name: iot}
  - name: lab
    vlans:
      - {vid: 20, name: lab users}
vlans:
  - {vlan_group: lab, vid: 40, name: storage}
  - {vlan_group: lab, vid: 5000, name: too big}
virtual_machines:
  - name: dns1
    cluster: homelab
    interfaces:
      - {name: net0, mode: access, untagged_vlan: 30}
      - {name: net1, mode: access, untagged_vlan: 20}
      - {name: net2, mode: access, untagged_vlan: {key: filesystem/home/vlan-group/lab/vlan/20}}
`), 0o644))
	snap, err := newSource(t, base, "path: inv\n").Discover(context.Background(), &recorder{})
	require.NoError(t, err)
	byKey := map[string]inventory.Record{}
	for _, r := range snap.Records {
		byKey[r.Key] = r
	}
	const home, lab = "filesystem/home/vlan-group/homelab", "filesystem/home/vlan-group/lab"
	require.Contains(t, byKey, home)
	assert.Equal(t, "filesystem/home/cluster/homelab", byKey[home].Refs["cluster"])
	for key, group := range map[string]string{home + "/vlan/20": home, home + "/vlan/30": home, lab + "/vlan/20": lab, lab + "/vlan/40": lab} {
		require.Contains(t, byKey, key)
		assert.Equal(t, inventory.KindVLAN, byKey[key].Kind)
		assert.Equal(t, group, byKey[key].Refs["group"], key)
	}
	assert.Equal(t, int64(40), byKey[lab+"/vlan/40"].Attrs["vid"])
	assert.NotContains(t, byKey, lab+"/vlan/5000")

	vm := "filesystem/home/vm/dns1/iface/"
	assert.Equal(t, "access", byKey[vm+"net0"].Attrs["mode"])
	assert.Equal(t, home+"/vlan/30", byKey[vm+"net0"].Refs["untagged_vlan"])
	assert.Equal(t, lab+"/vlan/20", byKey[vm+"net2"].Refs["untagged_vlan"], "a key says which VLAN 20")
	_, kept := byKey[vm+"net1"]
	assert.False(t, kept, "VLAN 20 is ambiguous: the interface is skipped")
	require.Len(t, snap.Warnings, 2, "%q", snap.Warnings) // in the order the source finds them
	assert.Contains(t, snap.Warnings[1], `vlans.yaml:15: vlan "5000": vlan filesystem/home/vlan-group/lab/vlan/5000: vid 5000 is not a whole number in 1-4094`)
	assert.Contains(t, snap.Warnings[0], `vm_interface "net1": untagged_vlan: vlan "20" is ambiguous`)
}
