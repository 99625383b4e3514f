package activities

import (
	"context"
	"fmt"
	"path"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// MergeInput lists the snapshots of the sources that succeeded.
type MergeInput struct {
	Run       string           `json:"run"`
	Snapshots []DiscoverResult `json:"snapshots"`
}

// MergeResult references the merged inventory and its match report.
type MergeResult struct {
	Ref       string `json:"ref"`
	ReportRef string `json:"report_ref"`
	Records   int    `json:"records"`
	// Merged counts records that were joined into another.
	Merged int `json:"merged"`
	// Conflicts counts the matches refused (two records of one source,
	// different serials, a pin apart); the report lists them.
	Conflicts int `json:"conflicts,omitempty"`
	// Skipped counts the input records left out; the report lists them.
	Skipped int `json:"skipped,omitempty"`
	// Gaps counts the parts of the systems the sources could not see; the
	// blob at GapsRef(Ref) holds them by source.
	Gaps int `json:"gaps,omitempty"`
	// FieldConflicts counts the fields on which a merged record's sources
	// disagreed; the report lists each with its values and how it was settled.
	FieldConflicts int `json:"field_conflicts,omitempty"`
}

// GapsRef names where the gaps of the merged inventory at inventoryRef
// live: a JSON object of each source's gaps (inventory.Gap) by its name.
func GapsRef(inventoryRef string) string {
	return strings.TrimSuffix(inventoryRef, ".json") + ".gaps.json"
}

// InventoryRef names where a run's merged inventory lives.
func InventoryRef(run string) string { return fmt.Sprintf("runs/%s/inventory.json", run) }

// MatchReportRef names where a run's match report (an inventory.MergeReport) lives.
func MatchReportRef(run string) string { return fmt.Sprintf("runs/%s/matches.json", run) }

// MatchReportRefOf names the match report written beside the merged
// inventory at inventoryRef.
func MatchReportRefOf(inventoryRef string) string {
	return path.Join(path.Dir(inventoryRef), "matches.json")
}

// Merge joins the snapshots into one inventory: records that describe the
// same thing become one, each field from the source with authority for it.
func (a *Activities) Merge(ctx context.Context, in MergeInput) (MergeResult, error) {
	defer keepAlive(ctx)()
	inputs := make([]inventory.MergeInput, 0, len(in.Snapshots))
	for i, s := range in.Snapshots {
		activity.RecordHeartbeat(ctx, map[string]int{"snapshots_read": i, "snapshots_total": len(in.Snapshots)})
		records := make([]inventory.Record, 0, s.Records)
		err := blob.EachJSON(ctx, a.Blob, s.Ref, func(r *inventory.Record) error {
			inventory.NormalizeRecord(r)
			records = append(records, *r)
			return nil
		})
		if err != nil {
			return MergeResult{}, classify(fmt.Errorf("read snapshot of %s: %w", s.Source, err))
		}
		prio := len(a.Sources)
		if inst, ok := a.source(s.Source); ok {
			prio = inst.Priority
		}
		inputs = append(inputs, inventory.MergeInput{Source: s.Source, Priority: prio, Records: records})
	}
	gaps, err := a.readGaps(ctx, in.Snapshots)
	if err != nil {
		return MergeResult{}, classify(err)
	}
	joined, err := inventory.Join(inputs, a.MergeOptions)
	if err != nil {
		return MergeResult{}, classify(fmt.Errorf("merge snapshots: %w", err))
	}
	report := joined.Report()
	res := MergeResult{Ref: InventoryRef(in.Run), ReportRef: MatchReportRef(in.Run), Records: joined.Len(),
		Merged: len(report.Matches), Conflicts: len(report.Conflicts), Skipped: len(report.Skipped),
		FieldConflicts: len(report.Fields)}
	// Each merged record is made as it is written, so that the inventory
	// is never held beside the snapshots.
	_, err = a.Blob.PutEach(ctx, res.Ref, func(put func(any) error) error {
		return joined.Each(func(r *inventory.Record) error { return put(r) })
	})
	if err != nil {
		return MergeResult{}, classify(err)
	}
	if _, err := a.Blob.PutJSON(ctx, res.ReportRef, report); err != nil {
		return MergeResult{}, classify(err)
	}
	// Written even when empty, so that the plan can tell "no gaps" from
	// an inventory merged before gaps existed.
	if _, err := a.Blob.PutJSON(ctx, GapsRef(res.Ref), gaps); err != nil {
		return MergeResult{}, classify(err)
	}
	for _, g := range gaps {
		res.Gaps += len(g)
	}
	a.Log.Info("merged", zap.Int("records", res.Records), zap.Int("merged", res.Merged),
		zap.Int("conflicts", res.Conflicts), zap.Int("skipped", res.Skipped), zap.Int("gaps", res.Gaps),
		zap.Int("field_conflicts", res.FieldConflicts))
	return res, nil
}

// readGaps reads the gaps of each snapshot, by source: the merged
// inventory carries them all to the plan.
func (a *Activities) readGaps(ctx context.Context, snaps []DiscoverResult) (map[string][]inventory.Gap, error) {
	out := map[string][]inventory.Gap{}
	for _, s := range snaps {
		if s.GapsRef == "" {
			continue
		}
		var gaps []inventory.Gap
		if err := a.Blob.GetJSON(ctx, s.GapsRef, &gaps); err != nil {
			return nil, fmt.Errorf("read gaps of %s: %w", s.Source, err)
		}
		out[s.Source] = append(out[s.Source], gaps...)
	}
	return out, nil
}
