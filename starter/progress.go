package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// observation is what the starter saw of a run at one moment: the run's
// progress and, while it discovers, the sources whose discovery failed at
// least once and is tried again.
type observation struct {
	At       time.Time
	Progress workflows.Progress
	// Retrying holds, by source name, the attempt a retried discovery is on.
	Retrying map[string]attempt
}

// attempt is a retried discovery: its attempt number (2 for the first
// retry) and the error of the attempt before.
type attempt struct {
	Number    int32
	LastError string
}

// progressWriter shows a run's progress as the starter observes it; end
// finishes its output before the run's summary.
type progressWriter interface {
	show(o observation)
	end()
}

// newProgressWriter is a status line rewritten in place on a terminal of
// width columns, and plain lines, one a change, anywhere else. start is
// when the run started; elapsed times count from it.
func newProgressWriter(out io.Writer, start time.Time, terminal bool, width int) progressWriter {
	if terminal {
		return &statusLine{out: out, width: width, clock: meter{start: start}}
	}
	return &plainLines{out: out, clock: meter{start: start}, ended: map[string]bool{}, attempts: map[string]int32{}}
}

// isTerminal reports whether out is a terminal: a character device that
// is not a dumb one.
func isTerminal(out io.Writer, term string) bool {
	f, ok := out.(*os.File)
	if !ok || term == "dumb" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// terminalWidth is the width the shell exports in COLUMNS, or 120 columns.
func terminalWidth(columns string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(columns)); err == nil && n >= 20 {
		return n
	}
	return 120
}

// meter keeps the times progress is measured from: when the run started,
// and when its apply started with how many objects it had written then.
type meter struct {
	start time.Time
	// before is the last time the run was seen before its apply.
	before    time.Time
	applyFrom time.Time
	applyBase int
	applying  bool
}

// observe notes when the apply started: the last observation before it,
// or, when the first the starter saw was mid-apply, that one with the
// objects written by then.
func (m *meter) observe(o observation) {
	p := o.Progress
	if m.applying || (p.Phase != "applying" && p.Phase != "done") || p.Applied.Batches == 0 {
		if !m.applying {
			m.before = o.At
		}
		return
	}
	m.applying = true
	if !m.before.IsZero() {
		m.applyFrom = m.before
		return
	}
	m.applyFrom, m.applyBase = o.At, written(p.Applied)
}

// rate is the objects written a second since the apply started; ok is
// false before the apply, or when no time has passed since it started.
func (m *meter) rate(o observation) (float64, bool) {
	secs := o.At.Sub(m.applyFrom).Seconds()
	if !m.applying || secs <= 0 {
		return 0, false
	}
	r := float64(written(o.Progress.Applied)-m.applyBase) / secs
	if math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
		return 0, false
	}
	return r, true
}

func (m *meter) elapsed(at time.Time) string {
	d := max(at.Sub(m.start), 0).Round(time.Second)
	h, mins, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, mins, s)
	}
	return fmt.Sprintf("%02d:%02d", mins, s)
}

// written counts the objects a run created, updated and deleted.
func written(t workflows.ApplyTotals) int { return t.Created + t.Updated + t.Deleted }

// batchesEnded counts the batches that ended: done, failed or skipped.
func batchesEnded(t workflows.ApplyTotals) int {
	return t.BatchesDone + t.BatchesFailed + t.BatchesSkipped
}

// sourceCounts counts the run's sources, those whose discovery ended and
// those of them that failed.
func sourceCounts(p workflows.Progress) (total, ended, failed int) {
	for _, s := range p.Sources {
		total++
		if s.Status != activities.SourceRunning {
			ended++
		}
		if s.Status == activities.SourceFailed {
			failed++
		}
	}
	return total, ended, failed
}

// finalProgress is the progress of a run that ended with res, so that the
// last lines say how it ended even when it ended between two queries.
func finalProgress(res workflows.SyncResult) workflows.Progress {
	return workflows.Progress{Phase: "done", PlanRef: res.PlanRef, Planned: res.Plan.Total, Applied: res.Applied, Sources: res.Sources}
}

// statusLine is the progress on a terminal: one line, rewritten in place.
type statusLine struct {
	out   io.Writer
	width int
	clock meter
	shown bool
}

func (w *statusLine) show(o observation) {
	w.clock.observe(o)
	line := w.line(o)
	if r := []rune(line); len(r) > w.width-1 {
		line = string(r[:w.width-2]) + "…"
	}
	fmt.Fprintf(w.out, "\r%s\x1b[K", line)
	w.shown = true
}

func (w *statusLine) end() {
	if w.shown {
		fmt.Fprintln(w.out)
		w.shown = false
	}
}

// line is the status: elapsed time, phase, sources, batches, rate.
func (w *statusLine) line(o observation) string {
	p := o.Progress
	parts := []string{w.clock.elapsed(o.At) + " " + p.Phase}
	if total, ended, failed := sourceCounts(p); total > 0 {
		s := fmt.Sprintf("sources %d/%d", ended, total)
		if failed > 0 {
			s += fmt.Sprintf(" (%d failed)", failed)
		}
		if running := runningSources(o); running != "" {
			s += ", running: " + running
		}
		parts = append(parts, s)
	}
	if t := p.Applied; t.Batches > 0 {
		s := fmt.Sprintf("batches %d/%d", batchesEnded(t), t.Batches)
		if p.Stage != "" && p.Phase == "applying" {
			s += fmt.Sprintf(", stage %d/%d %s", p.StageNumber, p.Stages, p.Stage)
		}
		parts = append(parts, s)
	}
	if r, ok := w.clock.rate(o); ok {
		parts = append(parts, fmt.Sprintf("%d objects, %.0f objects/s", written(p.Applied), r))
	}
	return strings.Join(parts, " | ")
}

// runningSources names the sources still discovering, a retried one with
// its attempt: "pve, nas (attempt 2)".
func runningSources(o observation) string {
	var names []string
	for _, s := range o.Progress.Sources {
		if s.Status != activities.SourceRunning {
			continue
		}
		if a, ok := o.Retrying[s.Name]; ok {
			names = append(names, fmt.Sprintf("%s (retrying, attempt %d)", s.Name, a.Number))
			continue
		}
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}
