package e2e

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/test/bench/gen"
	"github.com/netbox-agent/netbox-agent/test/realnetbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestTwoWorkersShareARun runs a 6,000-object sync on two worker processes serving one task queue, with a second
// source discovered by a worker on its own queue. Once the workers have applied a few batches,
// one of them is SIGKILLed while NetBox commits a write whose answer it never sees; the other
// finishes the run, and NetBox ends as after the same run on one undisturbed worker.
func TestTwoWorkersShareARun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills worker processes")
	}
	faultRow(t, "two worker processes on one queue share a run, one SIGKILLed mid-apply (and a remote source's worker)",
		"both took batches; the other finishes the run; NetBox as after one undisturbed worker, 0 duplicates")
	objects := 6000
	if _, real := realnetbox.FromEnv(); real {
		// The real NetBox writes a few hundred objects a second on two cores: a quarter of
		// the run keeps the suite within its time while every batch still runs on both
		// workers at once.
		objects = 1500
	}
	bin := buildWorker(t)
	dir := t.TempDir()
	_, err := gen.Write(dir, gen.Options{Objects: objects, Seed: 11})
	require.NoError(t, err)
	const remoteQueue = "e2e-scaleout-site-b"
	cfg := fmt.Sprintf(`
sync:
  apply_concurrency: 4
  retry:
    initial_interval: 100ms
    maximum_interval: 1s
    maximum_attempts: 5
netbox:
  batch_size: 50
sources:
  - name: bench
    type: filesystem
    path: %s
  - name: site-b
    type: filesystem
    path: %s
    task_queue: %s
worker:
  listen: 127.0.0.1:0
`, dir, repoPath(t, "examples/inventory"), remoteQueue)

	// A batch may take long on a loaded NetBox: a generous apply timeout, so that no attempt
	// outlives its timeout and races its own retry; the killed worker's batch is given up by
	// its heartbeat timeout instead.
	timeouts := []string{"NETBOX_AGENT_SYNC_APPLY_TIMEOUT=60s", "NETBOX_AGENT_SYNC_HEARTBEAT_TIMEOUT=9s"}
	ref := newEnv(t, cfg, timeouts...)
	stopRemote := startRemoteWorker(t, ref, remoteQueue)
	_, refRes := ref.sync(workflows.SyncRequest{})
	stopRemote()
	require.Empty(t, refRes.FailedBatches)
	for _, s := range refRes.Sources {
		require.Equal(t, activities.SourceOK, s.Status, "%s: %s", s.Name, s.Error)
	}
	want := agentIDs(t, ref.nb)
	ref.stop()

	e := newEnv(t, cfg, timeouts...)
	defer startRemoteWorker(t, e, remoteQueue)()
	e.stopInProcessWorker()
	held := e.nb.proxy.HoldWritesAfter(refRes.Applied.Batches / 3)
	first, second := startWorkerProcess(t, e, bin), startWorkerProcess(t, e, bin)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := devServer.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: e.queue}, workflows.SyncWorkflow, workflows.SyncRequest{})
	require.NoError(t, err)
	select {
	case <-held:
	case <-ctx.Done():
		t.Fatal("no write reached NetBox")
	}
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	_ = first.Wait() // killed: its exit status is the point, not an error
	e.nb.proxy.Release()

	var res workflows.SyncResult
	require.NoError(t, run.Get(ctx, &res))
	require.Empty(t, res.FailedBatches)
	// No one edits NetBox during the run: a problem here is the run misjudging its own writes
	// (a retry taking the killed attempt's committed write for an operator's edit).
	require.Empty(t, res.Problems, "the faulted run's problems")
	require.Equal(t, res.Applied.Batches, res.Applied.BatchesDone)
	for _, s := range res.Sources {
		require.Equal(t, activities.SourceOK, s.Status, "%s: %s", s.Name, s.Error)
	}
	require.NoError(t, second.Process.Signal(syscall.SIGTERM))
	_ = second.Wait()

	workers := activitiesByWorker(rawHistory(t, run.GetID(), run.GetRunID()))
	mains := 0
	for id := range workers {
		if !strings.Contains(id, "remote") {
			mains++
		}
	}
	require.GreaterOrEqual(t, mains, 2, "both worker processes took activities: %v", workers)
	require.Len(t, workers, mains+1, "and the remote worker took its source's discovery: %v", workers)
	t.Logf("%d objects, %d batches; activities by worker: %v", objects, res.Applied.Batches, workers)
	e.startInProcessWorker()
	requireAsUndisturbed(t, e, want)
}

// startRemoteWorker serves queue with a discovery-only worker, as a worker in another network
// does, and returns its stop.
func startRemoteWorker(t *testing.T, e *env, queue string) func() {
	t.Helper()
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	remote, err := activities.New(context.Background(), e.cfg, log, activities.BuildOptions{Queue: queue, DiscoverOnly: true})
	require.NoError(t, err)
	w := worker.New(devServer.Client(), queue, worker.Options{Identity: "remote-" + queue})
	workflows.RegisterDiscovery(w, remote)
	require.NoError(t, w.Start())
	return func() {
		w.Stop()
		require.NoError(t, remote.Close())
	}
}

// activitiesByWorker counts the activities of a history by the identity of the worker that
// started them.
func activitiesByWorker(history []*historypb.HistoryEvent) map[string]int {
	out := map[string]int{}
	for _, ev := range history {
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
			out[a.GetIdentity()]++
		}
	}
	return out
}
