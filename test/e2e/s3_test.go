package e2e

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap/zaptest"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/s3blob" // the agent's store links it too

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/test/bench/gen"
	"github.com/netbox-agent/netbox-agent/test/realnetbox"
	"github.com/netbox-agent/netbox-agent/test/s3server"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestSyncOnS3BlobStore runs the agent with its blob store in a bucket of a real S3 server
// (test/s3server), as an operator of MinIO or Ceph configures it: blob_url s3://… with a
// path-style endpoint, the key in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Two worker
// processes on one task queue share a 600-object sync through the bucket (whichever applies a
// batch reads the plan another wrote); a third, in-process worker re-runs it with nothing to do,
// then, once the first run is older than blob_retention, a run's prune deletes that run's blobs
// from the bucket and keeps the newer runs'. The secret is in no history event and no blob, and
// a worker whose bucket does not exist fails at its start.
func TestSyncOnS3BlobStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an S3 server and worker processes")
	}
	// What this test checks does not depend on NetBox: it runs once in CI, on the emulator as
	// its default release, not again for each older release or on the real NetBox.
	if _, real := realnetbox.FromEnv(); real || os.Getenv("NETBOXSIM_VERSION") != "" {
		t.Skip("the blob store's test runs on the emulator's default release only")
	}
	srv := s3server.Start(t, "netbox-agent-e2e")
	srv.SetEnv(t) // the in-process worker and the worker processes read the key from here
	bin := buildWorker(t)
	dir := t.TempDir()
	_, err := gen.Write(dir, gen.Options{Objects: 600, Seed: 5})
	require.NoError(t, err)
	cfg := fmt.Sprintf(`
sync:
  apply_concurrency: 4
  retry:
    initial_interval: 100ms
    maximum_interval: 1s
    maximum_attempts: 5
netbox:
  batch_size: 20
sources:
  - name: bench
    type: filesystem
    path: %s
worker:
  listen: 127.0.0.1:0
`, dir)
	blobURL := "NETBOX_AGENT_BLOB_URL=" + srv.URL()
	e := newEnv(t, cfg, blobURL)
	run1, res1, took := syncOnTwoWorkers(t, e, bin, srv.SecretAccessKey)

	bucket := openBucket(t, srv)
	runs := bucketRuns(t, bucket)
	first := run1.GetID() + "/" + run1.GetRunID()
	require.Contains(t, runs, first, "the run's blobs are in the bucket: %v", runs)
	require.GreaterOrEqual(t, runs[first].blobs, 4, "snapshot, inventory, match report, plan and batches")
	requireNoSecretInBlobs(t, bucket, srv.SecretAccessKey)
	_, err = os.Stat(filepath.Join(e.dir, "blobs"))
	require.ErrorIs(t, err, os.ErrNotExist, "nothing went to the default directory store")

	// A worker whose bucket does not exist stops at its start and says why.
	missing := *srv
	missing.Bucket = srv.Bucket + "-missing"
	badCfg := *e.cfg
	badCfg.BlobURL = missing.URL()
	_, err = activities.New(context.Background(), &badCfg, zaptest.NewLogger(t), activities.BuildOptions{Queue: e.queue})
	require.EqualError(t, err, "blob store s3://"+missing.Bucket+": no such bucket")

	// The in-process worker, now with a retention short enough to see: it must outlast the
	// run timeout and a saved plan's age, as check-config demands.
	const retention = 40 * time.Second
	e.configure(cfg, blobURL, "NETBOX_AGENT_BLOB_RETENTION=40s", "NETBOX_AGENT_SYNC_RUN_TIMEOUT=30s",
		"NETBOX_AGENT_REVIEW_PLAN_MAX_AGE=30s")
	time.Sleep(time.Until(runs[first].newest.Add(retention / 2)))
	e.resetStats()
	run2, res2 := e.sync(workflows.SyncRequest{})
	require.Zero(t, res2.Plan.Total, "a re-run has nothing to do: %+v", res2.Plan.Counts)
	require.Zero(t, e.writes())

	time.Sleep(time.Until(runs[first].newest.Add(retention + time.Second)))
	run3, res3 := e.sync(workflows.SyncRequest{})
	require.Zero(t, res3.Plan.Total)
	after := bucketRuns(t, bucket)
	second, third := run2.GetID()+"/"+run2.GetRunID(), run3.GetID()+"/"+run3.GetRunID()
	require.NotContains(t, after, first, "the run older than blob_retention was pruned: %v", after)
	require.Contains(t, after, second, "the newer run is kept (its newest blob is %s old)", time.Since(after[second].newest))
	require.Contains(t, after, third, "the pruning run keeps its own")
	t.Logf("%d operations in %d batches; activities by worker: %v; blobs by run before the prune: %v, after: %v",
		res1.Plan.Total, res1.Applied.Batches, took, runs, after)
}

