package main

import (
	"fmt"
	"io"
	"time"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// applyEvery is how often at most the plain output repeats where an
// apply is.
const applyEvery = 10 * time.Second

// plainLines is the progress for pipes, CI logs and the journal: a line
// for each change of phase, each source that ends or is retried, each
// apply stage that starts, and where the apply is every applyEvery.
type plainLines struct {
	out   io.Writer
	clock meter
	phase string
	// ended holds the sources whose end was written, attempts the last
	// attempt written of each retried one.
	ended    map[string]bool
	attempts map[string]int32
	stage    int
	// lastApply is when the last line about the apply was written, and
	// what it said.
	lastApply time.Time
	applied   workflows.ApplyTotals
}

func (w *plainLines) show(o observation) {
	w.clock.observe(o)
	p := o.Progress
	phaseChanged := p.Phase != w.phase
	// A source ends while its run discovers, so the lines of the sources
	// come after a "discovering" line and before that of any later phase.
	if phaseChanged && p.Phase == "discovering" {
		w.phaseLine(o)
	}
	w.sourceLines(o)
	if phaseChanged && p.Phase != "discovering" {
		w.phaseLine(o)
	}
	if p.Phase != "applying" {
		return
	}
	if p.StageNumber != w.stage && p.Stage != "" {
		w.stage = p.StageNumber
		w.printf(o, "stage %d/%d: %s (batches %d/%d)", p.StageNumber, p.Stages, p.Stage, batchesEnded(p.Applied), p.Applied.Batches)
		w.lastApply, w.applied = o.At, p.Applied
		return
	}
	if o.At.Sub(w.lastApply) >= applyEvery && p.Applied != w.applied {
		w.applyLine(o)
	}
}

// end writes nothing: every line is whole.
func (w *plainLines) end() {}

func (w *plainLines) printf(o observation, format string, args ...any) {
	fmt.Fprintf(w.out, "%s "+format+"\n", append([]any{w.clock.elapsed(o.At)}, args...)...)
}

func (w *plainLines) phaseLine(o observation) {
	p := o.Progress
	w.phase = p.Phase
	t := p.Applied
	switch {
	case p.Phase == "discovering":
		w.printf(o, "phase: discovering (%s)", plural(len(p.Sources), "source"))
	case p.Phase == "applying" || (p.Phase == "done" && t.Batches > 0):
		w.printf(o, "phase: %s (%d/%d batches, %d created, %d updated, %d deleted, %d failed, %d skipped%s)",
			p.Phase, batchesEnded(t), t.Batches, t.Created, t.Updated, t.Deleted, t.BatchesFailed, t.BatchesSkipped, w.rate(o))
		w.lastApply, w.applied = o.At, t
	case p.Phase == "done" && p.Planned > 0:
		w.printf(o, "phase: done (dry run: %d changes planned, nothing written)", p.Planned)
	case p.Phase == "done":
		w.printf(o, "phase: done (nothing to write)")
	case p.Planned > 0 || t.Batches > 0:
		w.printf(o, "phase: %s (%d changes in %d batches)", p.Phase, p.Planned, t.Batches)
	default:
		w.printf(o, "phase: %s", p.Phase)
	}
}

func (w *plainLines) applyLine(o observation) {
	t := o.Progress.Applied
	w.printf(o, "applying: %d/%d batches, %d objects written%s", batchesEnded(t), t.Batches, written(t), w.rate(o))
	w.lastApply, w.applied = o.At, t
}

// rate is ", 1250 objects/s", or nothing while no rate is known.
func (w *plainLines) rate(o observation) string {
	if r, ok := w.clock.rate(o); ok {
		return fmt.Sprintf(", %.0f objects/s", r)
	}
	return ""
}

// sourceLines writes a line for each source that ended since the last
// observation, and for each retried one on a new attempt.
func (w *plainLines) sourceLines(o observation) {
	for _, s := range o.Progress.Sources {
		if w.ended[s.Name] {
			continue
		}
		switch s.Status {
		case activities.SourceRunning:
			a, ok := o.Retrying[s.Name]
			if !ok || a.Number <= w.attempts[s.Name] {
				continue
			}
			w.attempts[s.Name] = a.Number
			w.printf(o, "source %s (%s): retrying, attempt %d; the last one failed: %s", s.Name, s.Type, a.Number, a.LastError)
		case activities.SourceFailed:
			w.ended[s.Name] = true
			w.printf(o, "source %s (%s): failed: %s", s.Name, s.Type, s.Error)
		default:
			w.ended[s.Name] = true
			w.printf(o, "source %s (%s): %s, %d records, %d warnings", s.Name, s.Type, s.Status, s.Records, s.Warnings)
		}
	}
}

// plural is "1 source" or "3 sources".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
