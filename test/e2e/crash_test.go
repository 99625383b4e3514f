package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/workflows"
)

// buildWorker builds the real worker binary, so a test can kill it the way
// an OOM killer or a power cut would.
func buildWorker(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "worker")
	cmd := exec.Command("go", "build", "-o", bin, "./worker")
	cmd.Dir = repoPath(t, ".")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "build worker: %s", out)
	return bin
}

// startWorkerProcess starts the worker binary bin on e's config, task queue and NetBox, and
// shows its log when the test fails.
func startWorkerProcess(t *testing.T, e *env, bin string) *exec.Cmd {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(e.configYAML), 0o600))
	proc := exec.Command(bin, "--config", cfgPath)
	proc.Env = append(append(os.Environ(), e.environ()...), "NETBOX_AGENT_LOG_LEVEL=info")
	logFile, err := os.Create(filepath.Join(t.TempDir(), "worker.log"))
	require.NoError(t, err)
	proc.Stdout, proc.Stderr = logFile, logFile
	t.Cleanup(func() {
		if t.Failed() {
			b, err := os.ReadFile(logFile.Name())
			require.NoError(t, err)
			t.Logf("worker log:\n%s", b)
		}
	})
	require.NoError(t, proc.Start())
	t.Cleanup(func() { _ = proc.Process.Kill() })
	return proc
}

// TestWorkerKilledMidApplyResumes kills the worker process with SIGKILL in the middle of the
// apply phase, while NetBox commits a write whose answer the worker never sees; a new worker
// finishes the same run, and NetBox ends up exactly as after an undisturbed run: nothing
// duplicated, nothing missing.
func TestWorkerKilledMidApplyResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a worker process")
	}
	bin := buildWorker(t)
	cfgYAML := exampleConfig(t) + `
netbox:
  batch_size: 5
worker:
  listen: 127.0.0.1:0
`
	// The reference: the same inventory synced without trouble.
	e := newEnv(t, cfgYAML, "NETBOX_AGENT_SYNC_APPLY_TIMEOUT=5s", "NETBOX_AGENT_SYNC_APPLY_CONCURRENCY=1")
	_, refRes := e.sync(workflows.SyncRequest{})
	require.Empty(t, refRes.FailedBatches)
	want := e.nb.counts(t, syncedEndpoints())

	// The crash: from an empty NetBox again, the worker is a separate process, and the proxy
	// holds the answer of a write a few batches into the apply, so that the kill lands there.
	e.resetNetBox()
	e.stopInProcessWorker()
	held := e.nb.proxy.HoldWritesAfter(8)
	proc := startWorkerProcess(t, e, bin)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run, err := devServer.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: e.queue}, workflows.SyncWorkflow, workflows.SyncRequest{})
	require.NoError(t, err)

	// Kill once a write is held, a few batches are done and more remain.
	select {
	case <-held:
	case <-ctx.Done():
		t.Fatal("no write reached NetBox")
	}
	var before workflows.Progress
	require.Eventually(t, func() bool {
		v, err := devServer.Client().QueryWorkflow(ctx, run.GetID(), "", workflows.ProgressQuery)
		if err != nil {
			return false
		}
		if err := v.Get(&before); err != nil {
			return false
		}
		return before.Phase == "applying" && before.Applied.BatchesDone >= 3
	}, time.Minute, 50*time.Millisecond)
	require.NoError(t, proc.Process.Signal(syscall.SIGKILL))
	_ = proc.Wait() // killed: its exit status is the point, not an error
	require.Less(t, before.Applied.BatchesDone, before.Applied.Batches, "the kill landed before the end")
	writesAtKill := e.writes()
	e.nb.proxy.Release()

	// A new worker takes over the same run.
	e.startInProcessWorker()
	var res workflows.SyncResult
	require.NoError(t, run.Get(ctx, &res))
	recordHistory(t, run, "sync_worker_killed")
	require.Empty(t, res.FailedBatches)
	require.Equal(t, res.Applied.Batches, res.Applied.BatchesDone)
	t.Logf("killed after %d/%d batches (%d writes); resumed and finished with %d writes in all",
		before.Applied.BatchesDone, before.Applied.Batches, writesAtKill, e.writes())

	// NetBox holds exactly what the undisturbed run made.
	require.Equal(t, want, e.nb.counts(t, syncedEndpoints()), "objects by endpoint")
	requireUniqueAgentIDs(t, e.nb)

	// And the state is complete: a clean re-run has nothing to do.
	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, again.Plan.Total, "after the resumed run: %+v", again.Plan.Counts)
	require.Zero(t, e.writes(), "%v", e.stats().Requests)
}
