package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/test/realnetbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestFlakyNetBoxEndsInTheSameState syncs through a NetBox that answers 10 % of requests with
// 5xx, 5 % with 429 and drops the answer of 5 % of writes after NetBox committed them (the
// proxy in front of NetBox injects them). Temporal's retries carry the run through, and NetBox
// ends exactly as after an undisturbed run, with nothing made twice.
func TestFlakyNetBoxEndsInTheSameState(t *testing.T) {
	faultRow(t, "NetBox answers 10% of requests 5xx, 5% 429 with Retry-After, drops 5% of committed writes' answers",
		"no failed batch, no problem; NetBox as after an undisturbed run, 0 duplicates; a re-run writes nothing")
	cfg := exampleConfig(t) + `
netbox:
  batch_size: 10
`
	e := newEnv(t, cfg)
	_, refRes := e.sync(workflows.SyncRequest{})
	require.Empty(t, refRes.FailedBatches)
	want := e.nb.counts(t, syncedEndpoints())

	e.resetNetBox()
	e.configure(cfg, "NETBOX_AGENT_SYNC_RETRY_MAXIMUM_ATTEMPTS=0")
	e.nb.proxy.SetFaults(realnetbox.Faults{ErrorRate: 0.10, RateLimitRate: 0.05, RetryAfter: 200 * time.Millisecond, DropAfterCommitRate: 0.05})
	run, res := e.sync(workflows.SyncRequest{})
	recordHistory(t, run, "sync_flaky_netbox")
	faulted := e.stats()
	e.nb.proxy.SetFaults(realnetbox.Faults{})
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)
	t.Logf("flaky sync: %d NetBox requests, %d writes", faulted.Total, faulted.Writes())

	require.Equal(t, want, e.nb.counts(t, syncedEndpoints()), "objects by endpoint")
	requireUniqueAgentIDs(t, e.nb)

	// And the state is complete: a clean re-run has nothing to do.
	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, again.Plan.Total, "after the flaky run: %+v", again.Plan.Counts)
	require.Zero(t, e.writes(), "%v", e.stats().Requests)
}
