package source

import (
	"slices"
	"testing"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

func TestBuilderGaps(t *testing.T) {
	b := NewBuilder("proxmox", "alpha")
	vm := b.Key("qemu", "100")
	b.Unseen(vm, "qemu 100: guest agent not running", inventory.KindIPAddress)
	b.PartsUnseen(inventory.KindVirtualMachine, b.Key("qemu", "101"), "node pve2 offline")
	b.KindsUnseen("sharing.nfs.query failed")
	snap := b.Snapshot(nil)
	if len(snap.Gaps) != 2 {
		t.Fatalf("gaps = %+v, want two (a gap of no kinds is dropped)", snap.Gaps)
	}
	if snap.Gaps[0].Under != vm || !slices.Equal(snap.Gaps[0].Kinds, []inventory.Kind{inventory.KindIPAddress}) {
		t.Errorf("first gap = %+v", snap.Gaps[0])
	}
	if !snap.Gaps[1].Covers(inventory.KindVirtualDisk, b.Key("qemu", "101", "disk", "scsi0")) {
		t.Errorf("the offline guest's disks are not in its gap: %+v", snap.Gaps[1])
	}
	if snap.Gaps[1].Covers(inventory.KindVirtualMachine, b.Key("qemu", "101")) {
		t.Error("the guest itself was seen")
	}
}
