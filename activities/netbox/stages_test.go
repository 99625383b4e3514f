package netbox

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

func stageBatch(id int, kind inventory.Kind, op Op, phase Phase, n int, deps ...int) Batch {
	return Batch{ID: id, Kind: kind, Op: op, Phase: phase, Ops: make([]Operation, n), DependsOn: deps}
}

func TestStages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		batches []Batch
		want    []Stage
	}{
		{"empty plan", nil, nil},
		{"one kind in three batches", []Batch{
			stageBatch(0, inventory.KindDevice, OpCreate, PhaseMain, 100),
			stageBatch(1, inventory.KindDevice, OpCreate, PhaseMain, 100),
			stageBatch(2, inventory.KindDevice, OpCreate, PhaseMain, 7),
		}, []Stage{{Kind: "device", Op: "create", First: 0, Count: 3, Ops: 207, BatchSize: 100}}},
		{"kinds and ops start stages", []Batch{
			stageBatch(0, inventory.KindSite, OpCreate, PhaseMain, 1),
			stageBatch(1, inventory.KindDevice, OpCreate, PhaseMain, 2, 0),
			stageBatch(2, inventory.KindDevice, OpUpdate, PhaseMain, 2),
		}, []Stage{
			{Kind: "site", Op: "create", First: 0, Count: 1, Ops: 1, BatchSize: 1},
			{Kind: "device", Op: "create", First: 1, Count: 1, Ops: 2, BatchSize: 2},
			{Kind: "device", Op: "update", First: 2, Count: 1, Ops: 2, BatchSize: 2},
		}},
		{"a batch depending on one in its stage starts a new stage", []Batch{
			stageBatch(0, inventory.KindInterface, OpCreate, PhaseMain, 10),
			stageBatch(1, inventory.KindInterface, OpCreate, PhaseMain, 10),
			stageBatch(2, inventory.KindInterface, OpCreate, PhaseMain, 4, 1),
		}, []Stage{
			{Kind: "interface", Op: "create", First: 0, Count: 2, Ops: 20, BatchSize: 10},
			{Kind: "interface", Op: "create", First: 2, Count: 1, Ops: 4, BatchSize: 4},
		}},
		// A batch kept whole for one VM's disks is longer than the others.
		{"uneven batches keep their sizes", []Batch{
			stageBatch(0, inventory.KindVirtualDisk, OpCreate, PhaseMain, 10),
			stageBatch(1, inventory.KindVirtualDisk, OpCreate, PhaseMain, 12),
			stageBatch(2, inventory.KindVirtualDisk, OpCreate, PhaseMain, 3),
		}, []Stage{{Kind: "virtual_disk", Op: "create", First: 0, Count: 3, Ops: 25, BatchSize: 10, Sizes: []int{10, 12, 3}}}},
		// A late update of an object may follow its main update: the two
		// must not run at once.
		{"the late phase starts a new stage", []Batch{
			stageBatch(0, inventory.KindDevice, OpUpdate, PhaseMain, 3),
			stageBatch(1, inventory.KindDevice, OpUpdate, PhaseLate, 3),
		}, []Stage{
			{Kind: "device", Op: "update", First: 0, Count: 1, Ops: 3, BatchSize: 3},
			{Kind: "device", Op: "update", Phase: "late", First: 1, Count: 1, Ops: 3, BatchSize: 3},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, (&Plan{Batches: tc.batches}).Stages())
		})
	}
}

func TestStageBatchOps(t *testing.T) {
	s := Stage{Count: 3, Ops: 207, BatchSize: 100}
	assert.Equal(t, []int{100, 100, 7, 0}, []int{s.BatchOps(0), s.BatchOps(1), s.BatchOps(2), s.BatchOps(3)})
	assert.Zero(t, Stage{}.BatchOps(0))
	uneven := Stage{Count: 3, Ops: 25, BatchSize: 10, Sizes: []int{10, 12, 3}}
	assert.Equal(t, []int{10, 12, 3, 0}, []int{uneven.BatchOps(0), uneven.BatchOps(1), uneven.BatchOps(2), uneven.BatchOps(3)})
}
