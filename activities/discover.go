package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/metrics"
)

// errorType is the type name of a classified error, empty for others.
func errorType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}

// maxWarnings bounds the warnings a result carries; the snapshot keeps all.
const maxWarnings = 20

// DiscoverInput names the run and the source to discover.
type DiscoverInput struct {
	Run    string `json:"run"`
	Source string `json:"source"`
}

// DiscoverResult references the snapshot and sums it up.
type DiscoverResult struct {
	Source   string         `json:"source"`
	Type     string         `json:"type"`
	Ref      string         `json:"ref"`
	Records  int            `json:"records"`
	ByKind   map[string]int `json:"by_kind,omitempty"`
	Warnings []string       `json:"warnings,omitempty"`
	// WarningCount counts every warning, including those not listed.
	WarningCount int           `json:"warning_count"`
	Duration     time.Duration `json:"duration"`
	// Gaps counts the parts of the system the discovery could not see;
	// GapsRef names where they are, empty when there are none.
	Gaps    int    `json:"gaps,omitempty"`
	GapsRef string `json:"gaps_ref,omitempty"`
}

// SourceResult is how one source fared in a run: the workflow's result
// and progress show it, and the plan reads it to orphan only what sources
// that succeeded no longer report.
type SourceResult struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Status   string `json:"status"` // ok or failed; running in a run's progress while it discovers
	Records  int    `json:"records"`
	Warnings int    `json:"warnings"`
	Error    string `json:"error,omitempty"`
}

// Source statuses.
const (
	SourceOK     = "ok"
	SourceFailed = "failed"
	// SourceRunning is a source whose discovery has not ended yet; only a
	// run's progress shows it, never its result.
	SourceRunning = "running"
)

// Succeeded reports whether the source's discovery succeeded, so that its
// orphans may be handled.
func (s SourceResult) Succeeded() bool { return s.Status == SourceOK }

// SnapshotRef names where a source's discovered records live.
func SnapshotRef(run, src string) string {
	return fmt.Sprintf("runs/%s/snapshots/%s.json", run, src)
}

// WarningsRef names where every warning of a source's discovery lives.
func WarningsRef(run, src string) string {
	return fmt.Sprintf("runs/%s/snapshots/%s.warnings.json", run, src)
}

// SnapshotGapsRef names where the gaps of a source's discovery live.
func SnapshotGapsRef(run, src string) string {
	return fmt.Sprintf("runs/%s/snapshots/%s.gaps.json", run, src)
}

// Discover runs one source and writes its snapshot to the blob store. A
// retry resumes from the progress the last attempt heartbeated.
func (a *Activities) Discover(ctx context.Context, in DiscoverInput) (DiscoverResult, error) {
	inst, ok := a.source(in.Source)
	if !ok || inst.Source == nil {
		return DiscoverResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("source %q is not served by this worker", in.Source), ErrTypeSourceConfig, nil)
	}
	log := a.Log.With(zap.String("source", inst.Name), zap.String("source_type", inst.Type))
	start := time.Now()
	var snap *source.Snapshot
	var err error
	if st, ok := inst.Source.(source.Stateful); ok {
		snap, err = a.discoverStateful(ctx, in.Run, inst.Name, st, heartbeatProgress(ctx))
	} else {
		snap, err = inst.Source.Discover(ctx, heartbeatProgress(ctx))
	}
	if err != nil {
		log.Warn("discovery failed", zap.Error(err))
		err = classify(fmt.Errorf("discover %s: %w", inst.Name, err))
		a.Metrics.Discovered(metrics.Discovery{Source: inst.Name, Duration: time.Since(start), Failed: true, ErrorType: errorType(err)})
		return DiscoverResult{}, err
	}
	snap.Source, snap.Type = inst.Name, inst.Type
	var invalid []string
	valid := snap.Records[:0]
	for _, r := range snap.Records {
		r.Source = inst.Name
		if err := r.Validate(); err != nil {
			invalid = append(invalid, err.Error())
			// what NetBox holds of a record left out is kept, not orphaned
			snap.Gaps = append(snap.Gaps, inventory.Gap{Under: r.Key, Kinds: inventory.WithParts(r.Kind),
				Why: "record not valid: " + err.Error()})
			continue
		}
		valid = append(valid, r)
	}
	snap.Records = valid
	snap.Warnings = append(snap.Warnings, invalid...)
	inventory.Sort(snap.Records)

	// The records go alone into the snapshot blob, a JSON array the merge
	// reads one record at a time; the warnings, for a person to read, beside it.
	ref := SnapshotRef(in.Run, inst.Name)
	if _, err := a.Blob.PutJSON(ctx, ref, snap.Records); err != nil {
		return DiscoverResult{}, classify(err)
	}
	if len(snap.Warnings) > 0 {
		if _, err := a.Blob.PutJSON(ctx, WarningsRef(in.Run, inst.Name), snap.Warnings); err != nil {
			return DiscoverResult{}, classify(err)
		}
	}
	res := DiscoverResult{
		Source: inst.Name, Type: inst.Type, Ref: ref, Records: len(snap.Records),
		ByKind: map[string]int{}, WarningCount: len(snap.Warnings), Duration: time.Since(start),
		Gaps: len(snap.Gaps),
	}
	if len(snap.Gaps) > 0 {
		res.GapsRef = SnapshotGapsRef(in.Run, inst.Name)
		if _, err := a.Blob.PutJSON(ctx, res.GapsRef, snap.Gaps); err != nil {
			return DiscoverResult{}, classify(err)
		}
	}
	for _, r := range snap.Records {
		res.ByKind[string(r.Kind)]++
	}
	res.Warnings = snap.Warnings[:min(len(snap.Warnings), maxWarnings)]
	a.Metrics.Discovered(metrics.Discovery{Source: inst.Name, Duration: res.Duration, ByKind: res.ByKind})
	log.Info("discovered", zap.Int("records", res.Records), zap.Int("warnings", res.WarningCount),
		zap.Int("gaps", res.Gaps), zap.Duration("took", res.Duration))
	return res, nil
}

// activityProgress adapts Temporal heartbeats to source.Progress. It holds
// functions rather than the context so that the context stays a parameter.
type activityProgress struct {
	report func(details any)
	resume func(v any) bool
}

func (p activityProgress) Report(details any) { p.report(details) }
func (p activityProgress) Resume(v any) bool  { return p.resume(v) }

func heartbeatProgress(ctx context.Context) activityProgress {
	return activityProgress{
		report: func(details any) { activity.RecordHeartbeat(ctx, details) },
		resume: func(v any) bool {
			if !activity.HasHeartbeatDetails(ctx) {
				return false
			}
			// A heartbeat from an older worker version may not decode; then
			// the discovery starts over, which is slower but still correct.
			return activity.GetHeartbeatDetails(ctx, v) == nil
		},
	}
}
