package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/workflows"
)

// overlapPolicies maps the flag's words to Temporal's policies; skip is the
// default because two syncs of one NetBox at once only fight each other.
var overlapPolicies = map[string]enumspb.ScheduleOverlapPolicy{
	"skip":         enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	"buffer-one":   enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE,
	"buffer-all":   enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL,
	"cancel-other": enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER,
	"allow-all":    enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
}

type scheduleOptions struct {
	id, cron, overlap, sources, note string
	dryRun                           bool
}

func scheduleFlags(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
	var o scheduleOptions
	fs.StringVar(&o.id, "id", "netbox-agent-sync", "schedule ID")
	fs.StringVar(&o.cron, "cron", "", `cron expression (create: required, e.g. "0 * * * *")`)
	fs.StringVar(&o.overlap, "overlap", "skip", "what to do when a run is still going: skip, buffer-one, buffer-all, cancel-other, allow-all")
	fs.StringVar(&o.sources, "sources", "", "comma-separated source names (default: every enabled source)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "scheduled runs only plan")
	fs.StringVar(&o.note, "note", "", "note recorded with pause or unpause")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) != 1 {
			return errors.New("schedule needs one of: create, update, ensure, describe, pause, unpause, trigger, delete")
		}
		h := a.tc.ScheduleClient().GetHandle(ctx, o.id)
		switch args[0] {
		case "create":
			return a.createSchedule(ctx, o)
		case "update":
			return a.updateSchedule(ctx, h, fs, o)
		case "ensure":
			return a.ensureSchedule(ctx, h, fs, o)
		case "describe":
			return a.describeSchedule(ctx, h)
		case "pause":
			return wrap("pause schedule", h.Pause(ctx, client.SchedulePauseOptions{Note: o.note}))
		case "unpause":
			return wrap("unpause schedule", h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: o.note}))
		case "trigger":
			return wrap("trigger schedule", h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL}))
		case "delete":
			return wrap("delete schedule", h.Delete(ctx))
		}
		return fmt.Errorf("unknown schedule command %q", args[0])
	}
}

func wrap(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func (o scheduleOptions) policy() (enumspb.ScheduleOverlapPolicy, error) {
	p, ok := overlapPolicies[o.overlap]
	if !ok {
		return 0, fmt.Errorf("--overlap %q: want one of skip, buffer-one, buffer-all, cancel-other, allow-all", o.overlap)
	}
	return p, nil
}

func (a *app) action(o scheduleOptions) *client.ScheduleWorkflowAction {
	req := workflows.SyncRequest{DryRun: o.dryRun, Sources: splitList(o.sources)}
	return &client.ScheduleWorkflowAction{
		ID:                 o.id,
		Workflow:           workflows.SyncWorkflow,
		Args:               []any{req},
		TaskQueue:          a.cfg.Temporal.TaskQueue,
		StaticSummary:      "scheduled " + summary(req),
		WorkflowRunTimeout: a.cfg.Sync.RunTimeout.Duration,
	}
}

func (a *app) createSchedule(ctx context.Context, o scheduleOptions) error {
	if o.cron == "" {
		return errors.New(`schedule create needs --cron (e.g. "0 * * * *")`)
	}
	policy, err := o.policy()
	if err != nil {
		return err
	}
	_, err = a.tc.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      o.id,
		Spec:    client.ScheduleSpec{CronExpressions: []string{o.cron}},
		Action:  a.action(o),
		Overlap: policy,
	})
	if err != nil {
		return fmt.Errorf("create schedule %s: %w", o.id, err)
	}
	fmt.Fprintf(a.out, "created schedule %s (%s, overlap %s)\n", o.id, o.cron, o.overlap)
	return nil
}

func (a *app) updateSchedule(ctx context.Context, h client.ScheduleHandle, fs *pflag.FlagSet, o scheduleOptions) error {
	policy, err := o.policy()
	if err != nil {
		return err
	}
	err = h.Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			if fs.Changed("cron") {
				s.Spec = &client.ScheduleSpec{CronExpressions: []string{o.cron}}
			}
			if fs.Changed("overlap") {
				s.Policy.Overlap = policy
			}
			if fs.Changed("sources") || fs.Changed("dry-run") {
				s.Action = a.action(o)
			} else if act, ok := s.Action.(*client.ScheduleWorkflowAction); ok {
				// A schedule made before runs had a timeout gets sync.run_timeout.
				act.WorkflowRunTimeout = a.cfg.Sync.RunTimeout.Duration
			}
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		return fmt.Errorf("update schedule %s: %w", o.id, err)
	}
	fmt.Fprintf(a.out, "updated schedule %s\n", o.id)
	return nil
}

// ensureSchedule updates the schedule with the flags given, or creates it
// when there is none, so that one command run at every deployment (a
// compose oneshot, a Kubernetes Job) leaves the schedule as the flags say.
func (a *app) ensureSchedule(ctx context.Context, h client.ScheduleHandle, fs *pflag.FlagSet, o scheduleOptions) error {
	if o.cron == "" {
		return errors.New(`schedule ensure needs --cron (e.g. "0 * * * *")`)
	}
	err := a.updateSchedule(ctx, h, fs, o)
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		return err
	}
	return a.createSchedule(ctx, o)
}

func (a *app) describeSchedule(ctx context.Context, h client.ScheduleHandle) error {
	d, err := h.Describe(ctx)
	if err != nil {
		return fmt.Errorf("describe schedule %s: %w", h.GetID(), err)
	}
	s := d.Schedule
	fmt.Fprintf(a.out, "schedule %s\n", h.GetID())
	if s.Spec != nil {
		for _, c := range s.Spec.CronExpressions {
			fmt.Fprintf(a.out, "  cron:     %s\n", c)
		}
		// The server keeps a cron expression as a calendar; show it as one.
		for _, c := range s.Spec.Calendars {
			fmt.Fprintf(a.out, "  cron:     %s\n", calendarCron(c))
		}
	}
	if s.Policy != nil {
		fmt.Fprintf(a.out, "  overlap:  %s\n", s.Policy.Overlap)
	}
	if s.State != nil {
		fmt.Fprintf(a.out, "  paused:   %t %s\n", s.State.Paused, s.State.Note)
	}
	fmt.Fprintf(a.out, "  runs:     %d (%d skipped for overlap)\n", d.Info.NumActions, d.Info.NumActionsSkippedOverlap)
	for _, t := range d.Info.NextActionTimes[:min(3, len(d.Info.NextActionTimes))] {
		fmt.Fprintf(a.out, "  next:     %s\n", t.Format(time.RFC3339))
	}
	for _, r := range d.Info.RecentActions {
		id := ""
		if r.StartWorkflowResult != nil {
			id = r.StartWorkflowResult.WorkflowID
		}
		fmt.Fprintf(a.out, "  recent:   %s %s\n", r.ActualTime.Format(time.RFC3339), id)
	}
	return nil
}

// calendarCron writes a calendar spec in cron's five fields.
func calendarCron(c client.ScheduleCalendarSpec) string {
	fields := [][]client.ScheduleRange{c.Minute, c.Hour, c.DayOfMonth, c.Month, c.DayOfWeek}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = cronField(f)
	}
	return strings.Join(out, " ")
}

func cronField(rs []client.ScheduleRange) string {
	if len(rs) == 0 {
		return "*"
	}
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		p := strconv.Itoa(r.Start)
		if r.End > r.Start {
			p += "-" + strconv.Itoa(r.End)
		}
		if r.Step > 1 {
			p += "/" + strconv.Itoa(r.Step)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ",")
}
