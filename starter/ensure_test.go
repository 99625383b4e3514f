package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/config"
)

// fakeScheduleTemporal is a Temporal that holds schedules and nothing
// else; every other method panics.
type fakeScheduleTemporal struct {
	client.Client
	s *fakeSchedules
}

func (f fakeScheduleTemporal) ScheduleClient() client.ScheduleClient { return f.s }

// fakeSchedules keeps each schedule's cron expressions; updateErr, when
// set, is what every update answers.
type fakeSchedules struct {
	client.ScheduleClient
	crons     map[string][]string
	created   int
	updateErr error
}

func (f *fakeSchedules) Create(_ context.Context, o client.ScheduleOptions) (client.ScheduleHandle, error) {
	if _, ok := f.crons[o.ID]; ok {
		return nil, errors.New("schedule already exists")
	}
	f.crons[o.ID] = o.Spec.CronExpressions
	f.created++
	return fakeSchedule{id: o.ID, f: f}, nil
}

func (f *fakeSchedules) GetHandle(_ context.Context, id string) client.ScheduleHandle {
	return fakeSchedule{id: id, f: f}
}

type fakeSchedule struct {
	client.ScheduleHandle
	id string
	f  *fakeSchedules
}

func (s fakeSchedule) GetID() string { return s.id }

// Update answers as the SDK does: it describes the schedule first, and a
// missing one is the server's NotFound.
func (s fakeSchedule) Update(_ context.Context, o client.ScheduleUpdateOptions) error {
	if s.f.updateErr != nil {
		return s.f.updateErr
	}
	crons, ok := s.f.crons[s.id]
	if !ok {
		return serviceerror.NewNotFound("schedule not found")
	}
	in := client.ScheduleUpdateInput{Description: client.ScheduleDescription{Schedule: client.Schedule{
		Spec:   &client.ScheduleSpec{CronExpressions: crons},
		Action: &client.ScheduleWorkflowAction{},
		Policy: &client.SchedulePolicies{},
	}}}
	u, err := o.DoUpdate(in)
	if err != nil {
		return err
	}
	s.f.crons[s.id] = u.Schedule.Spec.CronExpressions
	return nil
}

// TestScheduleEnsure: the first ensure creates the schedule, the next one
// updates it in place, and an update that fails for another reason is not
// papered over by a create.
func TestScheduleEnsure(t *testing.T) {
	cfg, err := config.Load("", nil, nil)
	require.NoError(t, err)
	f := &fakeSchedules{crons: map[string][]string{}}
	var out bytes.Buffer
	a := &app{cfg: cfg, tc: fakeScheduleTemporal{s: f}, out: &out}
	ensure := func(args ...string) error {
		fs := pflag.NewFlagSet("starter schedule", pflag.ContinueOnError)
		exec := scheduleFlags(fs)
		require.NoError(t, fs.Parse(args))
		return exec(context.Background(), a, fs.Args())
	}

	require.NoError(t, ensure("ensure", "--cron", "0 * * * *"))
	require.Equal(t, map[string][]string{"netbox-agent-sync": {"0 * * * *"}}, f.crons)
	require.Contains(t, out.String(), "created schedule netbox-agent-sync")

	out.Reset()
	require.NoError(t, ensure("ensure", "--cron", "*/30 * * * *"))
	require.Equal(t, map[string][]string{"netbox-agent-sync": {"*/30 * * * *"}}, f.crons)
	require.Equal(t, 1, f.created, "an existing schedule is updated, not made again")
	require.Contains(t, out.String(), "updated schedule netbox-agent-sync")

	require.ErrorContains(t, ensure("ensure"), "schedule ensure needs --cron")

	f.updateErr = serviceerror.NewPermissionDenied("not allowed", "")
	err = ensure("ensure", "--id", "other", "--cron", "0 * * * *")
	require.ErrorContains(t, err, "update schedule other: not allowed")
	require.NotContains(t, f.crons, "other")
}
