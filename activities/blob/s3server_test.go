package blob

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/netbox-agent/netbox-agent/test/s3server"
)

// TestS3Server runs the store on a real S3 server (moto, started by
// test/s3server) through the URL an operator writes for MinIO and the
// like: path-style requests to an endpoint over HTTP, the key from the
// environment.
func TestS3Server(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an S3 server")
	}
	srv := s3server.Start(t, "netbox-agent-blobs")
	srv.SetEnv(t)
	ctx := context.Background()
	s, err := Open(ctx, srv.URL(), "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })

	t.Run("documents", func(t *testing.T) { testS3Documents(ctx, t, s) })
	t.Run("streaming", func(t *testing.T) { testS3Streaming(ctx, t, s) })
	t.Run("prune", func(t *testing.T) { testS3Prune(ctx, t, s) })
	t.Run("wrong secret", func(t *testing.T) { testS3WrongSecret(ctx, t, srv) })
	t.Run("other bucket", func(t *testing.T) { testS3OtherBucket(ctx, t, srv) })
	t.Run("missing bucket", func(t *testing.T) { testS3MissingBucket(ctx, t, srv) })
}

// testS3Documents: a document goes in and comes back; a missing one is
// ErrNotFound; a deleted one is gone, and deleting it again is no error.
func testS3Documents(ctx context.Context, t *testing.T, s *Store) {
	require.NoError(t, s.Check(ctx))
	const ref = "runs/wf-1/r1/inventory.json"
	n, err := s.PutJSON(ctx, ref, doc{Name: "pve1", Count: 3})
	require.NoError(t, err)
	require.Positive(t, n)

	attrs, err := s.bucket.Attributes(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, n, attrs.Size, "the byte count is what the bucket holds")
	assert.Equal(t, "application/json", attrs.ContentType)
	assert.Equal(t, "gzip", attrs.ContentEncoding)

	var got doc
	require.NoError(t, s.GetJSON(ctx, ref, &got))
	require.Equal(t, doc{Name: "pve1", Count: 3}, got)

	ok, err := s.Exists(ctx, ref)
	require.NoError(t, err)
	require.True(t, ok)

	err = s.GetJSON(ctx, "runs/wf-1/r1/missing.json", &got)
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorContains(t, err, "runs/wf-1/r1/missing.json")

	require.NoError(t, s.Delete(ctx, ref))
	ok, err = s.Exists(ctx, ref)
	require.NoError(t, err)
	require.False(t, ok)
	require.NoError(t, s.Delete(ctx, ref), "deleting what is gone")
}

// record is an inventory-sized element that does not compress away, so
// that its array outgrows one upload part.
type record struct {
	Key   string `json:"key"`
	Index int    `json:"index"`
	Noise string `json:"noise"`
}

