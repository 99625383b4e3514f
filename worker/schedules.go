package main

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
)

// syncWorkflowType is the workflow type the schedules worth watching start.
const syncWorkflowType = "SyncWorkflow"

// checkSchedules reads, for every schedule that starts sync runs, how many
// runs it skipped because one was still going (overlap policy skip): the
// count goes to netbox_agent_schedule_skipped_runs_total, and new skips to
// the log with the runs still going, so that a run that hangs and makes
// the schedule skip every later one is seen, not silent.
func (h *health) checkSchedules(ctx context.Context) error {
	it, err := h.temporal.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return fmt.Errorf("list schedules: %w", err)
	}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return fmt.Errorf("list schedules: %w", err)
		}
		if e.WorkflowType.Name != syncWorkflowType {
			continue
		}
		d, err := h.temporal.ScheduleClient().GetHandle(ctx, e.ID).Describe(ctx)
		if err != nil {
			return fmt.Errorf("describe schedule %s: %w", e.ID, err)
		}
		n := h.metrics.ScheduleSkipped(e.ID, int64(d.Info.NumActionsSkippedOverlap))
		if n == 0 {
			continue
		}
		running := make([]string, 0, len(d.Info.RunningWorkflows))
		for _, w := range d.Info.RunningWorkflows {
			running = append(running, w.WorkflowID)
		}
		h.log.Warn("the schedule skipped runs because a run was still going (overlap policy)",
			zap.String("schedule", e.ID), zap.Int64("skipped", n), zap.Int("skipped_total", d.Info.NumActionsSkippedOverlap),
			zap.Strings("running", running))
	}
	return nil
}
