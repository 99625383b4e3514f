package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// writeSpan is when a run's first and last writing step (prepare, apply)
// were scheduled and when the run closed, from its history, and whether it
// waited for the apply lock.
type writeSpan struct {
	first, last, closed time.Time
	waited              bool
}

func runWrites(t *testing.T, run client.WorkflowRun) writeSpan {
	t.Helper()
	var s writeSpan
	it := devServer.Client().GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		at := ev.GetEventTime().AsTime()
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			if n := a.GetActivityType().GetName(); n == "Prepare" || n == "Apply" {
				if s.first.IsZero() {
					s.first = at
				}
				s.last = at
			}
		}
		if ev.GetStartChildWorkflowExecutionFailedEventAttributes() != nil {
			s.waited = true
		}
		if ev.GetWorkflowExecutionCompletedEventAttributes() != nil {
			s.closed = at
		}
	}
	return s
}

// TestTwoRunsNeverWriteAtOnce: two runs started together on one NetBox
// (the schedule's and one by hand) both plan; one takes the NetBox's
// apply lock, the other waits for it and starts writing only once the
// first has ended. NetBox ends with each object once.
func TestTwoRunsNeverWriteAtOnce(t *testing.T) {
	faultRow(t, "two runs started at once on one NetBox",
		"the second waits for the apply lock and writes only after the first ends; each device once")
	e := newEnv(t, exampleConfig(t))
	require.NotEmpty(t, e.acts.Settings.ApplyLock)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := func() client.WorkflowRun {
		run, err := devServer.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: e.queue}, workflows.SyncWorkflow, workflows.SyncRequest{})
		require.NoError(t, err)
		return run
	}
	a, b := start(), start()
	var resA, resB workflows.SyncResult
	require.NoError(t, a.Get(ctx, &resA))
	require.NoError(t, b.Get(ctx, &resB))
	recordHistory(t, a, "sync_two_at_once_a")
	recordHistory(t, b, "sync_two_at_once_b")
	recordHistory(t, devServer.Client().GetWorkflow(ctx, workflows.LockWorkflowID(e.acts.Settings.ApplyLock), ""), "apply_lock")

	sa, sb := runWrites(t, a), runWrites(t, b)
	require.False(t, sa.first.IsZero(), "run %s wrote nothing", a.GetID())
	require.False(t, sb.first.IsZero(), "run %s wrote nothing", b.GetID())
	firstRun, second := sa, sb
	if sb.first.Before(sa.first) {
		firstRun, second = sb, sa
	}
	require.True(t, second.waited, "the second run found the lock held")
	require.False(t, second.first.Before(firstRun.closed),
		"the second run wrote at %s, before the first ended at %s", second.first, firstRun.closed)
	for _, res := range []workflows.SyncResult{resA, resB} {
		require.Zero(t, res.Applied.BatchesFailed, "%+v", res.FailedBatches)
		for _, s := range res.Sources {
			require.Equal(t, activities.SourceOK, s.Status, s.Error)
		}
	}
	require.Equal(t, 5, e.nb.count(t, "dcim/devices"), "each device once")
}