// testS3Streaming: a large array is written element by element and read
// back one element at a time; at this size (the blob of a large estate's
// inventory) the upload is multipart.
func testS3Streaming(ctx context.Context, t *testing.T, s *Store) {
	const ref, count = "runs/wf-1/r1/snapshots/big.json", 36_000
	// Each element's noise is a slice of a random megabyte: it repeats
	// farther apart than gzip looks back, and costs no random reads.
	pool := make([]byte, 1<<20)
	_, err := rand.Read(pool)
	require.NoError(t, err)
	const size = 480
	n, err := s.PutEach(ctx, ref, func(put func(v any) error) error {
		for i := range count {
			at := i * size % (len(pool) - size)
			noise := base64.StdEncoding.EncodeToString(pool[at : at+size])
			if err := put(record{Key: fmt.Sprintf("bench/device/%06d", i), Index: i, Noise: noise}); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	attrs, err := s.bucket.Attributes(ctx, ref)
	require.NoError(t, err)
	require.Equal(t, n, attrs.Size)
	require.Greater(t, n, int64(16<<20), "past the 16 MiB from which the upload is multipart")
	require.Contains(t, attrs.ETag, "-", "a multipart upload's ETag counts its parts")

	seen := 0
	err = EachJSON(ctx, s, ref, func(r *record) error {
		if r.Index != seen || r.Key != fmt.Sprintf("bench/device/%06d", seen) || len(r.Noise) != 640 {
			return fmt.Errorf("element %d: got %+v", seen, *r)
		}
		seen++
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, count, seen)
	require.NoError(t, s.Delete(ctx, ref))
}

// testS3Prune: S3 stamps each object with the time it was written, to the
// second, and the listing comes in pages of 1,000: a run written before the
// cut goes whole, all 1,003 blobs of it; a run of the workflow to keep, a
// run with one blob after the cut, a newer run and what is not a run's blob
// stay.
func testS3Prune(ctx context.Context, t *testing.T, s *Store) {
	put := func(refs ...string) {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(8)
		for _, ref := range refs {
			g.Go(func() error {
				_, err := s.PutJSON(gctx, ref, map[string]string{"ref": ref})
				return err
			})
		}
		require.NoError(t, g.Wait())
	}
	oldRun := []string{"runs/sync-old/r1/inventory.json", "runs/sync-old/r1/plan.json"}
	for i := range 1001 {
		oldRun = append(oldRun, fmt.Sprintf("runs/sync-old/r1/batches/%04d.json", i))
	}
	put(oldRun...)
	put("runs/sync-running/r7/plan.json", "runs/sync-mixed/r2/inventory.json", "state/guard/files.json")
	time.Sleep(1500 * time.Millisecond)
	cut := time.Now()
	time.Sleep(1500 * time.Millisecond)
	put("runs/sync-mixed/r2/plan.json", "runs/sync-new/r3/plan.json")

	got, err := s.PruneRuns(ctx, cut, func(wf string) bool { return wf == "sync-running" })
	require.NoError(t, err)
	assert.Equal(t, 1, got.Runs)
	assert.Equal(t, len(oldRun), got.Blobs)
	assert.Positive(t, got.Bytes)
	assert.Equal(t, 1, got.Kept)
	for ref, want := range map[string]bool{
		"runs/sync-old/r1/inventory.json":       false,
		"runs/sync-running/r7/plan.json":        true,
		"runs/sync-mixed/r2/inventory.json":     true,
		"runs/sync-mixed/r2/plan.json":          true,
		"runs/sync-new/r3/plan.json":            true,
		"state/guard/files.json":                true,
		"runs/sync-old/r1/batches/0000.json":    false,
		"runs/sync-old/r1/batches/0999.json":    false,
		"runs/sync-old/r1/batches/1000.json":    false,
		"runs/sync-old/r1/plan.json":            false,
		"runs/sync-running/r7/missing-too.json": false,
	} {
		ok, err := s.Exists(ctx, ref)
		require.NoError(t, err)
		assert.Equal(t, want, ok, ref)
	}

	again, err := s.PruneRuns(ctx, cut, nil)
	require.NoError(t, err)
	assert.Equal(t, Pruned{Runs: 1, Blobs: 1, Bytes: again.Bytes}, again, "without keep, the old run of the running workflow goes too")
	left, err := s.PruneRuns(ctx, time.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	assert.Equal(t, 2, left.Runs, "the mixed and the new run, once the cut is past them")
	ok, err := s.Exists(ctx, "state/guard/files.json")
	require.NoError(t, err)
	assert.True(t, ok, "what is not a run's blob is never pruned")
}

// testS3WrongSecret: a store whose secret is wrong fails each call with the
// server's reason and the reference, and the secret is in no error.
func testS3WrongSecret(ctx context.Context, t *testing.T, srv *s3server.Server) {
	const wrong = "wR0ngSecretKeyForTheTest0000000000000000"
	t.Setenv("AWS_SECRET_ACCESS_KEY", wrong)
	s, err := Open(ctx, srv.URL(), "")
	require.NoError(t, err, "opening makes no request")
	t.Cleanup(func() { assert.NoError(t, s.Close()) })

	checkErr := s.Check(ctx)
	_, putErr := s.PutJSON(ctx, "runs/wf-2/r1/plan.json", doc{Name: "x"})
	getErr := s.GetJSON(ctx, "runs/wf-1/r1/inventory.json", &doc{})
	_, pruneErr := s.PruneRuns(ctx, time.Now(), nil)
	for name, err := range map[string]error{"check": checkErr, "put": putErr, "get": getErr, "prune": pruneErr} {
		require.Error(t, err, name)
		assert.NotErrorIs(t, err, ErrNotFound, name)
		assert.Contains(t, err.Error(), "SignatureDoesNotMatch", name)
		for _, secret := range []string{wrong, srv.SecretAccessKey} {
			assert.NotContains(t, err.Error(), secret, name)
		}
	}
	assert.Contains(t, checkErr.Error(), "blob store s3://"+srv.Bucket+":")
	assert.Contains(t, putErr.Error(), "write blob runs/wf-2/r1/plan.json")
	assert.Contains(t, getErr.Error(), "read blob runs/wf-1/r1/inventory.json")
	assert.Contains(t, pruneErr.Error(), "list blobs under runs/")
}

// testS3OtherBucket: the key may use its own bucket only; a store on
// another is refused, and says so.
func testS3OtherBucket(ctx context.Context, t *testing.T, srv *s3server.Server) {
	other := *srv
	other.Bucket = "someone-elses"
	s, err := Open(ctx, other.URL(), "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	checkErr := s.Check(ctx)
	_, putErr := s.PutJSON(ctx, "runs/wf-3/r1/plan.json", doc{Name: "x"})
	for name, err := range map[string]error{"check": checkErr, "put": putErr} {
		require.Error(t, err, name)
		require.False(t, errors.Is(err, ErrNotFound), name)
		require.Contains(t, err.Error(), "AccessDenied", name)
		require.NotContains(t, err.Error(), srv.SecretAccessKey, name)
	}
	require.Contains(t, checkErr.Error(), "blob store s3://someone-elses:")
}

// testS3MissingBucket: a bucket nobody made fails the check by name, and a
// write to it with the server's reason.
func testS3MissingBucket(ctx context.Context, t *testing.T, srv *s3server.Server) {
	missing := *srv
	missing.Bucket = srv.Bucket + "-missing"
	s, err := Open(ctx, missing.URL(), "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	require.EqualError(t, s.Check(ctx), "blob store s3://"+missing.Bucket+": no such bucket")
	_, err = s.PutJSON(ctx, "runs/wf-4/r1/plan.json", doc{Name: "x"})
	require.ErrorContains(t, err, "NoSuchBucket")
}
