package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// historyFigures sums up the histories of a workflow and of the runs it
// continued as.
type historyFigures struct {
	Runs int `json:"runs"`
	// MaxEvents is the largest number of events in one run; Events adds
	// them all up.
	MaxEvents int `json:"max_events"`
	Events    int `json:"events"`
	// LargestPayload is the size in bytes of the largest Payloads message
	// (an input, a result, heartbeat details) in any event, and Where names
	// the event and field that carried it.
	LargestPayload int    `json:"largest_payload"`
	Where          string `json:"largest_payload_where"`
	// Phases says how long each step took, from its first activity's
	// scheduling to its last one's end: configure, discover, merge, plan,
	// apply.
	Phases map[string]time.Duration `json:"phases"`
	// Activities counts the activities scheduled; Retries the attempts
	// after the first; Failures the activities that failed for good.
	Activities int `json:"activities"`
	Retries    int `json:"retries"`
	Failures   int `json:"failures"`
}

// phaseSpan is when a step's activities started and ended.
type phaseSpan struct{ first, last time.Time }

var (
	payloadsName = (&commonpb.Payloads{}).ProtoReflect().Descriptor().FullName()
	payloadName  = (&commonpb.Payload{}).ProtoReflect().Descriptor().FullName()
)

// readHistory walks the history of the workflow's first run and of every
// run it continued as.
func readHistory(ctx context.Context, c client.Client, workflowID, firstRunID string) (historyFigures, error) {
	h := historyFigures{Phases: map[string]time.Duration{}}
	spans := map[string]*phaseSpan{}
	var order []string
	for runID := firstRunID; runID != ""; {
		it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		events, next := 0, ""
		phaseOf := map[int64]string{}
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return h, fmt.Errorf("read history of run %s: %w", runID, err)
			}
			events++
			name := strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_")
			largestPayload(ev.ProtoReflect(), name, &h)
			at := ev.GetEventTime().AsTime()
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
				ph, _, _ := strings.Cut(a.GetActivityId(), "/")
				phaseOf[ev.GetEventId()] = ph
				h.Activities++
				sp := spans[ph]
				if sp == nil {
					sp = &phaseSpan{first: at}
					spans[ph] = sp
					order = append(order, ph)
				}
			}
			if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() > 1 {
				h.Retries += int(a.GetAttempt()) - 1
			}
			if id, failed := closedActivity(ev); id != 0 {
				if sp := spans[phaseOf[id]]; sp != nil && at.After(sp.last) {
					sp.last = at
				}
				if failed {
					h.Failures++
				}
			}
			if a := ev.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
				next = a.GetNewExecutionRunId()
			}
		}
		h.Runs++
		h.Events += events
		h.MaxEvents = max(h.MaxEvents, events)
		runID = next
	}
	for _, ph := range order {
		if sp := spans[ph]; !sp.last.IsZero() {
			h.Phases[ph] = sp.last.Sub(sp.first)
		}
	}
	return h, nil
}

// closedActivity names the scheduled event of an activity that ended with
// this event, and whether it failed.
func closedActivity(ev *historypb.HistoryEvent) (scheduled int64, failed bool) {
	switch {
	case ev.GetActivityTaskCompletedEventAttributes() != nil:
		return ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId(), false
	case ev.GetActivityTaskFailedEventAttributes() != nil:
		return ev.GetActivityTaskFailedEventAttributes().GetScheduledEventId(), true
	case ev.GetActivityTaskTimedOutEventAttributes() != nil:
		return ev.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId(), true
	case ev.GetActivityTaskCanceledEventAttributes() != nil:
		return ev.GetActivityTaskCanceledEventAttributes().GetScheduledEventId(), true
	}
	return 0, false
}

// largestPayload finds the largest Payloads (or lone Payload) message
// anywhere inside m, whatever the event type, so that a payload in a field
// this code never heard of is still measured.
func largestPayload(m protoreflect.Message, path string, h *historyFigures) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil {
			return true
		}
		p := path + "." + string(fd.Name())
		visit := func(msg protoreflect.Message) {
			switch msg.Descriptor().FullName() {
			case payloadsName, payloadName:
				if n := proto.Size(msg.Interface()); n > h.LargestPayload {
					h.LargestPayload, h.Where = n, p
				}
			default:
				largestPayload(msg, p, h)
			}
		}
		switch {
		case fd.IsList():
			l := v.List()
			for i := range l.Len() {
				visit(l.Get(i).Message())
			}
		case fd.IsMap():
			if fd.MapValue().Message() == nil {
				return true
			}
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				visit(mv.Message())
				return true
			})
		default:
			visit(v.Message())
		}
		return true
	})
}
