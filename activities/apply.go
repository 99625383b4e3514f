package activities

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/metrics"
)

// ApplyInput names one batch of a plan, and the batches that failed so far
// so that a batch depending on one of them is skipped rather than tried.
type ApplyInput struct {
	PlanRef string `json:"plan_ref"`
	Batch   int    `json:"batch"`
	Failed  []int  `json:"failed,omitempty"`
	// Run names the run in NetBox's changelog, and NetBoxVersion is the
	// release the run read when it planned (PlanResult.NetBoxVersion).
	Run           string `json:"run,omitempty"`
	NetBoxVersion string `json:"netbox_version,omitempty"`
	// Branch is the schema ID of the netbox-branching branch the batch is
	// written into; "" for main.
	Branch string `json:"branch,omitempty"`
}

// Apply writes one batch of a plan to NetBox with NetBox's bulk forms. It
// reads only that batch from the blob store.
// Applying the same batch twice is safe: the engine looks creates up by
// agent_id first.
func (a *Activities) Apply(ctx context.Context, in ApplyInput) (netbox.BatchResult, error) {
	defer keepAlive(ctx)()
	var b netbox.Batch
	if err := a.Blob.GetJSON(ctx, BatchRef(in.PlanRef, in.Batch), &b); err != nil {
		return netbox.BatchResult{}, classify(fmt.Errorf("load batch %d of plan %s: %w", in.Batch, in.PlanRef, err))
	}
	start := time.Now()
	res, err := a.NetBox.Apply(ctx, netbox.ApplyRequest{Plan: &netbox.Plan{Batches: []netbox.Batch{b}}, Batch: in.Batch,
		Failed: in.Failed, Run: netbox.Run{ID: in.Run, NetBoxVersion: in.NetBoxVersion, Branch: in.Branch}})
	// The batch's objects count once: an attempt that failed counts none.
	a.Metrics.BatchApplied(metrics.Batch{Kind: string(b.Kind), Op: string(b.Op), Duration: time.Since(start),
		Created: res.Created, Updated: res.Updated, Deleted: res.Deleted, FailedObject: res.Failed})
	if err != nil {
		return netbox.BatchResult{}, classify(fmt.Errorf("apply batch %d: %w", in.Batch, err))
	}
	// The history and the UI get the first problems, the log too; the
	// whole list goes to the blob store, and the count stays whole.
	if len(res.Problems) > maxWarnings {
		ref := ProblemsRef(in.PlanRef, in.Batch)
		if _, err := a.Blob.PutJSON(ctx, ref, res.Problems); err != nil {
			return netbox.BatchResult{}, classify(fmt.Errorf("store the problems of batch %d: %w", in.Batch, err))
		}
		res.ProblemsRef = ref
		res.Problems = res.Problems[:maxWarnings]
	}
	if res.Tally.Problems > 0 {
		first := make([]string, len(res.Problems))
		for i, p := range res.Problems {
			first[i] = p.String()
		}
		a.Log.Warn("batch applied with problems", zap.Int("batch", in.Batch), zap.Int("problems", res.Tally.Problems),
			zap.Strings("first", first), zap.String("all", res.ProblemsRef))
	}
	return res, nil
}
