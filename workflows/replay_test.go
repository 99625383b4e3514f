package workflows

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedHistories replays histories recorded from real runs
// (test/e2e writes them with -update-history): one of each shape a run
// takes (see docs/workflow.md, "Upgrades and the replay corpus"). A change
// to SyncWorkflow or ApplyLockWorkflow that would break runs in flight
// fails here. The *_before_prepare
// histories were recorded before the Prepare step existed and are kept as
// they are, and so are the *_before_record ones, recorded before the
// timeouts and the record-run step, and the *_before_guard ones, recorded
// before the keep-baseline step: runs of those shapes must still replay (workflow.GetVersion);
// -update-history rewrites only the current ones.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*_history.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories under testdata/")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflow(SyncWorkflow)
			r.RegisterWorkflow(ApplyLockWorkflow)
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
