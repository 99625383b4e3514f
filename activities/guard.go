package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// GuardBaselineRef names where the mass-delete guard's baseline of the
// NetBox named by lockKey (ApplyLockKey) lives. It is outside runs/, so
// that pruning old runs never drops it.
func GuardBaselineRef(lockKey string) string {
	if lockKey == "" {
		lockKey = "default"
	}
	return "state/guard-baseline/" + lockKey + ".json"
}

// GuardRef names where the guard's entries of the plan at planRef live,
// for the step that keeps the baseline after the plan applied.
func GuardRef(planRef string) string {
	return strings.TrimSuffix(planRef, ".json") + "/guard.json"
}

// guardBaseline is the document at GuardBaselineRef.
type guardBaseline struct {
	// Baseline counts, by source and kind, what the last run that applied
	// its plan left.
	Baseline netbox.Baseline `json:"baseline"`
	// Run and Plan name that run and its plan; UpdatedAt is its end.
	Run       string    `json:"run,omitempty"`
	Plan      string    `json:"plan,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// loadBaseline reads the guard's baseline; none kept yet is an empty one.
func (a *Activities) loadBaseline(ctx context.Context) (guardBaseline, error) {
	var doc guardBaseline
	err := a.Blob.GetJSON(ctx, GuardBaselineRef(a.Settings.ApplyLock), &doc)
	if errors.Is(err, blob.ErrNotFound) {
		return guardBaseline{}, nil
	}
	if err != nil {
		return guardBaseline{}, fmt.Errorf("read the mass-delete guard's baseline: %w", err)
	}
	return doc, nil
}

// checkAllowDeletes refuses a let-through list with a bad entry, for good.
func checkAllowDeletes(list []string) error {
	if err := netbox.ParseAllowDeletes(list); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeBadRequest, nil)
	}
	return nil
}

// KeepBaselineInput names the plan a run applied without a failed batch.
type KeepBaselineInput struct {
	PlanRef string    `json:"plan_ref"`
	Run     string    `json:"run"`
	Now     time.Time `json:"now"`
}

// KeepBaselineResult says what the new baseline holds and which kinds it
// lowered because the run let their drop through.
type KeepBaselineResult struct {
	Kinds   int      `json:"kinds"`
	Lowered []string `json:"lowered,omitempty"`
}

// KeepBaseline writes the mass-delete guard's baseline after a run that
// applied its plan without a failed batch (netbox.NextBaseline): counts
// rise with the sources and fall only where the run let a drop through.
// A plan made before the guard kept its entries beside it changes nothing.
func (a *Activities) KeepBaseline(ctx context.Context, in KeepBaselineInput) (KeepBaselineResult, error) {
	var entries []netbox.GuardEntry
	err := a.Blob.GetJSON(ctx, GuardRef(in.PlanRef), &entries)
	if errors.Is(err, blob.ErrNotFound) {
		a.Log.Warn("the plan has no guard entries beside it; the baseline stays as it is", zap.String("plan", in.PlanRef))
		return KeepBaselineResult{}, nil
	}
	if err != nil {
		return KeepBaselineResult{}, classify(fmt.Errorf("read the plan's guard entries: %w", err))
	}
	prev, err := a.loadBaseline(ctx)
	if err != nil {
		return KeepBaselineResult{}, classify(err)
	}
	next := guardBaseline{Baseline: netbox.NextBaseline(prev.Baseline, entries), Run: in.Run, Plan: in.PlanRef, UpdatedAt: in.Now}
	if _, err := a.Blob.PutJSON(ctx, GuardBaselineRef(a.Settings.ApplyLock), next); err != nil {
		return KeepBaselineResult{}, classify(fmt.Errorf("write the mass-delete guard's baseline: %w", err))
	}
	var res KeepBaselineResult
	for _, kinds := range next.Baseline {
		res.Kinds += len(kinds)
	}
	for _, e := range entries {
		if e.Allowed {
			res.Lowered = append(res.Lowered, fmt.Sprintf("%s/%s: %d -> %d", e.Source, e.Kind, e.Baseline, e.Present))
		}
	}
	if len(res.Lowered) > 0 {
		a.Log.Info("mass-delete guard baseline lowered where deletions were let through", zap.Strings("kinds", res.Lowered))
	}
	return res, nil
}
