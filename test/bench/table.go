package main

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one size and case: the median run's figures, with the worst of
// every run for peaks (payload, events, RSS) so that no repeat hides one.
type row struct {
	median measurement
	runs   int
	// worst holds the largest payload, events per run, run count and RSS
	// of every run.
	payload      int
	payloadWhere string
	maxEvents    int
	chainRuns    int
	peakRSS      int64
	errs         []string
}

// summarize groups the measurements by size and case, in the order of the
// sizes and cases.
func summarize(all []measurement, sizes []sizeSpec, cases []string) []row {
	var rows []row
	for _, size := range sizes {
		for _, c := range cases {
			var ms []measurement
			for _, m := range all {
				if m.Size == size.objects && m.Case == c {
					ms = append(ms, m)
				}
			}
			if len(ms) == 0 {
				continue
			}
			r := row{runs: len(ms)}
			for _, m := range ms {
				if m.History.LargestPayload > r.payload {
					r.payload, r.payloadWhere = m.History.LargestPayload, m.History.Where
				}
				r.maxEvents = max(r.maxEvents, m.History.MaxEvents)
				r.chainRuns = max(r.chainRuns, m.History.Runs)
				r.peakRSS = max(r.peakRSS, m.Worker.PeakRSS)
				if m.Err != "" && !slices.Contains(r.errs, m.Err) {
					r.errs = append(r.errs, m.Err)
				}
			}
			sorted := slices.Clone(ms)
			slices.SortStableFunc(sorted, func(a, b measurement) int { return int(a.Wall - b.Wall) })
			r.median = sorted[len(sorted)/2]
			rows = append(rows, r)
		}
	}
	return rows
}

// grid is a table of cells, printed as aligned text or as markdown.
type grid struct {
	title  string
	header []string
	// words is the number of leading columns that hold words, aligned left
	// in markdown; the others hold figures, aligned right.
	words int
	cells [][]string
	notes []string
}

func (g grid) text() string {
	var buf bytes.Buffer
	fmt.Fprintln(&buf, g.title)
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(g.header, "\t")+"\t")
	for _, c := range g.cells {
		fmt.Fprintln(tw, strings.Join(c, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(&buf, err.Error())
	}
	for _, n := range g.notes {
		fmt.Fprintln(&buf, n)
	}
	return buf.String()
}

func (g grid) markdown() string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "**%s**\n\n", g.title)
	fmt.Fprintln(&buf, "| "+strings.Join(g.header, " | ")+" |")
	sep := make([]string, len(g.header))
	for i := range sep {
		sep[i] = "---:"
		if i < g.words {
			sep[i] = "---"
		}
	}
	fmt.Fprintln(&buf, "| "+strings.Join(sep, " | ")+" |")
	for _, c := range g.cells {
		fmt.Fprintln(&buf, "| "+strings.Join(c, " | ")+" |")
	}
	if len(g.notes) > 0 {
		fmt.Fprintln(&buf)
		for _, n := range g.notes {
			fmt.Fprintln(&buf, "- "+n)
		}
	}
	return buf.String()
}

// figures are the main table and the table of where the time went.
type figures struct{ main, time grid }

// table lays out the syncs' rows; the floor's have a table of their own.
func table(rows []row, o options, target string) figures {
	main := grid{
		title: fmt.Sprintf("netbox-agent scale benchmark: %s; wall time is the median of n syncs, peaks the worst", target),
		words: 2,
		header: []string{"objects", "case", "n", "wall", "objects/s", "GET", "POST", "PATCH", "DELETE",
			"changed", "writes/changed", "requests/changed", "largest payload", "events/run", "runs", "worker peak RSS"},
	}
	tm := grid{
		title: "where the time goes (median run): phase spans from the workflow history, CPU time per process",
		words: 2,
		header: []string{"objects", "case", "discover", "merge", "plan", "apply", "worker CPU",
			"NetBox CPU", "jobs CPU", "DB CPU", "temporal CPU", "other CPU", "stolen", "operations", "batches", "activities", "retries"},
	}
	for _, r := range rows {
		m := r.median
		if m.Case == caseFloor {
			continue
		}
		name := m.Case
		if m.Case == caseChanged {
			name = fmt.Sprintf("%g%% changed", math.Round(o.changed*1000)/10)
		}
		perChanged := func(n int) string {
			if m.Changed == 0 {
				return "-"
			}
			return fmt.Sprintf("%.3f", float64(n)/float64(m.Changed))
		}
		size := thousands(m.Size)
		if len(r.errs) > 0 {
			size += fmt.Sprintf(" [%d]", len(main.notes)+1)
			for _, e := range r.errs {
				main.notes = append(main.notes, fmt.Sprintf("[%d] %s objects, %s: %s", len(main.notes)+1, thousands(m.Size), name, firstLine(e)))
			}
		}
		main.cells = append(main.cells, []string{
			size, name, fmt.Sprint(r.runs), dur(m.Wall), thousands(int(math.Round(float64(m.Size) / m.Wall.Seconds()))),
			thousands(m.Requests["GET"]), thousands(m.Requests["POST"]), thousands(m.Requests["PATCH"]), thousands(m.Requests["DELETE"]),
			thousands(m.Changed), perChanged(m.writes()), perChanged(m.Total),
			kib(r.payload), thousands(r.maxEvents), thousands(r.chainRuns), mib(r.peakRSS),
		})
		ph := m.History.Phases
		tm.cells = append(tm.cells, []string{
			thousands(m.Size), name, dur(ph["discover"]), dur(ph["merge"]), dur(ph["plan"]), dur(ph["apply"]),
			dur(m.Worker.CPU), dur(m.NetBoxCPU.App), dur(m.NetBoxCPU.Jobs), dur(m.NetBoxCPU.DB), dur(m.TemporalCPU), dur(m.OtherCPU), dur(m.StolenCPU), thousands(m.Result.Planned), thousands(m.Result.Batches),
			thousands(m.History.Activities), thousands(m.History.Retries),
		})
	}
	var largest *row
	for i := range rows {
		if largest == nil || rows[i].payload > largest.payload {
			largest = &rows[i]
		}
	}
	if largest != nil && largest.payloadWhere != "" {
		main.notes = append(main.notes, fmt.Sprintf("largest payload: %s objects, %s: %s",
			thousands(largest.median.Size), largest.median.Case, largest.payloadWhere))
	}
	return figures{main: main, time: tm}
}

