package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// measurement is one sync of one case.
type measurement struct {
	Size   int    `json:"size"`
	Case   string `json:"case"`
	Repeat int    `json:"repeat"`
	// Wall is the time from starting SyncWorkflow to its result.
	Wall time.Duration `json:"wall"`
	// Requests counts NetBox requests by method; Total all of them.
	Requests map[string]int `json:"requests"`
	Total    int            `json:"total"`
	// Changed counts the objects the sync created, updated or deleted.
	Changed int `json:"changed"`
	// Expected is the number of changes the case should make.
	Expected int              `json:"expected"`
	Result   workflowsSummary `json:"result"`
	History  historyFigures   `json:"history"`
	// Worker is the worker's peak RSS and the CPU time it spent during the
	// sync; NetBoxCPU and TemporalCPU those of NetBox and the dev server.
	Worker      usage         `json:"worker"`
	NetBoxCPU   netboxCPU     `json:"netbox_cpu"`
	TemporalCPU time.Duration `json:"temporal_cpu"`
	// OtherCPU is the CPU time the rest of the machine used meanwhile
	// (the bench itself included): what may have disturbed the case.
	OtherCPU time.Duration `json:"other_cpu"`
	// StolenCPU is the time a virtual machine's hypervisor gave its
	// processors to others meanwhile (steal in /proc/stat): processor time
	// the case wanted and did not get, which moves its wall time.
	StolenCPU time.Duration `json:"stolen_cpu"`
	// Calls are the NetBox requests with their durations and object
	// counts, where the target times them.
	Calls []call `json:"calls,omitempty"`
	Err   string `json:"error,omitempty"`
}

// workflowsSummary is the part of the sync's result the table uses.
type workflowsSummary struct {
	Records       int `json:"records"`
	Planned       int `json:"planned"`
	Batches       int `json:"batches"`
	Created       int `json:"created"`
	Updated       int `json:"updated"`
	Deleted       int `json:"deleted"`
	Problems      int `json:"problems"`
	FailedBatches int `json:"failed_batches"`
	SourcesFailed int `json:"sources_failed"`
	// Counts are the plan's operations by kind and op.
	Counts []activities.OpCount `json:"counts,omitempty"`
}

func (m measurement) writes() int {
	return m.Requests["POST"] + m.Requests["PUT"] + m.Requests["PATCH"] + m.Requests["DELETE"]
}

// counters are what the bench reads before and after a case: NetBox's
// request counters and CPU time, the dev server's CPU time, and the
// worker's usage (none for the floor).
type counters struct {
	byMethod map[string]int
	total    int
	netbox   netboxCPU
	temporal time.Duration
	worker   usage
	machine  time.Duration
	stolen   time.Duration
	// calls are the requests timed since the previous snapshot.
	calls []call
}

// snapshot reads the counters; w may be nil.
func (b *bench) snapshot(ctx context.Context, w *workerProcess) (counters, error) {
	var c counters
	var err error
	c.calls = b.nb.TakeCalls()
	if c.byMethod, c.total, err = b.nb.Requests(ctx); err != nil {
		return c, err
	}
	if c.netbox, err = b.nb.CPU(); err != nil {
		return c, err
	}
	t, err := procUsage(b.temporal.pid())
	if err != nil {
		return c, err
	}
	c.temporal = t.CPU
	if c.machine, c.stolen, err = machineCPU(); err != nil {
		return c, err
	}
	if w != nil {
		if c.worker, err = w.usage(); err != nil {
			return c, err
		}
	}
	return c, nil
}

// measured records what changed between two snapshots.
func (m *measurement) measured(before, after counters) {
	m.Worker = after.worker
	m.Worker.CPU -= before.worker.CPU
	m.NetBoxCPU = after.netbox.sub(before.netbox)
	m.TemporalCPU = after.temporal - before.temporal
	m.Requests = map[string]int{}
	for method, n := range after.byMethod {
		if d := n - before.byMethod[method]; d > 0 {
			m.Requests[method] = d
		}
	}
	m.Total = after.total - before.total
	m.Calls = after.calls
	m.OtherCPU = after.machine - before.machine - m.Worker.CPU - m.NetBoxCPU.Total() - m.TemporalCPU
	m.StolenCPU = after.stolen - before.stolen
}

// result records the sync's result.
func (m *measurement) result(res workflows.SyncResult) {
	m.Result = workflowsSummary{
		Records: res.Records, Planned: res.Plan.Total, Batches: res.Plan.Batches,
		Created: res.Applied.Created, Updated: res.Applied.Updated, Deleted: res.Applied.Deleted,
		Problems: res.Applied.Problems, FailedBatches: len(res.FailedBatches), Counts: res.Plan.Counts,
	}
	for _, s := range res.Sources {
		if s.Status != "ok" {
			m.Result.SourcesFailed++
		}
	}
	// A first sync also updates objects it has just created (a device's
	// primary IP once the IP exists): those are the cost of a create, not
	// changes of their own.
	m.Changed = res.Applied.Created + res.Applied.Deleted
	if m.Case != caseFirst {
		m.Changed += res.Applied.Updated
	}
}

// check compares what a sync did with what its case should do; a
// mismatch is shown in the table, since a fast wrong sync proves nothing.
func (m measurement) check() error {
	var errs []error
	r := m.Result
	if r.SourcesFailed > 0 {
		errs = append(errs, fmt.Errorf("%d sources failed", r.SourcesFailed))
	}
	if r.Records != m.Size {
		errs = append(errs, fmt.Errorf("%d records, want %d", r.Records, m.Size))
	}
	if r.Problems > 0 || r.FailedBatches > 0 {
		errs = append(errs, fmt.Errorf("%d problems, %d failed batches", r.Problems, r.FailedBatches))
	}
	if m.Changed != m.Expected {
		errs = append(errs, fmt.Errorf("%d objects changed, want %d", m.Changed, m.Expected))
	}
	return errors.Join(errs...)
}
