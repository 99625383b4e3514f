package workflows

import (
	"go.temporal.io/sdk/worker"

	"github.com/netbox-agent/netbox-agent/activities"
)

// Register registers the workflows and the activities on a worker.
func Register(w worker.Registry, acts *activities.Activities) {
	w.RegisterWorkflow(SyncWorkflow)
	w.RegisterWorkflow(ApplyLockWorkflow)
	w.RegisterActivity(acts)
}

// RegisterDiscovery registers only the discovery activity, for a worker
// that serves a source's own task queue inside another network.
func RegisterDiscovery(w worker.Registry, acts *activities.Activities) {
	w.RegisterActivity(acts.Discover)
}
