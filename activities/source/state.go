package source

import (
	"context"
	"encoding/json"
)

// Stateful is a Source whose discovery depends on what its earlier runs
// found: the scanner counts the runs in a row an address has been silent
// in. The discover activity keeps the state in the blob store, outside the
// runs it prunes, so that it survives a worker's restart and reads the same
// on every worker; a source keeps nothing of it in memory.
type Stateful interface {
	Source
	// DiscoverFrom discovers as Discover does, from the state the last run
	// left (nil at the first run, or when it was lost), and returns the
	// state the next run starts from. A state that does not decode (one an
	// older release wrote) is a warning and a fresh start, not an error.
	// The state holds no secret: it is written to the blob store as it is.
	DiscoverFrom(ctx context.Context, p Progress, state json.RawMessage) (*Snapshot, json.RawMessage, error)
}
