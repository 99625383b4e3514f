package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rec(kind Kind, key string, attrs map[string]any, refs map[string]string) Record {
	r := Record{Kind: kind, Key: key, Refs: refs}
	for k, v := range attrs {
		r.Set(k, v)
	}
	return r
}

// scanned is what a scanner reports of one address: the address on its
// MAC, the MAC, and a service on the address.
func scanned(addr, mac string) []Record {
	ip := "scanner/lan/ip/" + addr
	out := []Record{
		rec(KindIPAddress, ip, map[string]any{"address": addr + "/32", "dns_name": "host.lab.example"}, nil),
		rec(KindService, ip+"/service/tcp/22", map[string]any{"name": "ssh", "protocol": "tcp", "ports": []int64{22}}, map[string]string{"parent": ip}),
	}
	if mac != "" {
		out[0].Refs = map[string]string{"interface": ip + "/mac"}
		out = append(out, rec(KindMACAddress, ip+"/mac", map[string]any{"mac_address": mac}, nil))
	}
	return out
}

func findRec(t *testing.T, m *Merged, key string) *Record {
	t.Helper()
	for i := range m.Records {
		if m.Records[i].Key == key {
			return &m.Records[i]
		}
		for _, a := range m.Records[i].Aliases {
			if a == key {
				return &m.Records[i]
			}
		}
	}
	t.Fatalf("no record %s", key)
	return nil
}

func TestMergeThroughAddressAndMAC(t *testing.T) {
	vm := []Record{
		rec(KindVirtualMachine, "proxmox/pve/qemu/100", map[string]any{"name": "gitea"}, nil),
		rec(KindVMInterface, "proxmox/pve/qemu/100/net0", map[string]any{"name": "net0"}, map[string]string{"virtual_machine": "proxmox/pve/qemu/100"}),
		rec(KindMACAddress, "proxmox/pve/qemu/100/net0/mac", map[string]any{"mac_address": "52:54:00:00:01:00"}, map[string]string{"interface": "proxmox/pve/qemu/100/net0"}),
	}
	dev := []Record{
		rec(KindDevice, "filesystem/files/device/nas01", map[string]any{"name": "nas01"}, nil),
		rec(KindInterface, "filesystem/files/device/nas01/iface/eth0", map[string]any{"name": "eth0"}, map[string]string{"device": "filesystem/files/device/nas01"}),
		rec(KindIPAddress, "filesystem/files/device/nas01/iface/eth0/ip/10.0.0.5/24", map[string]any{"address": "10.0.0.5/24"}, map[string]string{"interface": "filesystem/files/device/nas01/iface/eth0"}),
	}
	var scan []Record
	scan = append(scan, scanned("10.0.0.7", "52:54:00:00:01:00")...) // the VM, known by its MAC only
	scan = append(scan, scanned("10.0.0.5", "")...)                  // the NAS, known by its address
	scan = append(scan, scanned("10.0.0.9", "52:54:00:00:09:00")...) // known to no one

	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}} {
		inputs := []MergeInput{{Source: "pve", Priority: 0, Records: vm}, {Source: "files", Priority: 1, Records: dev}, {Source: "lan", Priority: 2, Records: scan}}
		in := make([]MergeInput, 0, 3)
		for _, i := range order {
			in = append(in, inputs[i])
		}
		m, err := Merge(in, MergeOptions{})
		require.NoError(t, err)

		vmIP := findRec(t, m, "scanner/lan/ip/10.0.0.7")
		assert.Equal(t, "proxmox/pve/qemu/100/net0", vmIP.Refs["interface"], "on the VM interface that carries its MAC")
		assert.Equal(t, "proxmox/pve/qemu/100", findRec(t, m, "scanner/lan/ip/10.0.0.7/service/tcp/22").Refs["parent"], "on the VM")
		assert.Equal(t, "proxmox/pve/qemu/100/net0/mac", findRec(t, m, "scanner/lan/ip/10.0.0.7/mac").Key, "one MAC")

		nasIP := findRec(t, m, "scanner/lan/ip/10.0.0.5")
		assert.Equal(t, "filesystem/files/device/nas01/iface/eth0/ip/10.0.0.5/24", nasIP.Key, "one address")
		assert.Equal(t, "10.0.0.5/24", nasIP.String("address"))
		assert.Equal(t, "host.lab.example", nasIP.String("dns_name"))
		assert.Equal(t, "filesystem/files/device/nas01", findRec(t, m, "scanner/lan/ip/10.0.0.5/service/tcp/22").Refs["parent"], "on the device")

		alone := findRec(t, m, "scanner/lan/ip/10.0.0.9")
		assert.Empty(t, alone.Refs, "a MAC no interface carries: on no interface")
		assert.NotContains(t, alone.Origin, "interface")
		for _, r := range m.Records {
			assert.NotEqual(t, "scanner/lan/ip/10.0.0.9/service/tcp/22", r.Key, "a service no host holds is left out")
		}
		require.Len(t, m.Skipped, 1)
		assert.Equal(t, SkippedRecord{Source: "lan", Kind: KindService, Key: "scanner/lan/ip/10.0.0.9/service/tcp/22",
			Reason: "no device or virtual machine holds its address 10.0.0.9/32"}, m.Skipped[0])
	}
}
