package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/test/bench/gen"
	"github.com/netbox-agent/netbox-agent/test/faults"
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
	return startWorkerCommand(t, e, nil, bin, nil)
}

// startWorkerCommand starts the worker binary bin on e's config under the command wrap (none:
// bin itself), with args after its --config and env added to e's environment, and shows its
// log when the test fails.
func startWorkerCommand(t *testing.T, e *env, wrap []string, bin string, args []string, env ...string) *exec.Cmd {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(e.configYAML), 0o600))
	argv := append(append(slices.Clone(wrap), bin, "--config", cfgPath), args...)
	proc := exec.Command(argv[0], argv[1:]...)
	proc.Env = append(append(append(os.Environ(), e.environ()...), "NETBOX_AGENT_LOG_LEVEL=info"), env...)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "worker.log"))
	require.NoError(t, err)
	proc.Stdout, proc.Stderr = logFile, logFile
	t.Cleanup(func() {
		if t.Failed() {
			b, err := os.ReadFile(logFile.Name())
			require.NoError(t, err)
			t.Logf("worker log (%s):\n%s", strings.Join(argv, " "), b)
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
	faultRow(t, "worker SIGKILLed mid-apply, a committed write's answer lost (example inventory)",
		"a new worker finishes the run; NetBox as after an undisturbed run, 0 duplicates")
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
	want := agentIDs(t, e.nb)

	// The crash: from an empty NetBox again, the proxy holds the answer of a write a few
	// batches into the apply, so that the kill lands there.
	e.resetNetBox()
	run, res, before := killWhileWriting(t, e, bin, 8, func(p workflows.Progress) bool {
		return p.Phase == "applying" && p.Applied.BatchesDone >= 3
	})
	recordHistory(t, run, "sync_worker_killed")
	require.Less(t, before.Applied.BatchesDone, before.Applied.Batches, "the kill landed before the end")
	require.Empty(t, res.FailedBatches)
	require.Equal(t, res.Applied.Batches, res.Applied.BatchesDone)
	requireAsUndisturbed(t, e, want)
}

// TestWorkerKilledAtTenPoints is the full form of the crash row of the fault matrix: a
// 6,000-object inventory, the worker process SIGKILLed at ten points spread over the run's
// writes, each while NetBox commits a write whose answer the worker never sees. Each time a new
// worker finishes the same run and NetBox ends as after the undisturbed run.
func TestWorkerKilledAtTenPoints(t *testing.T) {
	if !faults.Full() {
		t.Skip("the full fault matrix: make faults")
	}
	bin := buildWorker(t)
	dir := t.TempDir()
	sum, err := gen.Write(dir, gen.Options{Objects: 6000, Seed: 7})
	require.NoError(t, err)
	cfg := fmt.Sprintf(`
sync:
  apply_concurrency: 4
  retry:
    initial_interval: 100ms
    maximum_interval: 1s
    maximum_attempts: 5
sources:
  - name: bench
    type: filesystem
    path: %s
worker:
  listen: 127.0.0.1:0
`, dir)
	ref := newEnv(t, cfg, applyTimeout)
	_, refRes := ref.sync(workflows.SyncRequest{})
	require.Empty(t, refRes.FailedBatches)
	writes := ref.writes()
	want := agentIDs(t, ref.nb)
	ref.stop()
	t.Logf("undisturbed: %d objects, %d writes, %d batches", sum.Objects, writes, refRes.Applied.Batches)

	const points = 10
	for i := 1; i <= points; i++ {
		after := writes * i / (points + 1)
		t.Run(fmt.Sprintf("point %02d", i), func(t *testing.T) {
			faultRow(t, fmt.Sprintf("worker SIGKILLed at write %d of %d of a %d-object run (point %d/%d)", after+1, writes, sum.Objects, i, points),
				"a new worker finishes the run; NetBox as after an undisturbed run (agent IDs by endpoint), 0 duplicates")
			e := newEnv(t, cfg, applyTimeout)
			_, res, before := killWhileWriting(t, e, bin, after, nil)
			require.Empty(t, res.FailedBatches)
			require.Equal(t, res.Applied.Batches, res.Applied.BatchesDone)
			t.Logf("killed in %q after %d/%d batches", before.Phase, before.Applied.BatchesDone, before.Applied.Batches)
			requireAsUndisturbed(t, e, want)
		})
	}
}

// applyTimeout bounds an apply attempt in the crash tests, so that the batch the killed worker
// held is retried soon after the kill.
const applyTimeout = "NETBOX_AGENT_SYNC_APPLY_TIMEOUT=10s"

// killWhileWriting starts a run on a worker process and SIGKILLs it while NetBox commits the
// write after the first after ones (its answer held back), once ready accepts the run's progress
// (nil: at once); then the in-process worker finishes the same run. It returns the run, its
// result and the progress the kill saw.
func killWhileWriting(t *testing.T, e *env, bin string, after int, ready func(workflows.Progress) bool) (client.WorkflowRun, workflows.SyncResult, workflows.Progress) {
	t.Helper()
	e.stopInProcessWorker()
	held := e.nb.proxy.HoldWritesAfter(after)
	proc := startWorkerProcess(t, e, bin)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := devServer.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: e.queue}, workflows.SyncWorkflow, workflows.SyncRequest{})
	require.NoError(t, err)
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
		return ready == nil || ready(before)
	}, time.Minute, 50*time.Millisecond)
	require.NoError(t, proc.Process.Signal(syscall.SIGKILL))
	_ = proc.Wait() // killed: its exit status is the point, not an error
	writesAtKill := e.writes()
	e.nb.proxy.Release()

	e.startInProcessWorker()
	var res workflows.SyncResult
	require.NoError(t, run.Get(ctx, &res))
	t.Logf("killed after %d/%d batches (%d writes); resumed and finished with %d writes in all",
		before.Applied.BatchesDone, before.Applied.Batches, writesAtKill, e.writes())
	return run, res, before
}
