package metrics

import (
	"strconv"
	"sync"
	"time"
)

// Discovery is one discovery attempt of a source on this worker.
type Discovery struct {
	Source   string
	Duration time.Duration
	// ByKind counts the records of a successful attempt per kind.
	ByKind map[string]int
	// ErrorType is the failed attempt's error type (SourceAuth, ...); empty
	// when the attempt succeeded.
	ErrorType string
	Failed    bool
}

// Discovered records a discovery attempt: its duration, and the records per
// kind when it succeeded or its error type when it failed.
func (m *Metrics) Discovered(d Discovery) {
	if m == nil {
		return
	}
	m.sourceDuration.WithLabelValues(d.Source).Set(d.Duration.Seconds())
	if d.Failed {
		m.sourceErrors.WithLabelValues(d.Source, orUnknown(d.ErrorType)).Inc()
		return
	}
	// A kind the source no longer reports leaves no stale figure behind.
	m.sourceRecords.DeletePartialMatch(map[string]string{"source": d.Source})
	for kind, n := range d.ByKind {
		m.sourceRecords.WithLabelValues(d.Source, kind).Set(float64(n))
	}
}

// Batch is one apply batch that ended on this worker.
type Batch struct {
	Kind, Op string
	Duration time.Duration
	// The objects the batch wrote; an attempt that failed as a whole wrote
	// none that count.
	Created, Updated, Deleted, FailedObject int
}

// BatchApplied records an apply batch's duration and what it wrote.
func (m *Metrics) BatchApplied(b Batch) {
	if m == nil {
		return
	}
	m.batchDuration.WithLabelValues(b.Kind, b.Op).Observe(b.Duration.Seconds())
	for op, n := range map[string]int{"created": b.Created, "updated": b.Updated, "deleted": b.Deleted, "failed": b.FailedObject} {
		m.objects.WithLabelValues(b.Kind, op).Add(float64(n))
	}
}

// SourceRun is how one source fared in a run.
type SourceRun struct {
	Name string
	OK   bool
	// GuardBlocked is set when the mass-delete guard blocked the orphaning
	// of some of the source's kinds; BlockedKinds names them.
	GuardBlocked bool
	BlockedKinds []string
	// FailedRuns, when set, counts the runs in a row in which the source
	// failed, as every worker of the blob store counts them; unset, the
	// worker counts the runs it saw itself. LastSuccess, when set, is the
	// end of the last run in which it succeeded.
	FailedRuns  *int
	LastSuccess time.Time
}

// Run is a run that ended: what the workflow's result says.
type Run struct {
	DryRun bool
	// Failed is set when the run ended with an error.
	Failed       bool
	Started, End time.Time
	Sources      []SourceRun
	// Orphaned counts the objects the plan marked as orphans, per kind.
	Orphaned                             map[string]int
	Created, Updated, Deleted, Unchanged int
	// FailedObjects counts the objects NetBox refused or that could not be written.
	FailedObjects                              int
	BatchesDone, BatchesFailed, BatchesSkipped int
}

// LastRun is what the worker knows of the last run that ended on it.
type LastRun struct {
	End    time.Time `json:"end"`
	Failed bool      `json:"failed"`
	DryRun bool      `json:"dry_run,omitempty"`
}

// runState is what the per-run metrics carry from one run to the next.
type runState struct {
	mu          sync.Mutex
	failedRuns  map[string]int
	last        LastRun
	haveLastRun bool
	// skipped is the skipped-run count last seen per schedule.
	skipped map[string]int64
	// blocked holds, by source, the kinds the guard blocked in its last run.
	blocked map[string]map[string]bool
}

// RunEnded records a run that ended (the series appear with the first):
// per source its status, the failures
// in a row, the last success and the guard's blocks; for the run its
// outcome, duration, objects and batches.
func (m *Metrics) RunEnded(r Run) {
	if m == nil {
		return
	}
	m.state.mu.Lock()
	defer m.state.mu.Unlock()
	end := float64(r.End.UnixNano()) / 1e9
	for _, s := range r.Sources {
		m.recordSource(s, end)
	}
	outcome := OutcomeSucceeded
	switch {
	case r.Failed:
		outcome = OutcomeFailed
	case r.DryRun:
		outcome = OutcomeDryRun
	}
	m.runs.WithLabelValues(outcome).Inc()
	m.runSuccess.Set(boolValue(!r.Failed))
	m.runTime.Set(end)
	if !r.Failed && !r.DryRun {
		m.runLastOK.Set(end)
	}
	if !r.Started.IsZero() && r.End.After(r.Started) {
		m.runDuration.Set(r.End.Sub(r.Started).Seconds())
	}
	orphaned := 0
	if !r.DryRun {
		for kind, n := range r.Orphaned {
			m.orphaned.WithLabelValues(kind).Add(float64(n))
			orphaned += n
		}
	}
	for op, n := range map[string]int{"created": r.Created, "updated": r.Updated, "deleted": r.Deleted,
		"orphaned": orphaned, "unchanged": r.Unchanged, "failed": r.FailedObjects} {
		m.runObjects.WithLabelValues(op).Set(float64(n))
	}
	for outcome, n := range map[string]int{BatchesDone: r.BatchesDone, BatchesFailed: r.BatchesFailed, BatchesSkipped: r.BatchesSkipped} {
		m.runBatches.WithLabelValues(outcome).Set(float64(n))
		m.batches.WithLabelValues(outcome).Add(float64(n))
	}
	m.state.last, m.state.haveLastRun = LastRun{End: r.End, Failed: r.Failed, DryRun: r.DryRun}, true
}

