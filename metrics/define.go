package metrics

import "github.com/prometheus/client_golang/prometheus"

// Run outcomes (label outcome of netbox_agent_sync_runs_total).
const (
	OutcomeSucceeded = "succeeded"
	OutcomeFailed    = "failed"
	OutcomeDryRun    = "dry_run"
)

// Batch outcomes (label outcome of the batch metrics).
const (
	BatchesDone    = "done"
	BatchesFailed  = "failed"
	BatchesSkipped = "skipped"
)

// AllKinds is the kind label of a guard block that names no kind; the
// guard blocks per source and kind, and its blocks carry the kind's name.
const AllKinds = "all"

func gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, labels)
}

func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
}

func single(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help})
}

func histogram(name, help string, labels ...string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: name, Help: help, Buckets: latencyBuckets}, labels)
}

// define makes every metric of the agent; register puts them on the registry.
func (m *Metrics) define() {
	m.sourceDuration = gauge("source_discover_duration_seconds",
		"How long the source's last discovery attempt on this worker took, successful or not.", "source")
	m.sourceRecords = gauge("source_records",
		"Records the source's last successful discovery on this worker reported, per kind.", "source", "kind")
	m.sourceErrors = counter("source_discover_errors_total",
		"Failed discovery attempts on this worker (Temporal retries them), per error type.", "source", "error_type")
	m.sourceSuccess = gauge("source_last_run_success",
		"1 if the source succeeded in the last run that included it, 0 if it failed after its retries.", "source")
	m.sourceFailedRuns = gauge("source_consecutive_failed_runs",
		"Runs in a row in which the source failed since it last succeeded, as the workers sharing the blob store count them.", "source")
	m.sourceLastRun = gauge("source_last_run_timestamp_seconds",
		"When the last run that included the source and that this worker recorded ended (Unix time).", "source")
	m.sourceLastOK = gauge("source_last_success_timestamp_seconds",
		"When the last run in which the source succeeded ended (Unix time).", "source")
	m.sourceRuns = counter("source_runs_total", "Runs that included the source, per status (ok, failed).", "source", "status")

	m.runs = counter("sync_runs_total", "Sync runs that ended, per outcome (succeeded, failed, dry_run).", "outcome")
	m.runSuccess = single("sync_last_run_success", "1 if the last sync run ended without failing, 0 if it failed.")
	m.runTime = single("sync_last_run_timestamp_seconds", "When the last sync run ended (Unix time).")
	m.runLastOK = single("sync_last_success_timestamp_seconds",
		"When the last sync run that wrote to NetBox (not a dry run) ended without failing (Unix time).")
	m.runDuration = single("sync_last_run_duration_seconds",
		"How long the last sync run took, from its start (or its last continue-as-new) to its end.")
	m.runObjects = gauge("sync_last_run_objects",
		"What the last sync run did to NetBox objects: created, updated, deleted, orphaned (marked), unchanged, failed.", "op")
	m.runBatches = gauge("sync_last_run_batches", "The last sync run's apply batches per outcome (done, failed, skipped).", "outcome")
	m.batches = counter("sync_batches_total", "Apply batches of finished runs per outcome (done, failed, skipped).", "outcome")
	m.orphaned = counter("sync_orphaned_objects_total", "Objects marked as orphans by runs that wrote to NetBox, per kind.", "kind")
	m.guardBlocked = gauge("guard_blocked",
		"1 if the mass-delete guard blocked the orphaning of the source's objects of the kind in the last run that included the source; 0 once a later run did not.", "source", "kind")
	m.guardBlocks = counter("guard_blocks_total", "Runs in which the mass-delete guard blocked the orphaning of the source's objects of the kind.", "source", "kind")
	m.objects = counter("objects_total",
		"NetBox objects the apply batches on this worker wrote, per kind and op (created, updated, deleted, failed).", "kind", "op")
	m.batchDuration = histogram("apply_batch_duration_seconds",
		"How long an apply batch took on this worker, successful or not.", "kind", "op")

	m.requests = counter("netbox_requests_total",
		"HTTP requests to NetBox, per method, endpoint family (dcim/devices) and status code (error: no answer).",
		"method", "endpoint", "code")
	m.requestDuration = histogram("netbox_request_duration_seconds",
		"How long NetBox took to answer, per method and endpoint family.", "method", "endpoint")

	m.scheduleSkipped = counter("schedule_skipped_runs_total",
		"Runs the schedule skipped because a run was still going (overlap policy skip), as Temporal counts them; "+
			"a worker starts counting at the schedule's count when it first sees it.", "schedule")
	m.dependencyUp = gauge("dependency_up",
		"1 if the worker's last background check reached the dependency (temporal, netbox), else 0.", "dependency")
}
