package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// t0 is when the runs of the renderer's tests start.
var t0 = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func src(name, typ, status string, records int, err string) activities.SourceResult {
	return activities.SourceResult{Name: name, Type: typ, Status: status, Records: records, Error: err}
}

func applied(batches, ended, created int) workflows.ApplyTotals {
	return workflows.ApplyTotals{Batches: batches, BatchesDone: ended, Tally: netbox.Tally{Created: created}}
}

// seen is one observation secs seconds after t0.
func seen(secs int, p workflows.Progress, retrying map[string]attempt) observation {
	return observation{At: t0.Add(time.Duration(secs) * time.Second), Progress: p, Retrying: retrying}
}

// fullSync: three sources, one retried twice before it answers, one that
// fails for good, then a plan of 12 batches in two stages.
func fullSync() []observation {
	files, pve, nas := "files", "pve", "nas"
	running := func(n, typ string) activities.SourceResult { return src(n, typ, activities.SourceRunning, 0, "") }
	unreachable := "SourceUnreachable: discover nas: dial tcp 192.0.2.5:443: connect: connection refused"
	failed := src(pve, "proxmox", activities.SourceFailed, 0, "SourceAuth: discover pve: the API token was refused (401)")
	ok := []activities.SourceResult{src(files, "filesystem", activities.SourceOK, 40, ""), failed, src(nas, "truenas", activities.SourceOK, 260, "")}
	failedBatch := applied(12, 10, 1100)
	failedBatch.BatchesFailed = 1
	done := applied(12, 11, 1100)
	done.BatchesFailed = 1
	return []observation{
		seen(0, workflows.Progress{Phase: "starting"}, nil),
		seen(1, workflows.Progress{Phase: "discovering", Sources: []activities.SourceResult{running(files, "filesystem"), running(pve, "proxmox"), running(nas, "truenas")}}, nil),
		seen(2, workflows.Progress{Phase: "discovering", Sources: []activities.SourceResult{ok[0], running(pve, "proxmox"), running(nas, "truenas")}},
			map[string]attempt{nas: {Number: 2, LastError: unreachable}}),
		seen(3, workflows.Progress{Phase: "discovering", Sources: []activities.SourceResult{ok[0], running(pve, "proxmox"), running(nas, "truenas")}},
			map[string]attempt{nas: {Number: 2, LastError: unreachable}}),
		seen(4, workflows.Progress{Phase: "discovering", Sources: []activities.SourceResult{ok[0], running(pve, "proxmox"), running(nas, "truenas")}},
			map[string]attempt{nas: {Number: 3, LastError: unreachable}}),
		seen(6, workflows.Progress{Phase: "merging", Sources: ok}, nil),
		seen(7, workflows.Progress{Phase: "planning", Sources: ok}, nil),
		seen(8, workflows.Progress{Phase: "preparing", Sources: ok, Planned: 1200, Applied: applied(12, 0, 0)}, nil),
		seen(9, workflows.Progress{Phase: "applying", Sources: ok, Planned: 1200, Stage: "create device", StageNumber: 1, Stages: 2, Applied: applied(12, 0, 0)}, nil),
		seen(13, workflows.Progress{Phase: "applying", Sources: ok, Planned: 1200, Stage: "create device", StageNumber: 1, Stages: 2, Applied: applied(12, 4, 400)}, nil),
		seen(20, workflows.Progress{Phase: "applying", Sources: ok, Planned: 1200, Stage: "create interface", StageNumber: 2, Stages: 2, Applied: applied(12, 8, 800)}, nil),
		seen(26, workflows.Progress{Phase: "applying", Sources: ok, Planned: 1200, Stage: "create interface", StageNumber: 2, Stages: 2, Applied: applied(12, 9, 900)}, nil),
		seen(31, workflows.Progress{Phase: "applying", Sources: ok, Planned: 1200, Stage: "create interface", StageNumber: 2, Stages: 2, Applied: failedBatch}, nil),
		seen(32, finalProgress(workflows.SyncResult{Sources: ok, Plan: activities.PlanSummary{Total: 1200, Batches: 12}, Applied: done}), nil),
	}
}

// nothingToWrite: NetBox already holds what the source reports.
func nothingToWrite() []observation {
	ok := []activities.SourceResult{src("files", "filesystem", activities.SourceOK, 40, "")}
	return []observation{
		seen(1, workflows.Progress{Phase: "discovering", Sources: []activities.SourceResult{src("files", "filesystem", activities.SourceRunning, 0, "")}}, nil),
		seen(2, workflows.Progress{Phase: "planning", Sources: ok}, nil),
		seen(3, finalProgress(workflows.SyncResult{Sources: ok}), nil),
	}
}

