package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/test/faults"
	"github.com/netbox-agent/netbox-agent/test/realnetbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestNetBoxDownMidRun takes NetBox down (every connection reset) in the middle of the apply
// phase, for two minutes in the full fault matrix and for a few seconds in the normal suite.
// The batches retry until it is back, the run finishes, and NetBox ends as after an undisturbed
// run, nothing made twice.
func TestNetBoxDownMidRun(t *testing.T) {
	outage := 5 * time.Second
	if faults.Full() {
		outage = 2 * time.Minute
	}
	faultRow(t, fmt.Sprintf("NetBox down for %s mid-apply (every connection reset)", outage),
		"the run retries through it and finishes; NetBox as after an undisturbed run, 0 duplicates")
	cfg := exampleConfig(t) + `
netbox:
  batch_size: 5
`
	e := newEnv(t, cfg, "NETBOX_AGENT_SYNC_RETRY_MAXIMUM_ATTEMPTS=0", "NETBOX_AGENT_SYNC_APPLY_CONCURRENCY=1")
	_, refRes := e.sync(workflows.SyncRequest{})
	require.Empty(t, refRes.FailedBatches)
	want := agentIDs(t, e.nb)

	e.resetNetBox()
	ctx, cancel := context.WithTimeout(context.Background(), outage+3*time.Minute)
	defer cancel()
	run, err := devServer.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: e.queue}, workflows.SyncWorkflow, workflows.SyncRequest{})
	require.NoError(t, err)
	var at workflows.Progress
	require.Eventually(t, func() bool {
		v, err := devServer.Client().QueryWorkflow(ctx, run.GetID(), "", workflows.ProgressQuery)
		if err != nil || v.Get(&at) != nil {
			return false
		}
		return at.Phase == "applying" && at.Applied.BatchesDone >= 2
	}, time.Minute, 20*time.Millisecond)
	e.nb.proxy.SetFaults(realnetbox.Faults{Down: true})
	time.Sleep(outage)
	e.nb.proxy.SetFaults(realnetbox.Faults{})
	t.Logf("NetBox down from batch %d/%d for %s", at.Applied.BatchesDone, at.Applied.Batches, outage)

	var res workflows.SyncResult
	require.NoError(t, run.Get(ctx, &res))
	recordHistory(t, run, "sync_netbox_down")
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)
	require.Equal(t, res.Applied.Batches, res.Applied.BatchesDone)
	requireAsUndisturbed(t, e, want)
}

// TestOneSourceDownKeepsItsObjects syncs a Proxmox cluster and an inventory, then the cluster's
// API stops answering: that source fails after its retries, the inventory's objects sync, and
// every object of the cluster stays in NetBox as it was, not marked, not deleted. Back up, the
// cluster's next run has nothing to change.
func TestOneSourceDownKeepsItsObjects(t *testing.T) {
	faultRow(t, "one source down (a Proxmox API resetting every connection)",
		"that source fails, the others sync; none of its objects marked or deleted; back up, nothing to change")
	var down atomic.Bool
	fake := proxmoxtest.NewFake()
	pve := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			panic(http.ErrAbortHandler)
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(pve.Close)
	alpha, alphaSecret := proxmoxAlpha(pve.URL)
	e := newEnv(t, strings.Replace(exampleConfig(t), repoPath(t, "examples/inventory"), inventoryBesideProxmox(t), 1)+alpha, alphaSecret)

	_, first := e.sync(workflows.SyncRequest{})
	for _, s := range first.Sources {
		require.Equal(t, activities.SourceOK, s.Status, s.Error)
	}
	require.Empty(t, first.FailedBatches)
	before := agentIDs(t, e.nb)
	lastUpdated := map[string]string{}
	for _, ep := range syncedEndpoints() {
		for _, o := range e.nb.list(t, ep) {
			lastUpdated[ep+" "+o.str("custom_fields.agent_id")] = o.str("last_updated")
		}
	}

	down.Store(true)
	failedRun, second := e.sync(workflows.SyncRequest{})
	recordHistory(t, failedRun, "sync_source_down")
	byName := map[string]activities.SourceResult{}
	for _, s := range second.Sources {
		byName[s.Name] = s
	}
	require.Equal(t, activities.SourceFailed, byName["alpha"].Status)
	require.Contains(t, byName["alpha"].Error, "SourceUnreachable")
	require.Equal(t, activities.SourceOK, byName["lab-files"].Status, byName["lab-files"].Error)
	require.Zero(t, second.Applied.Deleted)
	require.Equal(t, before, agentIDs(t, e.nb), "every object still there")
	require.Empty(t, orphansByEndpoint(t, e.nb), "nothing marked")
	for _, ep := range syncedEndpoints() {
		for _, o := range e.nb.list(t, ep) {
			key := ep + " " + o.str("custom_fields.agent_id")
			require.Equal(t, lastUpdated[key], o.str("last_updated"), "%s untouched", key)
		}
	}

	down.Store(false)
	_, third := e.sync(workflows.SyncRequest{})
	for _, s := range third.Sources {
		require.Equal(t, activities.SourceOK, s.Status, s.Error)
	}
	require.Zero(t, third.Plan.Total, "back up: %+v", third.Plan.Counts)
}
