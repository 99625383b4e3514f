package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// SourceStateRef names where the state a stateful source (source.Stateful)
// carries from run to run lives, for the NetBox named by lockKey
// (ApplyLockKey) and the source instance src. Like the guard's baseline it
// is outside runs/, so that pruning old runs never drops it.
func SourceStateRef(lockKey, src string) string {
	if lockKey == "" {
		lockKey = "default"
	}
	return "state/sources/" + lockKey + "/" + src + ".json"
}

// sourceState is the document at SourceStateRef. From is the state the
// run that wrote it started from, so that a retry of that run's discovery
// starts from the same state instead of counting the run twice.
type sourceState struct {
	Run   string          `json:"run"`
	From  json.RawMessage `json:"from,omitempty"`
	State json.RawMessage `json:"state,omitempty"`
}

// discoverStateful runs a stateful source's discovery from the state its
// last run left and keeps the state it leaves for the next.
func (a *Activities) discoverStateful(ctx context.Context, run, name string, src source.Stateful, p source.Progress) (*source.Snapshot, error) {
	ref := SourceStateRef(a.Settings.ApplyLock, name)
	var doc sourceState
	err := a.Blob.GetJSON(ctx, ref, &doc)
	switch {
	case errors.Is(err, blob.ErrNotFound):
		doc = sourceState{}
	case err != nil:
		return nil, fmt.Errorf("read the state of source %s: %w", name, err)
	}
	from := doc.State
	if doc.Run == run {
		from = doc.From
	}
	snap, next, err := src.DiscoverFrom(ctx, p, from)
	if err != nil {
		return nil, err
	}
	if _, err := a.Blob.PutJSON(ctx, ref, sourceState{Run: run, From: from, State: next}); err != nil {
		return nil, fmt.Errorf("write the state of source %s: %w", name, err)
	}
	return snap, nil
}
