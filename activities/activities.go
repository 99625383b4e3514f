// Package activities holds the Temporal activities of a sync and the
// dependencies they share. The worker builds one Activities value; the
// workflow refers to its methods through a nil pointer.
package activities

import (
	"time"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/metrics"
)

// SourceInstance is one configured source: what the workflow needs to
// discover it (it crosses Temporal in ConfigureResult) and, on the worker
// that serves its task queue, the source itself.
type SourceInstance struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// TaskQueue is the source's own task queue; empty means the worker's.
	TaskQueue string `json:"task_queue,omitempty"`
	// Priority orders authority in the merge: lower wins.
	Priority int `json:"priority"`
	// Source is built only by the worker that serves TaskQueue.
	Source source.Source `json:"-"`
}

// Settings are the run settings the workflow asks for at its start, so that
// timeouts and retries follow the worker's config without entering the
// workflow's input.
type Settings struct {
	ApplyConcurrency int           `json:"apply_concurrency"`
	DiscoverTimeout  time.Duration `json:"discover_timeout"`
	ApplyTimeout     time.Duration `json:"apply_timeout"`
	HeartbeatTimeout time.Duration `json:"heartbeat_timeout"`
	// RemoteStartTimeout is the schedule-to-start timeout of a discovery
	// on a source's own task queue: past it no worker took it, and that
	// source fails.
	RemoteStartTimeout time.Duration `json:"remote_start_timeout,omitempty"`
	Retry              RetryPolicy   `json:"retry"`
	// ApplyLock names the NetBox the worker writes to (ApplyLockKey), for
	// the lock that lets one run at a time write to it.
	ApplyLock string `json:"apply_lock,omitempty"`
	// Review says whether a run waits for approval before it writes.
	Review ReviewSettings `json:"review"`
}

// ReviewSettings are the review section: a run that plans changes waits
// up to Timeout for an approval when Required; a plan older than
// PlanMaxAge (when set) is not applied. With Branch, the run writes into
// a netbox-branching branch first, and the approval merges it.
type ReviewSettings struct {
	Required   bool          `json:"required,omitempty"`
	Timeout    time.Duration `json:"timeout,omitempty"`
	PlanMaxAge time.Duration `json:"plan_max_age,omitempty"`
	Branch     bool          `json:"branch,omitempty"`
}

// RetryPolicy mirrors Temporal's retry policy in config terms.
type RetryPolicy struct {
	InitialInterval    time.Duration `json:"initial_interval"`
	BackoffCoefficient float64       `json:"backoff_coefficient"`
	MaximumInterval    time.Duration `json:"maximum_interval"`
	MaximumAttempts    int32         `json:"maximum_attempts"`
}

// Activities is the set of activities of a sync. Its fields are the
// dependencies they share; it is safe for concurrent use.
type Activities struct {
	Sources  []SourceInstance
	Blob     *blob.Store
	NetBox   *netbox.Client
	Settings Settings
	// BlobRetention is how long a run's blobs are kept (0 = forever).
	BlobRetention time.Duration
	// MergeOptions tune how the sources' records are joined.
	MergeOptions inventory.MergeOptions
	Log          *zap.Logger
	// Metrics records what the activities did; nil records nothing.
	Metrics *metrics.Metrics
}

func (a *Activities) source(name string) (SourceInstance, bool) {
	for _, s := range a.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return SourceInstance{}, false
}
