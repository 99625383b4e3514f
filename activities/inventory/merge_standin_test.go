package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// standIn is a scanned address with the device and interface a scanner
// makes for it when it has a discovered role.
func standIn(addr, mac string) []Record {
	ip := "scanner/lan/ip/" + addr
	dev := ip + "/device"
	d := rec(KindDevice, dev, map[string]any{"name": "host-" + addr}, map[string]string{"site": SharedKey(KindSite, "Home"),
		"role": SharedKey(KindDeviceRole, "Discovered"), "device_type": SharedKey(KindDeviceType, "Unknown Unknown")})
	i := rec(KindInterface, dev+"/iface/scan0", map[string]any{"name": "scan0"}, map[string]string{"device": dev})
	d.StandIn, i.StandIn = ip, ip
	return append(scanned(addr, mac), d, i)
}

func TestMergeStandIns(t *testing.T) {
	vm := []Record{
		rec(KindVirtualMachine, "proxmox/pve/qemu/100", map[string]any{"name": "gitea"}, nil),
		rec(KindVMInterface, "proxmox/pve/qemu/100/net0", map[string]any{"name": "net0"}, map[string]string{"virtual_machine": "proxmox/pve/qemu/100"}),
		rec(KindMACAddress, "proxmox/pve/qemu/100/net0/mac", map[string]any{"mac_address": "52:54:00:00:01:00"}, map[string]string{"interface": "proxmox/pve/qemu/100/net0"}),
	}
	nas := []Record{
		rec(KindDevice, "filesystem/files/device/nas01", map[string]any{"name": "nas01"}, nil),
		rec(KindInterface, "filesystem/files/device/nas01/iface/eth0", map[string]any{"name": "eth0"}, map[string]string{"device": "filesystem/files/device/nas01"}),
		rec(KindIPAddress, "filesystem/files/device/nas01/iface/eth0/ip/10.0.0.5/24", map[string]any{"address": "10.0.0.5/24"}, map[string]string{"interface": "filesystem/files/device/nas01/iface/eth0"}),
	}
	var scan []Record
	scan = append(scan, standIn("10.0.0.7", "52:54:00:00:01:00")...) // the VM, by its MAC
	scan = append(scan, standIn("10.0.0.5", "")...)                  // the NAS, by its address
	scan = append(scan, standIn("10.0.0.9", "52:54:00:00:09:00")...) // known to no one, with a MAC
	scan = append(scan, standIn("10.0.0.10", "")...)                 // known to no one, no MAC

	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}} {
		inputs := []MergeInput{{Source: "pve", Priority: 0, Records: vm}, {Source: "files", Priority: 1, Records: nas}, {Source: "lan", Priority: 2, Records: scan}}
		in := make([]MergeInput, 0, 3)
		for _, i := range order {
			in = append(in, inputs[i])
		}
		m, err := Merge(in, MergeOptions{})
		require.NoError(t, err)
		keys := map[string]bool{}
		for _, r := range m.Records {
			keys[r.Key] = true
			assert.Empty(t, r.StandIn, "merged records carry no stand-in mark")
		}

		// Known elsewhere: the stand-ins are left out, the address goes to that source's host.
		assert.Equal(t, "proxmox/pve/qemu/100/net0", findRec(t, m, "scanner/lan/ip/10.0.0.7").Refs["interface"])
		assert.Equal(t, "filesystem/files/device/nas01", findRec(t, m, "scanner/lan/ip/10.0.0.5/service/tcp/22").Refs["parent"])
		for _, a := range []string{"10.0.0.7", "10.0.0.5"} {
			assert.False(t, keys["scanner/lan/ip/"+a+"/device"], a)
			assert.False(t, keys["scanner/lan/ip/"+a+"/device/iface/scan0"], a)
		}

		// Known to no one: a device of the role, with the address and its MAC on its interface.
		for _, a := range []string{"10.0.0.9", "10.0.0.10"} {
			dev := "scanner/lan/ip/" + a + "/device"
			iface := dev + "/iface/scan0"
			assert.Equal(t, SharedKey(KindDeviceRole, "Discovered"), findRec(t, m, dev).Refs["role"], a)
			assert.Equal(t, dev, findRec(t, m, iface).Refs["device"], a)
			assert.Equal(t, iface, findRec(t, m, "scanner/lan/ip/"+a).Refs["interface"], a)
			assert.Equal(t, dev, findRec(t, m, "scanner/lan/ip/"+a+"/service/tcp/22").Refs["parent"], a)
		}
		mac := findRec(t, m, "scanner/lan/ip/10.0.0.9/mac")
		assert.Equal(t, "scanner/lan/ip/10.0.0.9/device/iface/scan0", mac.Refs["interface"])
		assert.Equal(t, "lan", mac.Origin["interface"])

		assert.ElementsMatch(t, []SkippedRecord{
			{Source: "lan", Kind: KindDevice, Key: "scanner/lan/ip/10.0.0.5/device", Reason: "source files reports its address 10.0.0.5/24"},
			{Source: "lan", Kind: KindInterface, Key: "scanner/lan/ip/10.0.0.5/device/iface/scan0", Reason: "source files reports its address 10.0.0.5/24"},
			{Source: "lan", Kind: KindDevice, Key: "scanner/lan/ip/10.0.0.7/device", Reason: "source pve reports its MAC 52:54:00:00:01:00"},
			{Source: "lan", Kind: KindInterface, Key: "scanner/lan/ip/10.0.0.7/device/iface/scan0", Reason: "source pve reports its MAC 52:54:00:00:01:00"},
		}, m.Skipped)
	}
}

// TestMergeStandInJoinedByName: a stand-in whose name and site another
// source's device has is that device; the address goes on the stand-in's
// interface, now of that device, as no source puts it elsewhere.
func TestMergeStandInJoinedByName(t *testing.T) {
	files := []Record{rec(KindDevice, "filesystem/files/device/host-10.0.0.9", map[string]any{"name": "host-10.0.0.9", "serial": "S1"},
		map[string]string{"site": SharedKey(KindSite, "Home")})}
	m, err := Merge([]MergeInput{{Source: "files", Records: files}, {Source: "lan", Priority: 1, Records: standIn("10.0.0.9", "")}}, MergeOptions{})
	require.NoError(t, err)
	dev := findRec(t, m, "scanner/lan/ip/10.0.0.9/device")
	assert.Equal(t, "filesystem/files/device/host-10.0.0.9", dev.Key, "joined with the file's device")
	assert.Equal(t, "S1", dev.String("serial"))
	assert.Equal(t, dev.Key, findRec(t, m, "scanner/lan/ip/10.0.0.9/device/iface/scan0").Refs["device"])
	assert.Equal(t, "scanner/lan/ip/10.0.0.9/device/iface/scan0", findRec(t, m, "scanner/lan/ip/10.0.0.9").Refs["interface"])
	assert.Empty(t, m.Skipped)
}
