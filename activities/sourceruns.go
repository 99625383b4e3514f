package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/metrics"
)

// SourceRunsRef names where the runs of the sources that write to the
// NetBox named by lockKey (ApplyLockKey) are counted. It lives in the blob
// store, outside runs/, so that every worker sharing the store counts the
// same failures in a row and a restart forgets none.
func SourceRunsRef(lockKey string) string {
	if lockKey == "" {
		lockKey = "default"
	}
	return "state/source-runs/" + lockKey + ".json"
}

// sourceRunsDoc is the document at SourceRunsRef.
type sourceRunsDoc struct {
	Sources map[string]sourceRunState `json:"sources"`
}

// sourceRunState is what the runs so far tell of one source.
type sourceRunState struct {
	// FailedRuns counts the runs in a row in which the source failed.
	FailedRuns int `json:"failed_runs"`
	// LastSuccess is the end of the last run in which it succeeded.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// LastRun is the Temporal run ID that counted last: a retried
	// RecordRun finds its own run there and counts nothing twice.
	LastRun string    `json:"last_run"`
	LastEnd time.Time `json:"last_end"`
}

// countSourceRuns adds one run's sources to the counts kept in the blob
// store, and sets each source's failures in a row and last success from
// them. A store that cannot be read or written leaves the counts of this
// worker's memory in place: the metric then counts since the worker
// started, and the error says why.
func (a *Activities) countSourceRuns(ctx context.Context, runID string, end time.Time, runs []metrics.SourceRun) error {
	if a.Blob == nil || len(runs) == 0 {
		return nil
	}
	ref := SourceRunsRef(a.Settings.ApplyLock)
	var doc sourceRunsDoc
	err := a.Blob.GetJSON(ctx, ref, &doc)
	if err != nil && !errors.Is(err, blob.ErrNotFound) {
		return fmt.Errorf("read the sources' run counts: %w", err)
	}
	if doc.Sources == nil {
		doc.Sources = map[string]sourceRunState{}
	}
	for i := range runs {
		st := nextSourceRunState(doc.Sources[runs[i].Name], runs[i].OK, runID, end)
		doc.Sources[runs[i].Name] = st
		n := st.FailedRuns
		runs[i].FailedRuns = &n
		runs[i].LastSuccess = st.LastSuccess
	}
	if _, err := a.Blob.PutJSON(ctx, ref, doc); err != nil {
		for i := range runs {
			runs[i].FailedRuns, runs[i].LastSuccess = nil, time.Time{}
		}
		return fmt.Errorf("keep the sources' run counts: %w", err)
	}
	return nil
}

// nextSourceRunState is st after a run that ended at end, in which the
// source succeeded or failed. The run that counted last counts once.
func nextSourceRunState(st sourceRunState, ok bool, runID string, end time.Time) sourceRunState {
	if runID != "" && st.LastRun == runID {
		return st
	}
	if ok {
		st.FailedRuns, st.LastSuccess = 0, end
	} else {
		st.FailedRuns++
	}
	st.LastRun, st.LastEnd = runID, end
	return st
}
