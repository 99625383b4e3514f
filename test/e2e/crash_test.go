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

// TestWorkerKilledMidApplyResumes kills the worker process with SIGKILL in
// the middle of the apply phase; a new worker finishes the same run, and
// NetBox ends up exactly as after an undisturbed run: nothing duplicated,
// nothing missing.
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
	ref := newEnv(t, cfgYAML)
	_, refRes := ref.sync(workflows.SyncRequest{})
	require.Empty(t, refRes.FailedBatches)

	// The crash: the worker is a separate process; NetBox is slow enough
	// that the kill lands mid-apply.
	e := newEnv(t, cfgYAML, "NETBOX_AGENT_SYNC_APPLY_TIMEOUT=5s", "NETBOX_AGENT_SYNC_APPLY_CONCURRENCY=1")
	e.stopInProcessWorker()
	e.sim.SetLatency(50 * time.Millisecond)
	cfgPath := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfgYAML), 0o600))
	environ := append(os.Environ(),
		"NETBOX_AGENT_NETBOX_URL="+e.nbURL,
		"NETBOX_AGENT_NETBOX_TOKEN="+e.token,
		"NETBOX_AGENT_TEMPORAL_ADDRESS="+devServer.FrontendHostPort(),
		"NETBOX_AGENT_TEMPORAL_TASK_QUEUE="+e.queue,
		"NETBOX_AGENT_BLOB_URL="+e.cfg.BlobURL,
		"NETBOX_AGENT_SYNC_APPLY_TIMEOUT=5s",
		"NETBOX_AGENT_SYNC_APPLY_CONCURRENCY=1",
		"NETBOX_AGENT_LOG_LEVEL=info",
	)
	proc := exec.Command(bin, "--config", cfgPath)
	proc.Env = environ
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

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run, err := devServer.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: e.queue}, workflows.SyncWorkflow, workflows.SyncRequest{})
	require.NoError(t, err)

	// Kill once a few batches are done and more remain.
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
	}, 2*time.Minute, 50*time.Millisecond)
	require.NoError(t, proc.Process.Signal(syscall.SIGKILL))
	_ = proc.Wait() // killed: its exit status is the point, not an error
	require.Less(t, before.Applied.BatchesDone, before.Applied.Batches, "the kill landed before the end")
	writesAtKill := e.writes()

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
	for _, ep := range []string{"dcim/sites", "dcim/devices", "dcim/interfaces", "dcim/mac-addresses", "ipam/ip-addresses",
		"virtualization/clusters", "virtualization/virtual-machines", "virtualization/interfaces", "virtualization/virtual-disks", "ipam/services"} {
		require.Equal(t, ref.sim.Count(ep), e.sim.Count(ep), "objects in %s", ep)
	}
	requireUniqueAgentIDs(t, e)
}

// requireUniqueAgentIDs fails when two objects of one endpoint carry the
// same agent_id: the mark of a create made twice.
func requireUniqueAgentIDs(t *testing.T, e *env) {
	t.Helper()
	for ep, objs := range e.sim.Dump() {
		seen := map[string]bool{}
		for _, o := range objs {
			cf, ok := o["custom_fields"].(map[string]any)
			if !ok {
				continue
			}
			id, ok := cf["agent_id"].(string)
			if !ok || id == "" {
				continue
			}
			require.False(t, seen[id], "%s: agent_id %s twice", ep, id)
			seen[id] = true
		}
	}
}
