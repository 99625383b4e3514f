package e2e

import (
	"context"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
)

var updateHistory = flag.Bool("update-history", false, "record the histories the workflow replay tests use")

// recordHistory writes a run's history in the form `temporal workflow show
// --output json` gives, for workflows' replay test.
func recordHistory(t *testing.T, run client.WorkflowRun, name string) {
	t.Helper()
	if !*updateHistory {
		return
	}
	var h historypb.History
	it := devServer.Client().GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(repoPath(t, "workflows/testdata/"+name+"_history.json"), b, 0o644))
}
