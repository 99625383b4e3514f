package blob

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPruneRuns: a run whose blobs are all older than the cut is deleted
// whole; a newer run, a run of a workflow to keep, a run with one recent
// blob and what is not a run's blob stay.
func TestPruneRuns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, "file://"+dir, "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	old := time.Now().Add(-20 * 24 * time.Hour)
	put := func(ref string, at time.Time) {
		_, err := s.PutJSON(ctx, ref, map[string]string{"ref": ref})
		require.NoError(t, err)
		require.NoError(t, os.Chtimes(filepath.Join(dir, filepath.FromSlash(ref)), at, at))
	}
	put("runs/sync-old/r1/inventory.json", old)
	put("runs/sync-old/r1/plan.json", old)
	put("runs/sync-old/r1/snapshots/files.json", old)
	put("runs/sync-running/r7/plan.json", old)
	put("runs/sync-mixed/r2/inventory.json", old)
	put("runs/sync-mixed/r2/plan.json", time.Now())
	put("runs/sync-new/r3/plan.json", time.Now())
	put("state/guard/files.json", old)

	got, err := s.PruneRuns(ctx, time.Now().Add(-14*24*time.Hour), func(wf string) bool { return wf == "sync-running" })
	require.NoError(t, err)
	assert.Equal(t, 1, got.Runs)
	assert.Equal(t, 3, got.Blobs)
	assert.Positive(t, got.Bytes)
	assert.Equal(t, 1, got.Kept)
	for ref, want := range map[string]bool{
		"runs/sync-old/r1/inventory.json":       false,
		"runs/sync-old/r1/plan.json":            false,
		"runs/sync-old/r1/snapshots/files.json": false,
		"runs/sync-running/r7/plan.json":        true,
		"runs/sync-mixed/r2/inventory.json":     true,
		"runs/sync-new/r3/plan.json":            true,
		"state/guard/files.json":                true,
	} {
		ok, err := s.Exists(ctx, ref)
		require.NoError(t, err)
		assert.Equal(t, want, ok, ref)
	}

	again, err := s.PruneRuns(ctx, time.Now().Add(-14*24*time.Hour), nil)
	require.NoError(t, err)
	assert.Equal(t, Pruned{Runs: 1, Blobs: 1, Bytes: again.Bytes}, again, "without keep, the old run of the running workflow goes too")
}
