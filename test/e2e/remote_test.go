package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestSourceOnItsOwnTaskQueue runs a source's discovery on a worker that
// serves only that source's queue, as a worker inside another network does
// (`worker --task-queue`), while the main worker does the rest.
func TestSourceOnItsOwnTaskQueue(t *testing.T) {
	remoteQueue := "e2e-remote-site-b"
	e := newEnv(t, exampleConfig(t)+"    task_queue: "+remoteQueue+"\n")

	// The main worker knows the source but does not build it.
	i := slices.IndexFunc(e.acts.Sources, func(s activities.SourceInstance) bool { return s.Name == "lab-files" })
	require.GreaterOrEqual(t, i, 0)
	require.Equal(t, remoteQueue, e.acts.Sources[i].TaskQueue)
	require.Nil(t, e.acts.Sources[i].Source, "the main worker leaves the remote source alone")

	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	remote, err := activities.New(context.Background(), e.cfg, log, activities.BuildOptions{Queue: remoteQueue, DiscoverOnly: true})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, remote.Close()) })
	require.Nil(t, remote.NetBox, "a discovery-only worker needs no NetBox credentials")
	w := worker.New(devServer.Client(), remoteQueue, worker.Options{})
	workflows.RegisterDiscovery(w, remote)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Positive(t, res.Applied.Created)
	require.Equal(t, 5, e.nb.count(t, "dcim/devices"))
}

// TestRemoteQueueWithoutWorker: a source on a task queue that no worker
// serves fails after sync.remote_start_timeout with a reason naming the
// queue, and the run goes on to apply what the other source reported,
// instead of waiting for a worker forever.
func TestRemoteQueueWithoutWorker(t *testing.T) {
	faultRow(t, "a remote worker gone (a source on a task queue nobody serves)",
		"that source fails within sync.remote_start_timeout with NoWorker; the others sync")
	cfg := strings.Replace(exampleConfig(t), "sync:\n", "sync:\n  remote_start_timeout: 2s\n", 1) + fmt.Sprintf(`  - name: site-b-files
    type: filesystem
    path: %s
    task_queue: e2e-nobody-serves-this
`, repoPath(t, "examples/inventory"))
	e := newEnv(t, cfg)

	start := time.Now()
	run, res := e.sync(workflows.SyncRequest{})
	recordHistory(t, run, "sync_remote_no_worker")
	require.Less(t, time.Since(start), time.Minute, "the run waited on the queue nobody serves")
	require.Len(t, res.Sources, 2)
	byName := map[string]activities.SourceResult{}
	for _, s := range res.Sources {
		byName[s.Name] = s
	}
	require.Equal(t, activities.SourceOK, byName["lab-files"].Status, byName["lab-files"].Error)
	failed := byName["site-b-files"]
	require.Equal(t, activities.SourceFailed, failed.Status)
	require.Contains(t, failed.Error, workflows.ErrTypeNoWorker)
	require.Contains(t, failed.Error, `"e2e-nobody-serves-this"`)
	require.Contains(t, failed.Error, "2s")
	require.Positive(t, res.Applied.Created)
	require.Equal(t, 5, e.nb.count(t, "dcim/devices"))
}
