package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want sizeSpec
		err  bool
	}{
		{in: "6000", want: sizeSpec{objects: 6000, repeat: 3}},
		{in: " 100_000x1", want: sizeSpec{objects: 100000, repeat: 1}},
		{in: "1000x5", want: sizeSpec{objects: 1000, repeat: 5}},
		{in: "10", err: true},
		{in: "lots", err: true},
		{in: "1000x0", err: true},
		{in: "1000x", err: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseSize(tc.in, 3)
			if tc.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"--quick"})
	require.NoError(t, err)
	assert.Equal(t, []sizeSpec{{objects: 1000, repeat: 1}}, o.sizes)

	o, err = parseFlags([]string{"--quick", "--sizes", "2000"})
	require.NoError(t, err)
	assert.Equal(t, []sizeSpec{{objects: 2000, repeat: 1}}, o.sizes)

	o, err = parseFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, []sizeSpec{{1000, 3}, {6000, 3}, {100000, 3}}, o.sizes)
	assert.Equal(t, 5*time.Millisecond, o.cost.perRequest)
	assert.Equal(t, []string{caseFirst, caseUnchanged, caseChanged}, o.cases)
	assert.False(t, o.real)

	o, err = parseFlags([]string{"--netbox", "real"})
	require.NoError(t, err)
	assert.True(t, o.real)
	assert.Equal(t, []sizeSpec{{1000, 1}, {6000, 1}}, o.sizes)
	assert.Equal(t, []string{caseFloor, caseFirst, caseUnchanged}, o.cases)

	o, err = parseFlags([]string{"--floor", "--cases", "first", "--latency-per-write", "1ms"})
	require.NoError(t, err)
	assert.Equal(t, []string{caseFloor, caseFirst}, o.cases)
	assert.Equal(t, []string{"--latency", "5ms", "--latency-per-write", "1ms"}, o.cost.args())

	for _, bad := range [][]string{
		{"--repeat", "0"},
		{"--changed", "0"},
		{"--worker-env", "NOVALUE"},
		{"--sizes", "1000,abc"},
		{"--netbox", "other"},
		{"--cases", "first,later"},
	} {
		_, err := parseFlags(bad)
		assert.Error(t, err, "%v", bad)
	}
}

func TestProcUsage(t *testing.T) {
	u, err := procUsage(os.Getpid())
	require.NoError(t, err)
	assert.Positive(t, u.PeakRSS)
	_, err = procUsage(1 << 30)
	assert.Error(t, err)
}

// TestLargestPayload: payloads are found wherever an event carries them,
// and the largest one is named by its path.
func TestLargestPayload(t *testing.T) {
	small := &commonpb.Payloads{Payloads: []*commonpb.Payload{{Data: []byte(`{"ref":"x"}`)}}}
	big := &commonpb.Payloads{Payloads: []*commonpb.Payload{{Data: []byte(strings.Repeat("x", 5000))}}}
	events := []*historypb.HistoryEvent{
		{Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{
			ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{Input: small},
		}},
		{Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
			WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
				Memo: &commonpb.Memo{Fields: map[string]*commonpb.Payload{"note": {Data: []byte("memo")}}},
			},
		}},
		{Attributes: &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{
			ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{Result: big},
		}},
	}
	var h historyFigures
	for i, ev := range events {
		largestPayload(ev.ProtoReflect(), "event", &h)
		if i == 1 {
			assert.Equal(t, "event.activity_task_scheduled_event_attributes.input", h.Where, "the memo is smaller")
		}
	}
	assert.Greater(t, h.LargestPayload, 5000)
	assert.Less(t, h.LargestPayload, 5100)
	assert.Equal(t, "event.activity_task_completed_event_attributes.result", h.Where)
}