// dryRun: a plan of 40 changes, nothing written.
func dryRun() []observation {
	ok := []activities.SourceResult{src("files", "filesystem", activities.SourceOK, 40, "")}
	return []observation{
		seen(1, workflows.Progress{Phase: "planning", Sources: ok}, nil),
		seen(2, finalProgress(workflows.SyncResult{DryRun: true, Sources: ok, Plan: activities.PlanSummary{Total: 40, Batches: 1}}), nil),
	}
}

// attachedMidApply: the first answer comes at the very start and the run
// is applying already (a resumed run), so no time has passed to rate.
func attachedMidApply() []observation {
	p := workflows.Progress{Phase: "applying", Stage: "update device", StageNumber: 1, Stages: 1, Applied: applied(10, 5, 500)}
	later := p
	later.Applied = applied(10, 7, 700)
	return []observation{seen(0, p, nil), seen(0, p, nil), seen(4, later, nil)}
}

var scenarios = []struct {
	name string
	seen func() []observation
}{
	{"full_sync", fullSync},
	{"nothing_to_write", nothingToWrite},
	{"dry_run", dryRun},
	{"attached_mid_apply", attachedMidApply},
}

// render shows the observations through a writer of the given kind and
// returns what it wrote.
func render(obs []observation, terminal bool) string {
	var b bytes.Buffer
	w := newProgressWriter(&b, t0, terminal, 200)
	for _, o := range obs {
		w.show(o)
	}
	w.end()
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "progress", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./starter -update to write %s", path)
	assert.Equal(t, string(want), got)
}

func TestPlainProgress(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := render(sc.seen(), false)
			assert.NotContains(t, got, "\r", "plain lines never return the carriage")
			assert.NotContains(t, got, "\x1b", "plain lines carry no terminal codes")
			assert.NotContains(t, got, "Inf")
			assert.NotContains(t, got, "NaN")
			golden(t, sc.name+".txt", got)
		})
	}
}

// TestTerminalProgress: every frame rewrites the line in place, and the
// output ends with a newline so that the summary starts on a line of its own.
func TestTerminalProgress(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := render(sc.seen(), true)
			require.True(t, strings.HasSuffix(got, "\x1b[K\n"), "%q", got)
			frames := strings.Split(strings.TrimSuffix(got, "\n"), "\r")
			require.Empty(t, frames[0], "nothing before the first frame")
			frames = frames[1:]
			require.Len(t, frames, len(sc.seen()))
			for _, f := range frames {
				assert.True(t, strings.HasSuffix(f, "\x1b[K"), "%q clears the rest of the line", f)
				assert.NotContains(t, f, "\n")
				assert.NotContains(t, f, "Inf")
				assert.NotContains(t, f, "NaN")
			}
			golden(t, sc.name+".tty.txt", strings.ReplaceAll(got, "\r", "\n"))
		})
	}
}

func TestStatusLineSaysWhereTheRunIs(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   int // the observation of fullSync
		want string
	}{
		{"a source retried", 3, "00:03 discovering | sources 1/3, running: pve, nas (retrying, attempt 2)"},
		{"a source failed", 5, "00:06 merging | sources 3/3 (1 failed)"},
		{"the batches known before the apply", 7, "00:08 preparing | sources 3/3 (1 failed) | batches 0/12"},
		{"the stage and rate", 10, "00:20 applying | sources 3/3 (1 failed) | batches 8/12, stage 2/2 create interface | 800 objects, 67 objects/s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := fullSync()[:tc.at+1]
			frames := strings.Split(render(obs, true), "\r")
			last := strings.TrimSuffix(strings.TrimSuffix(frames[len(frames)-1], "\n"), "\x1b[K")
			assert.Equal(t, tc.want, last)
		})
	}
}

func TestStatusLineFitsTheTerminal(t *testing.T) {
	var b bytes.Buffer
	w := newProgressWriter(&b, t0, true, 40)
	w.show(fullSync()[3])
	line := strings.TrimSuffix(strings.TrimPrefix(b.String(), "\r"), "\x1b[K")
	assert.Len(t, []rune(line), 39, "%q", line)
	assert.True(t, strings.HasSuffix(line, "…"))
}

func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.False(t, isTerminal(w, "xterm"), "a pipe")
	assert.False(t, isTerminal(&bytes.Buffer{}, "xterm"), "not a file")
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		assert.True(t, isTerminal(tty, "xterm"))
		assert.False(t, isTerminal(tty, "dumb"))
	}
}

func TestTerminalWidth(t *testing.T) {
	for in, want := range map[string]int{"": 120, "80": 80, " 200 ": 200, "wide": 120, "5": 120} {
		assert.Equal(t, want, terminalWidth(in), "%q", in)
	}
}
