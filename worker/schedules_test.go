package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/metrics"
)

// TestSkippedRunsAreSeen: runs a sync schedule skips for overlap move
// netbox_agent_schedule_skipped_runs_total and are logged with the run
// still going; a schedule of another workflow is left alone.
func TestSkippedRunsAreSeen(t *testing.T) {
	m, err := metrics.New()
	require.NoError(t, err)
	core, logs := observer.New(zap.WarnLevel)
	f := &fakeSchedules{
		types:   map[string]string{"netbox-agent-sync": syncWorkflowType, "other": "OtherWorkflow"},
		skipped: map[string]int{"netbox-agent-sync": 2, "other": 9},
		running: map[string][]string{"netbox-agent-sync": {"netbox-agent-sync-2026-12-03T06:00:00Z"}},
	}
	h := newHealth(scheduleTemporal{f: f}, &activities.Activities{}, m, zap.New(core))
	ctx := context.Background()

	counter := func(schedule string) float64 {
		fams, err := m.Registry().Gather()
		require.NoError(t, err)
		for _, fam := range fams {
			if fam.GetName() != "netbox_agent_schedule_skipped_runs_total" {
				continue
			}
			for _, s := range fam.GetMetric() {
				if s.GetLabel()[0].GetValue() == schedule {
					return s.GetCounter().GetValue()
				}
			}
		}
		return -1
	}

	// The first look takes the schedule's count as the counter's start.
	require.NoError(t, h.checkSchedules(ctx))
	require.InDelta(t, 2, counter("netbox-agent-sync"), 0)
	require.InDelta(t, -1, counter("other"), 0, "a schedule of another workflow is not watched")
	require.Zero(t, logs.Len())

	// A run skipped since: counted and logged, naming the run still going.
	f.skipped["netbox-agent-sync"] = 3
	require.NoError(t, h.checkSchedules(ctx))
	require.InDelta(t, 3, counter("netbox-agent-sync"), 0)
	require.Equal(t, 1, logs.Len())
	entry := logs.All()[0]
	require.True(t, strings.Contains(entry.Message, "skipped"), entry.Message)
	fields := entry.ContextMap()
	require.Equal(t, "netbox-agent-sync", fields["schedule"])
	require.EqualValues(t, 1, fields["skipped"])
	require.Contains(t, fields["running"], "netbox-agent-sync-2026-12-03T06:00:00Z")

	// Nothing new: nothing logged.
	require.NoError(t, h.checkSchedules(ctx))
	require.Equal(t, 1, logs.Len())
}