// The targets, on a 2-core machine.
const (
	target6kFirst     = 60 * time.Second
	target6kUnchanged = 10 * time.Second
	// target100kUnchanged is the wall time of an unchanged re-sync of
	// 100,000 objects.
	target100kUnchanged = 5 * time.Second
	targetRSS           = 400_000_000
	targetPayload       = 64 << 10
	targetEvents        = 5000
	targetWrites        = 0.05
)

// verdicts holds the measured figures to the targets.
func verdicts(rows []row) grid {
	g := grid{title: "targets", header: []string{"target", "measured", "verdict"}, words: 1}
	add := func(target, measured string, ok bool) {
		v := "met"
		if !ok {
			v = "MISSED"
		}
		g.cells = append(g.cells, []string{target, measured, v})
	}
	find := func(size int, c string) *row {
		for i := range rows {
			if rows[i].median.Size == size && rows[i].median.Case == c {
				return &rows[i]
			}
		}
		return nil
	}
	if r := find(6000, caseFirst); r != nil {
		add("6,000 objects: first sync under 60 s", dur(r.median.Wall), r.median.Wall < target6kFirst && len(r.errs) == 0)
	}
	if r := find(6000, caseUnchanged); r != nil {
		add("6,000 objects: unchanged re-sync under 10 s", dur(r.median.Wall), r.median.Wall < target6kUnchanged && len(r.errs) == 0)
		add("6,000 objects: unchanged re-sync writes nothing", fmt.Sprintf("%d writes", r.median.writes()), r.median.writes() == 0)
	}
	if r := find(100000, caseFirst); r != nil {
		add("100,000 objects: completes", completed(r), len(r.errs) == 0)
	}
	if r := find(100000, caseUnchanged); r != nil {
		add("100,000 objects: unchanged re-sync under 5 s", dur(r.median.Wall), r.median.Wall < target100kUnchanged && len(r.errs) == 0)
	}
	var sizes []int
	for _, r := range rows {
		if !slices.Contains(sizes, r.median.Size) {
			sizes = append(sizes, r.median.Size)
		}
	}
	for _, size := range sizes {
		var rss int64
		var payload, events int
		for _, r := range rows {
			if r.median.Size == size {
				rss, payload, events = max(rss, r.peakRSS), max(payload, r.payload), max(events, r.maxEvents)
			}
		}
		n := thousands(size)
		add(n+" objects: worker peak RSS under 400 MB", mib(rss), rss < targetRSS)
		add(n+" objects: no Temporal payload over 64 KiB", kib(payload), payload <= targetPayload)
		add(n+" objects: under 5,000 history events per run", thousands(events), events < targetEvents)
		if r, f := find(size, caseFirst), find(size, caseFloor); r != nil && f != nil && f.median.Wall > 0 {
			ratio := r.median.Wall.Seconds() / f.median.Wall.Seconds()
			add(fmt.Sprintf("%s objects: first sync within %.1fx of the floor", n, targetFloorRatio), fmt.Sprintf("%.2fx", ratio),
				ratio <= targetFloorRatio && len(r.errs) == 0 && len(f.errs) == 0)
		}
		if r := find(size, caseFirst); r != nil && r.median.Changed > 0 {
			w := float64(r.median.writes()) / float64(r.median.Changed)
			add(n+" objects: under 0.05 write requests per created object", fmt.Sprintf("%.3f", w), w < targetWrites)
		}
	}
	return g
}

func completed(r *row) string {
	if len(r.errs) == 0 {
		return "yes, " + dur(r.median.Wall)
	}
	return "no: " + firstLine(r.errs[0])
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < 10*time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d < 10*time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
	}
}

func kib(n int) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }

func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
