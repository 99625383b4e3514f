package source

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

func TestBuilder(t *testing.T) {
	b := NewBuilder("proxmox", "alpha")
	assert.Equal(t, "proxmox/alpha", b.Key())
	assert.Equal(t, "proxmox/alpha/node/a%2Fb", b.Key("node", "a/b"), "parts are escaped")
	assert.Equal(t, "proxmox/alpha/node/pve1/iface/eno1", ChildKey(b.Key("node", "pve1"), "iface", "eno1"))

	site := b.Shared(inventory.KindSite, "Home Lab")
	assert.Equal(t, "site/home-lab", site)
	assert.Equal(t, site, b.Shared(inventory.KindSite, "Home Lab"), "a shared record added twice is kept once")
	dt := b.DeviceType("Generic", "Proxmox VE node", "")
	assert.Equal(t, "device_type/generic-proxmox-ve-node", dt)
	withPart := b.DeviceType("Signify", "Hue color lamp", "LCA001")

	dev := NewRecord(inventory.KindDevice, b.Key("node", "pve1"))
	dev.Set("name", "pve1")
	dev.Ref("site", site)
	dev.Ref("device_type", dt)
	dev.Ref("role", b.Shared(inventory.KindDeviceRole, "Hypervisor"))
	iface := NewRecord(inventory.KindInterface, ChildKey(dev.Key, "iface", "eno1"))
	iface.Set("name", "eno1")
	iface.Set("type", "1000base-t")
	iface.Ref("device", dev.Key)
	b.Add(iface)
	mac := b.MACAddress(iface.Key, "aa:bb:cc:dd:ee:01")
	ipKey, addr := b.IPAddress(iface.Key, "192.0.2.10/24", "active")
	assert.Equal(t, netip.MustParseAddr("192.0.2.10"), addr)
	dev.Ref(PrimaryIPField(addr), ipKey)
	b.Add(dev)
	first := NewRecord(inventory.KindDevice, dev.Key)
	first.Set("name", "later")
	b.Add(first)

	snap := b.Snapshot([]string{"b", "a"})
	assert.Equal(t, "alpha", snap.Source)
	assert.Equal(t, "proxmox", snap.Type)
	assert.Equal(t, []string{"b", "a"}, snap.Warnings, "warnings stay as given")
	byKey := map[string]*inventory.Record{}
	for i, r := range snap.Records {
		assert.Equal(t, "alpha", r.Source, r.Key)
		require.NoError(t, r.Validate(), r.Key)
		if i > 0 {
			p := snap.Records[i-1]
			assert.True(t, p.Kind.Order() < r.Kind.Order() || (p.Kind == r.Kind && p.Key < r.Key), "records in inventory order at %s", r.Key)
		}
		byKey[r.Key] = &snap.Records[i]
	}
	assert.Len(t, snap.Records, 10)
	assert.Equal(t, "pve1", byKey[dev.Key].String("name"), "the first record with a key stands")
	assert.Equal(t, ipKey, byKey[dev.Key].Refs["primary_ip4"])
	assert.Equal(t, "LCA001", byKey[withPart].String("part_number"))
	assert.Empty(t, byKey[dt].String("part_number"))
	assert.Equal(t, "manufacturer/generic", byKey[dt].Refs["manufacturer"])
	assert.Equal(t, iface.Key, byKey[mac].Refs["interface"])
	assert.Equal(t, "192.0.2.10/24", byKey[ipKey].String("address"))
	assert.Equal(t, "active", byKey[ipKey].String("status"))
}

func TestPrimaryIPField(t *testing.T) {
	assert.Equal(t, "primary_ip4", PrimaryIPField(netip.MustParseAddr("192.0.2.1")))
	assert.Equal(t, "primary_ip4", PrimaryIPField(netip.MustParseAddr("::ffff:192.0.2.1")))
	assert.Equal(t, "primary_ip6", PrimaryIPField(netip.MustParseAddr("2001:db8::1")))
}