// syncOnTwoWorkers stops e's in-process worker, runs a sync on two worker processes serving
// e's queue, checks that it applied everything, that both took activities and that secret is in
// no history event, and stops the processes. It returns the activities each took.
func syncOnTwoWorkers(t *testing.T, e *env, bin, secret string) (client.WorkflowRun, workflows.SyncResult, map[string]int) {
	t.Helper()
	e.stopInProcessWorker()
	workers := []*exec.Cmd{startWorkerProcess(t, e, bin), startWorkerProcess(t, e, bin)}
	run, res := e.sync(workflows.SyncRequest{})
	require.Empty(t, res.FailedBatches)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Positive(t, res.Plan.Total)
	require.Equal(t, res.Plan.Total, res.Applied.Created+res.Applied.Updated, "every planned operation applied")
	history := rawHistory(t, run.GetID(), run.GetRunID())
	for _, ev := range history {
		require.NotContains(t, ev.String(), secret, "a history event")
	}
	took := activitiesByWorker(history)
	require.Len(t, took, 2, "both worker processes took activities: %v", took)
	for _, w := range workers {
		require.NoError(t, w.Process.Signal(syscall.SIGTERM))
		_ = w.Wait() // stopped: how it exits is not the point
	}
	return run, res, took
}

// bucketRun is what the bucket holds of one run.
type bucketRun struct {
	blobs  int
	newest time.Time
}

func (r bucketRun) String() string { return fmt.Sprintf("%d blobs", r.blobs) }

// openBucket opens the server's bucket directly, to see what the agent left there.
func openBucket(t *testing.T, srv *s3server.Server) *blob.Bucket {
	t.Helper()
	b, err := blob.OpenBucket(context.Background(), srv.URL())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	return b
}

// bucketRuns lists the runs in the bucket, keyed <workflow ID>/<run ID>.
func bucketRuns(t *testing.T, b *blob.Bucket) map[string]bucketRun {
	t.Helper()
	out := map[string]bucketRun{}
	it := b.List(&blob.ListOptions{Prefix: "runs/"})
	for {
		obj, err := it.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		parts := strings.SplitN(strings.TrimPrefix(obj.Key, "runs/"), "/", 3)
		require.Len(t, parts, 3, obj.Key)
		r := out[parts[0]+"/"+parts[1]]
		r.blobs++
		if obj.ModTime.After(r.newest) {
			r.newest = obj.ModTime
		}
		out[parts[0]+"/"+parts[1]] = r
	}
}

// requireNoSecretInBlobs reads every blob in the bucket, uncompressed, and checks that the
// secret is in none.
func requireNoSecretInBlobs(t *testing.T, b *blob.Bucket, secret string) {
	t.Helper()
	ctx := context.Background()
	it := b.List(nil)
	read := 0
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		r, err := b.NewReader(ctx, obj.Key, nil)
		require.NoError(t, err)
		zr, err := gzip.NewReader(r)
		require.NoError(t, err, obj.Key)
		text, err := io.ReadAll(zr)
		require.NoError(t, err, obj.Key)
		require.NoError(t, r.Close())
		require.NotContains(t, string(text), secret, obj.Key)
		read += len(text)
	}
	require.Positive(t, read)
}