func TestSummarize(t *testing.T) {
	m := func(c string, wall time.Duration, rss int64, events int) measurement {
		return measurement{Size: 1000, Case: c, Wall: wall, Worker: usage{PeakRSS: rss}, History: historyFigures{MaxEvents: events, Runs: 1}}
	}
	all := []measurement{
		m(caseFirst, 3*time.Second, 100, 10),
		m(caseFirst, 1*time.Second, 300, 30),
		m(caseFirst, 2*time.Second, 200, 20),
		m(caseUnchanged, time.Second, 50, 5),
	}
	rows := summarize(all, []sizeSpec{{objects: 1000, repeat: 3}}, []string{caseFloor, caseFirst, caseUnchanged, caseChanged})
	require.Len(t, rows, 2)
	assert.Equal(t, 2*time.Second, rows[0].median.Wall)
	assert.Equal(t, 3, rows[0].runs)
	assert.Equal(t, int64(300), rows[0].peakRSS, "the worst run's peak")
	assert.Equal(t, 30, rows[0].maxEvents)
	assert.Equal(t, 1, rows[1].runs)
}

func TestVerdicts(t *testing.T) {
	mk := func(size int, c string, wall time.Duration, writes, changed int, rss int64) row {
		return row{
			median: measurement{Size: size, Case: c, Wall: wall, Changed: changed, Requests: map[string]int{"POST": writes}},
			runs:   1, peakRSS: rss, payload: 2048, maxEvents: 500,
		}
	}
	g := verdicts([]row{
		mk(6000, caseFloor, 20*time.Second, 10, 6000, 0),
		mk(6000, caseFirst, 30*time.Second, 100, 6000, 100<<20),
		mk(6000, caseUnchanged, 12*time.Second, 0, 0, 500<<20),
	})
	got := map[string]string{}
	for _, c := range g.cells {
		got[c[0]] = c[2]
	}
	assert.Equal(t, "met", got["6,000 objects: first sync under 60 s"])
	assert.Equal(t, "MISSED", got["6,000 objects: unchanged re-sync under 10 s"])
	assert.Equal(t, "met", got["6,000 objects: unchanged re-sync writes nothing"])
	assert.Equal(t, "MISSED", got["6,000 objects: worker peak RSS under 400 MB"])
	assert.Equal(t, "met", got["6,000 objects: under 0.05 write requests per created object"])
	assert.NotContains(t, got, "100,000 objects: completes")
	assert.Equal(t, "MISSED", got["6,000 objects: first sync within 1.3x of the floor"], "30 s over 20 s")
}

func TestVerdictOfTheLargeReSync(t *testing.T) {
	for _, tc := range []struct {
		wall time.Duration
		errs []string
		want string
	}{
		{4900 * time.Millisecond, nil, "met"},
		{5 * time.Second, nil, "MISSED"},
		{3 * time.Second, []string{"2 records not read"}, "MISSED"},
	} {
		g := verdicts([]row{{median: measurement{Size: 100000, Case: caseUnchanged, Wall: tc.wall}, runs: 1, errs: tc.errs}})
		got := map[string]string{}
		for _, c := range g.cells {
			got[c[0]] = c[2]
		}
		assert.Equal(t, tc.want, got["100,000 objects: unchanged re-sync under 5 s"], "%s %v", tc.wall, tc.errs)
	}
}

func TestFormatting(t *testing.T) {
	assert.Equal(t, "100,000", thousands(100000))
	assert.Equal(t, "999", thousands(999))
	assert.Equal(t, "-1,000", thousands(-1000))
	assert.Equal(t, "1.50 s", dur(1500*time.Millisecond))
	assert.Equal(t, "80.3 s", dur(80300*time.Millisecond))
	assert.Equal(t, "12 min 05 s", dur(12*time.Minute+5*time.Second))
	assert.Equal(t, "-", dur(0))

	g := grid{title: "t", header: []string{"a", "b"}, words: 1, cells: [][]string{{"x", "2"}}, notes: []string{"n"}}
	assert.Equal(t, "**t**\n\n| a | b |\n| --- | ---: |\n| x | 2 |\n\n- n\n", g.markdown())
}
