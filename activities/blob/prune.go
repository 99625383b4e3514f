package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"gocloud.dev/blob"
)

// RunsPrefix is where the blobs of runs live: runs/<workflow ID>/<run ID>/...
const RunsPrefix = "runs/"

// Pruned says what PruneRuns removed.
type Pruned struct {
	// Runs counts the runs whose blobs were all deleted.
	Runs int `json:"runs"`
	// Blobs and Bytes count the blobs deleted and their stored size.
	Blobs int   `json:"blobs"`
	Bytes int64 `json:"bytes"`
	// Kept counts the runs old enough but kept because keep named them.
	Kept int `json:"kept,omitempty"`
}

// PruneRuns deletes the blobs of every run whose newest blob is older than
// before, except the runs of the workflows keep names (by workflow ID): a
// run is deleted whole or not at all, so that no plan loses the inventory
// it was made from while another part of it stays.
func (s *Store) PruneRuns(ctx context.Context, before time.Time, keep func(workflowID string) bool) (Pruned, error) {
	type run struct {
		workflow string
		newest   time.Time
		refs     []string
		bytes    int64
	}
	runs := map[string]*run{}
	it := s.bucket.List(&blob.ListOptions{Prefix: RunsPrefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Pruned{}, fmt.Errorf("list blobs under %s: %w", RunsPrefix, err)
		}
		wf, runID, ok := runOf(obj.Key)
		if !ok {
			continue // not a run's blob: left alone
		}
		r := runs[wf+"/"+runID]
		if r == nil {
			r = &run{workflow: wf}
			runs[wf+"/"+runID] = r
		}
		if obj.ModTime.After(r.newest) {
			r.newest = obj.ModTime
		}
		r.refs = append(r.refs, obj.Key)
		r.bytes += obj.Size
	}
	names := make([]string, 0, len(runs))
	for name := range runs {
		names = append(names, name)
	}
	sort.Strings(names)
	var out Pruned
	for _, name := range names {
		r := runs[name]
		if !r.newest.Before(before) {
			continue
		}
		if keep != nil && keep(r.workflow) {
			out.Kept++
			continue
		}
		for _, ref := range r.refs {
			if err := s.Delete(ctx, ref); err != nil {
				return out, err
			}
			out.Blobs++
		}
		out.Runs++
		out.Bytes += r.bytes
	}
	return out, nil
}

// runOf splits runs/<workflow ID>/<run ID>/... into its IDs.
func runOf(key string) (workflow, run string, ok bool) {
	rest, found := strings.CutPrefix(key, RunsPrefix)
	if !found {
		return "", "", false
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 3 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}
