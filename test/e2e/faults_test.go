package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestFlakyNetBoxEndsInTheSameState syncs through a NetBox that answers
// 10 % of requests with 5xx, 5 % with 429 and drops 5 % of writes after
// committing them. Temporal's retries carry the run through, and NetBox
// ends exactly as after an undisturbed run, with nothing made twice.
func TestFlakyNetBoxEndsInTheSameState(t *testing.T) {
	cfg := exampleConfig(t) + `
netbox:
  batch_size: 10
`
	ref := newEnv(t, cfg)
	_, refRes := ref.sync(workflows.SyncRequest{})
	require.Empty(t, refRes.FailedBatches)

	e := newEnv(t, cfg, "NETBOX_AGENT_SYNC_RETRY_MAXIMUM_ATTEMPTS=0")
	e.sim.SetFaults(nbsim.Faults{ErrorRate: 0.10, RateLimitRate: 0.05, RetryAfter: 200 * time.Millisecond, DropAfterCommitRate: 0.05})
	_, res := e.sync(workflows.SyncRequest{})
	e.sim.SetFaults(nbsim.Faults{})
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)

	for _, ep := range []string{"dcim/sites", "dcim/manufacturers", "dcim/device-types", "dcim/devices", "dcim/interfaces",
		"dcim/mac-addresses", "ipam/ip-addresses", "ipam/services", "virtualization/clusters",
		"virtualization/virtual-machines", "virtualization/interfaces", "virtualization/virtual-disks"} {
		require.Equal(t, ref.sim.Count(ep), e.sim.Count(ep), "objects in %s", ep)
	}
	requireUniqueAgentIDs(t, e)

	// And the state is complete: a clean re-run has nothing to do.
	e.sim.ResetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, again.Plan.Total, "after the flaky run: %+v", again.Plan.Counts)
	require.Zero(t, e.writes())
}
