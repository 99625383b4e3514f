package activities

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
)

// PruneInput names the run that prunes (its workflow's blobs are kept) and
// its time, from which the retention counts back.
type PruneInput struct {
	Workflow string    `json:"workflow"`
	Now      time.Time `json:"now"`
}

// PruneBlobs deletes the blobs of runs older than blob_retention, except
// those of the calling workflow (whose later runs, after continue-as-new,
// read its first run's plan). A running workflow older than the retention
// cannot exist: check-config keeps the retention above sync.run_timeout.
// With no retention it deletes nothing.
func (a *Activities) PruneBlobs(ctx context.Context, in PruneInput) (blob.Pruned, error) {
	if a.BlobRetention <= 0 {
		return blob.Pruned{}, nil
	}
	before := in.Now.Add(-a.BlobRetention)
	res, err := a.Blob.PruneRuns(ctx, before, func(wf string) bool { return wf == in.Workflow })
	if err != nil {
		return res, classify(err)
	}
	if res.Runs > 0 {
		a.Log.Info("old runs' blobs deleted", zap.Int("runs", res.Runs), zap.Int("blobs", res.Blobs),
			zap.Int64("bytes", res.Bytes), zap.Time("older_than", before))
	}
	return res, nil
}
