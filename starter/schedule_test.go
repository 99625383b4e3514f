package main

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
)

func TestCalendarCron(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec client.ScheduleCalendarSpec
		want string
	}{
		{"hourly", client.ScheduleCalendarSpec{Minute: []client.ScheduleRange{{Start: 0}}}, "0 * * * *"},
		{"every 30 minutes", client.ScheduleCalendarSpec{Minute: []client.ScheduleRange{{Start: 0, End: 59, Step: 30}}}, "0-59/30 * * * *"},
		{"weekdays at 6:15", client.ScheduleCalendarSpec{
			Minute:    []client.ScheduleRange{{Start: 15}},
			Hour:      []client.ScheduleRange{{Start: 6}},
			DayOfWeek: []client.ScheduleRange{{Start: 1, End: 5}},
		}, "15 6 * * 1-5"},
		{"two hours", client.ScheduleCalendarSpec{Hour: []client.ScheduleRange{{Start: 1}, {Start: 13}}}, "* 1,13 * * *"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, calendarCron(tc.spec))
		})
	}
}
