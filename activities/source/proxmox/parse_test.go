package proxmox

import (
	"encoding/json"
	"testing"

	px "github.com/luthermonson/go-proxmox"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseNet(t *testing.T) {
	cases := []struct {
		name, typ, value string
		want             netSpec
		description      string
	}{
		{"qemu model first", "qemu", "virtio=BC:24:11:2E:C5:4A,bridge=vmbr0,firewall=1,tag=20",
			netSpec{Key: "net0", Model: "virtio", MAC: "BC:24:11:2E:C5:4A", Bridge: "vmbr0", Tag: "20"}, "virtio, bridge vmbr0, VLAN 20"},
		{"qemu model and macaddr keys", "qemu", "model=virtio,macaddr=BC:24:11:B0:00:02,bridge=vmbr0,mtu=9000",
			netSpec{Key: "net0", Model: "virtio", MAC: "BC:24:11:B0:00:02", Bridge: "vmbr0", MTU: 9000}, "virtio, bridge vmbr0"},
		{"qemu mtu 1 inherits the bridge", "qemu", "e1000=BC:24:11:B0:00:01,bridge=vmbr0,mtu=1,link_down=1",
			netSpec{Key: "net0", Model: "e1000", MAC: "BC:24:11:B0:00:01", Bridge: "vmbr0", LinkDown: true}, "e1000, bridge vmbr0"},
		{"qemu trunks", "qemu", "vmxnet3=BC:24:11:00:00:01,bridge=vmbr1,trunks=10;20;30",
			netSpec{Key: "net0", Model: "vmxnet3", MAC: "BC:24:11:00:00:01", Bridge: "vmbr1", Trunks: "10;20;30"}, "vmxnet3, bridge vmbr1, trunks 10;20;30"},
		{"lxc", "lxc", "name=eth0,bridge=vmbr0,firewall=1,hwaddr=BC:24:11:89:67:07,ip=dhcp,ip6=auto,tag=20,type=veth,mtu=1450",
			netSpec{Key: "net0", Name: "eth0", MAC: "BC:24:11:89:67:07", Bridge: "vmbr0", Tag: "20", IP: "dhcp", IP6: "auto", MTU: 1450}, "eth0, bridge vmbr0, VLAN 20"},
		{"lxc static without hwaddr", "lxc", "name=eth0,bridge=vmbr0,ip=10.0.0.5/24,gw=10.0.0.1,type=veth",
			netSpec{Key: "net0", Name: "eth0", Bridge: "vmbr0", IP: "10.0.0.5/24"}, "eth0, bridge vmbr0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := parseNet(tc.typ, "net0", tc.value)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.description, got.description())
		})
	}
}

func TestParseDisk(t *testing.T) {
	cases := []struct {
		key, value string
		ok         bool
		sizeMB     int64
		desc       string
	}{
		{"scsi0", "local-lvm:vm-100-disk-0,iothread=1,size=32G", true, 32768, "local-lvm:vm-100-disk-0"},
		{"virtio0", "file=ceph:vm-100-disk-1,discard=on,size=1T", true, 1 << 20, "ceph:vm-100-disk-1"},
		{"sata0", "local:100/vm-100-disk-2.qcow2,size=1.5G", true, 1536, "local:100/vm-100-disk-2.qcow2"},
		{"scsi1", "local-lvm:vm-100-disk-3,size=528K", true, 1, "local-lvm:vm-100-disk-3"},
		{"scsi2", "local-lvm:vm-100-disk-4,size=10737418240", true, 10240, "local-lvm:vm-100-disk-4"},
		{"ide2", "local:iso/debian-12.iso,media=cdrom,size=629M", false, 0, ""},
		{"ide2", "local-lvm:vm-100-cloudinit,media=cdrom", false, 0, ""},
		{"ide0", "none,media=cdrom", false, 0, ""},
		{"sata1", "/dev/disk/by-id/ata-ST4000NM0035,backup=0", false, 0, ""},
		{"scsi3", "local-lvm:vm-100-disk-5", false, 0, ""},
		{"rootfs", "local-zfs:subvol-100-disk-0,size=8G", true, 8192, "local-zfs:subvol-100-disk-0"},
		{"mp0", "local-zfs:subvol-100-disk-1,mp=/var/lib/bind,backup=1,size=16G", true, 16384, "local-zfs:subvol-100-disk-1 at /var/lib/bind"},
		{"mp1", "/srv/shared,mp=/shared", false, 0, ""},
		{"scsi4", "local-lvm:vm-100-disk-6,size=2047T", true, 2047 << 20, "local-lvm:vm-100-disk-6"},
		{"scsi5", "local-lvm:vm-100-disk-7,size=2048T", false, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.key+" "+tc.value, func(t *testing.T) {
			got, ok := parseDisk(tc.key, tc.value)
			require.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, tc.sizeMB, got.SizeMB)
				assert.Equal(t, tc.desc, got.description())
			}
		})
	}
}

