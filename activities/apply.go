package activities

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/netbox"
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
}

// ApplyResult is what one batch did.
type ApplyResult struct {
	Batch     int `json:"batch"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Deleted   int `json:"deleted"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	Problems  int `json:"problems"`
	// SkippedBatch is set when the whole batch was skipped, with the reason.
	SkippedBatch string `json:"skipped_batch,omitempty"`
	// Messages holds the first problems, for the history and the UI.
	Messages []string `json:"messages,omitempty"`
}

// Apply writes one batch of a plan to NetBox with NetBox's bulk forms. It
// reads only that batch from the blob store.
// Applying the same batch twice is safe: the engine looks creates up by
// agent_id first.
func (a *Activities) Apply(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	var b netbox.Batch
	if err := a.Blob.GetJSON(ctx, BatchRef(in.PlanRef, in.Batch), &b); err != nil {
		return ApplyResult{}, classify(fmt.Errorf("load batch %d of plan %s: %w", in.Batch, in.PlanRef, err))
	}
	r, err := a.NetBox.Apply(ctx, netbox.ApplyRequest{Plan: &netbox.Plan{Batches: []netbox.Batch{b}}, Batch: in.Batch,
		Failed: in.Failed, Run: netbox.Run{ID: in.Run, NetBoxVersion: in.NetBoxVersion}})
	if err != nil {
		return ApplyResult{}, classify(fmt.Errorf("apply batch %d: %w", in.Batch, err))
	}
	res := fromBatchResult(in.Batch, r)
	if res.Problems > 0 {
		a.Log.Warn("batch applied with problems", zap.Int("batch", in.Batch), zap.Int("problems", res.Problems), zap.Strings("first", res.Messages))
	}
	return res, nil
}

func fromBatchResult(batch int, r netbox.BatchResult) ApplyResult {
	res := ApplyResult{
		Batch: batch, Created: r.Created, Updated: r.Updated, Deleted: r.Deleted,
		Unchanged: r.Unchanged, Skipped: r.Skipped, Failed: r.Failed, Problems: len(r.Problems),
		SkippedBatch: r.SkippedReason,
	}
	for i, p := range r.Problems {
		if i == maxWarnings {
			break
		}
		res.Messages = append(res.Messages, p.String())
	}
	return res
}