// recordSource records one source of a run; the caller holds the state's lock.
func (m *Metrics) recordSource(s SourceRun, end float64) {
	status := "ok"
	if s.OK {
		m.state.failedRuns[s.Name] = 0
	} else {
		status = "failed"
		m.state.failedRuns[s.Name]++
	}
	if s.FailedRuns != nil {
		m.state.failedRuns[s.Name] = *s.FailedRuns
	}
	switch {
	case !s.LastSuccess.IsZero():
		m.sourceLastOK.WithLabelValues(s.Name).Set(float64(s.LastSuccess.UnixNano()) / 1e9)
	case s.OK:
		m.sourceLastOK.WithLabelValues(s.Name).Set(end)
	}
	m.sourceLastRun.WithLabelValues(s.Name).Set(end)
	m.sourceSuccess.WithLabelValues(s.Name).Set(boolValue(s.OK))
	m.sourceFailedRuns.WithLabelValues(s.Name).Set(float64(m.state.failedRuns[s.Name]))
	m.sourceRuns.WithLabelValues(s.Name, status).Inc()
	m.sourceRuns.WithLabelValues(s.Name, otherStatus(status)).Add(0)

	// The source's earlier blocks end with this run: every kind it had
	// blocked goes to 0, and the kinds it blocks now to 1.
	for k := range m.state.blocked[s.Name] {
		m.guardBlocked.WithLabelValues(s.Name, k).Set(0)
	}
	delete(m.state.blocked, s.Name)
	kinds := s.BlockedKinds
	if s.GuardBlocked && len(kinds) == 0 {
		kinds = []string{AllKinds}
	}
	if !s.GuardBlocked {
		kinds = nil
	}
	for _, k := range kinds {
		m.guardBlocked.WithLabelValues(s.Name, k).Set(1)
		m.guardBlocks.WithLabelValues(s.Name, k).Inc()
		if m.state.blocked[s.Name] == nil {
			m.state.blocked[s.Name] = map[string]bool{}
		}
		m.state.blocked[s.Name][k] = true
	}
}

// LastRun is the last run that ended on this worker, and whether there was one.
func (m *Metrics) LastRun() (LastRun, bool) {
	if m == nil {
		return LastRun{}, false
	}
	m.state.mu.Lock()
	defer m.state.mu.Unlock()
	return m.state.last, m.state.haveLastRun
}

// ScheduleSkipped records the count of runs Temporal says the schedule
// skipped for overlap, total, and answers how many are new since the
// last call: none the first time, when the count becomes the counter's
// start.
func (m *Metrics) ScheduleSkipped(schedule string, total int64) int64 {
	if m == nil {
		return 0
	}
	m.state.mu.Lock()
	defer m.state.mu.Unlock()
	last, seen := m.state.skipped[schedule]
	m.state.skipped[schedule] = total
	c := m.scheduleSkipped.WithLabelValues(schedule)
	switch {
	case !seen:
		c.Add(float64(total))
		return 0
	case total < last:
		// The schedule was made again and counts from 0.
		c.Add(float64(total))
		return total
	}
	c.Add(float64(total - last))
	return total - last
}

// DependencyUp records whether the worker's last check reached a dependency.
func (m *Metrics) DependencyUp(name string, up bool) {
	if m == nil {
		return
	}
	m.dependencyUp.WithLabelValues(name).Set(boolValue(up))
}

// Request records one HTTP request to NetBox; code 0 means no answer came.
func (m *Metrics) Request(method, endpoint string, code int, took time.Duration) {
	if m == nil {
		return
	}
	c := "error"
	if code > 0 {
		c = strconv.Itoa(code)
	}
	m.requests.WithLabelValues(method, endpoint, c).Inc()
	m.requestDuration.WithLabelValues(method, endpoint).Observe(took.Seconds())
}

func otherStatus(s string) string {
	if s == "ok" {
		return "failed"
	}
	return "ok"
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