func TestSmallParsers(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		for in, want := range map[string]int64{"4096": 4096, "current=2048": 2048, "": 0, "lots": 0} {
			got, ok := parseMemoryMB(in)
			assert.Equal(t, want, got, in)
			assert.Equal(t, want > 0, ok, in)
		}
	})
	t.Run("tags", func(t *testing.T) {
		assert.Equal(t, []string{"prod", "web", "eu", "x"}, splitTags("prod;web,eu x"))
		assert.Empty(t, splitTags(""))
	})
	t.Run("platform", func(t *testing.T) {
		for _, tc := range []struct {
			v    *px.Version
			want string
		}{
			{&px.Version{Release: "8.4", Version: "8.4-1"}, "Proxmox VE 8.4"},
			{&px.Version{Release: "", Version: "9.1.2"}, "Proxmox VE 9.1"},
			{&px.Version{Release: "7.4", Version: "7.4-17"}, "Proxmox VE 7.4"},
			{&px.Version{}, ""},
			{nil, ""},
		} {
			assert.Equal(t, tc.want, platformName(tc.v))
		}
	})
	t.Run("guest status", func(t *testing.T) {
		for in, want := range map[string]string{"running": "active", "stopped": "offline", "paused": "offline", "suspended": "offline", "unknown": "offline", "": ""} {
			assert.Equal(t, want, guestStatus(in), in)
		}
	})
	t.Run("agent", func(t *testing.T) {
		for in, want := range map[string]bool{"1": true, "enabled=1,fstrim_cloned_disks=1": true, "0": false, "enabled=0": false, "": false, "fstrim_cloned_disks=1": false} {
			assert.Equal(t, want, agentEnabled(in), in)
		}
	})
	t.Run("prefix length", func(t *testing.T) {
		for in, want := range map[string]int{"24": 24, "255.255.255.0": 24, "255.255.0.0": 16, "64": 64} {
			got, ok := prefixLength(in)
			assert.True(t, ok, in)
			assert.Equal(t, want, got, in)
		}
		_, ok := prefixLength("255.0.255.0")
		assert.False(t, ok)
	})
	t.Run("vlan parent", func(t *testing.T) {
		assert.Equal(t, "vmbr2", vlanParent(nodeInterface{Iface: "vmbr2.8", VLANRawDevice: "vmbr2"}))
		assert.Equal(t, "eno1", vlanParent(nodeInterface{Iface: "eno1.20"}))
		assert.Equal(t, "", vlanParent(nodeInterface{Iface: "vlan20"}))
	})
	t.Run("device order", func(t *testing.T) {
		keys := guestConfig{"net10": "", "net2": "", "net0": "", "name": ""}.keys(func(k string) bool { return hasIndexedPrefix(k, "net") })
		assert.Equal(t, []string{"net0", "net2", "net10"}, keys)
	})
}

// The API returns the same field as a number or a string, and some fields
// go-proxmox's types cannot hold; one such field must not fail a whole answer.
func TestLenientDecoding(t *testing.T) {
	t.Run("fractional maxcpu in resources", func(t *testing.T) {
		var rs []resource
		require.NoError(t, json.Unmarshal([]byte(`[{"id":"lxc/100","type":"lxc","vmid":"100","maxcpu":0.5,"template":null}]`), &rs))
		assert.Equal(t, flexNumber(0.5), rs[0].MaxCPU)
		assert.Equal(t, flexNumber(100), rs[0].VMID)
		var typed px.ClusterResources
		assert.Error(t, json.Unmarshal([]byte(`[{"maxcpu":0.5}]`), &typed), "go-proxmox's type fails on it")
	})
	t.Run("mtu as a number or a string", func(t *testing.T) {
		var ni []nodeInterface
		require.NoError(t, json.Unmarshal([]byte(`[{"iface":"a","mtu":9000,"active":"1"},{"iface":"b","mtu":"1500","active":1}]`), &ni))
		assert.Equal(t, flexNumber(9000), ni[0].MTU)
		assert.Equal(t, flexNumber(1500), ni[1].MTU)
		assert.Equal(t, flexNumber(1), ni[0].Active)
	})
	t.Run("null level in cluster status", func(t *testing.T) {
		var st []clusterStatusEntry
		require.NoError(t, json.Unmarshal([]byte(`[{"type":"node","name":"a","level":null,"online":1,"ip":null}]`), &st))
		assert.Equal(t, flexString("a"), st[0].Name)
	})
	t.Run("config with fractional cpulimit and list values", func(t *testing.T) {
		var cfg guestConfig
		require.NoError(t, json.Unmarshal([]byte(`{"cores":2,"cpulimit":1.5,"memory":"current=4096","lxc":[["lxc.apparmor.profile","unconfined"]],"net0":"name=eth0"}`), &cfg))
		assert.Equal(t, guestConfig{"cores": "2", "cpulimit": "1.5", "memory": "current=4096", "net0": "name=eth0"}, cfg)
	})
	t.Run("not a number", func(t *testing.T) {
		var n flexNumber
		assert.Error(t, json.Unmarshal([]byte(`"abc"`), &n))
		assert.Error(t, json.Unmarshal([]byte(`{}`), &n))
	})
}
