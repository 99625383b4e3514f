package inventory

import (
	"slices"
	"testing"
)

func TestParts(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		want []Kind
	}{
		{KindVirtualMachine, []Kind{KindVMInterface, KindVirtualDisk, KindMACAddress, KindIPAddress, KindService}},
		{KindDevice, []Kind{KindInterface, KindMACAddress, KindIPAddress, KindService}},
		{KindIPAddress, nil},
	} {
		got := Parts(tc.kind)
		slices.SortFunc(got, func(a, b Kind) int { return a.Order() - b.Order() })
		want := slices.Clone(tc.want)
		slices.SortFunc(want, func(a, b Kind) int { return a.Order() - b.Order() })
		if !slices.Equal(got, want) {
			t.Errorf("Parts(%s) = %v, want %v", tc.kind, got, want)
		}
	}
}

func TestGapCovers(t *testing.T) {
	g := Gap{Under: "proxmox/a/qemu/100", Kinds: []Kind{KindIPAddress}}
	for _, tc := range []struct {
		kind Kind
		key  string
		want bool
	}{
		{KindIPAddress, "proxmox/a/qemu/100/iface/net0/ip/10.0.0.5%2F24", true},
		{KindIPAddress, "proxmox/a/qemu/1000/iface/net0/ip/10.0.0.5%2F24", false},
		{KindVMInterface, "proxmox/a/qemu/100/iface/net0", false},
		{KindIPAddress, "proxmox/a/qemu/100", true},
	} {
		if got := g.Covers(tc.kind, tc.key); got != tc.want {
			t.Errorf("Covers(%s, %s) = %v, want %v", tc.kind, tc.key, got, tc.want)
		}
	}
	whole := Gap{Kinds: []Kind{KindService}}
	if !whole.Covers(KindService, "truenas/nas1/service/nfs") || whole.Covers(KindDevice, "truenas/nas1") {
		t.Error("a gap without Under covers its kinds of the whole source, nothing else")
	}
}
