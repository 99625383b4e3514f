package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// targetFloorRatio is the goal: a first sync within 1.3 times the
// wall time of the plain bulk load of the same objects.
const targetFloorRatio = 1.3

// report prints the tables and writes the markdown and JSON files asked for.
func report(all []measurement, o options, target string) error {
	rows := summarize(all, o.sizes, o.cases)
	t := table(rows, o, target)
	grids := []grid{t.main, t.time}
	if g, ok := floorTable(rows); ok {
		grids = append(grids, g)
	}
	if o.predict != "" {
		g, err := predictTable(rows, o)
		if err != nil {
			return err
		}
		grids = append(grids, g)
	}
	grids = append(grids, verdicts(rows))
	var text, md string
	for _, g := range grids {
		text += "\n" + g.text()
		md += g.markdown() + "\n"
	}
	fmt.Print(text)
	if o.markdown != "" {
		if err := os.WriteFile(o.markdown, []byte(md), 0o644); err != nil {
			return fmt.Errorf("write markdown: %w", err)
		}
	}
	if o.jsonOut != "" {
		data, err := json.MarshalIndent(all, "", "  ")
		if err != nil {
			return fmt.Errorf("encode measurements: %w", err)
		}
		if err := os.WriteFile(o.jsonOut, data, 0o644); err != nil {
			return fmt.Errorf("write measurements: %w", err)
		}
	}
	return nil
}

// findRow returns the row of a size and case, or nil.
func findRow(rows []row, size int, c string) *row {
	for i := range rows {
		if rows[i].median.Size == size && rows[i].median.Case == c {
			return &rows[i]
		}
	}
	return nil
}

// floorTable compares each first sync with the floor of its size: wall
// time and NetBox's CPU time (the web server's and the database's).
func floorTable(rows []row) (grid, bool) {
	g := grid{
		title: fmt.Sprintf("first sync against the floor (plain bulk POSTs per kind, one at a time, no reads, no Temporal); goal: wall within %.1fx", targetFloorRatio),
		words: 1,
		header: []string{"objects", "floor wall", "floor requests", "floor NetBox CPU", "floor DB CPU",
			"sync wall", "sync requests", "sync NetBox CPU", "sync DB CPU", "wall ratio", "NetBox+DB CPU ratio", "goal"},
	}
	for _, f := range rows {
		fm := f.median
		if fm.Case != caseFloor {
			continue
		}
		s := findRow(rows, fm.Size, caseFirst)
		if s == nil {
			continue
		}
		sm := s.median
		ratio := sm.Wall.Seconds() / fm.Wall.Seconds()
		verdict := "met"
		if ratio > targetFloorRatio || len(s.errs) > 0 || len(f.errs) > 0 {
			verdict = "MISSED"
		}
		g.cells = append(g.cells, []string{
			thousands(fm.Size), dur(fm.Wall), thousands(fm.Total), dur(fm.NetBoxCPU.Web()), dur(fm.NetBoxCPU.DB),
			dur(sm.Wall), thousands(sm.Total), dur(sm.NetBoxCPU.Web()), dur(sm.NetBoxCPU.DB),
			fmt.Sprintf("%.2fx", ratio), cpuRatio(sm.NetBoxCPU, fm.NetBoxCPU), verdict,
		})
		for _, e := range f.errs {
			g.notes = append(g.notes, fmt.Sprintf("floor, %s objects: %s", thousands(fm.Size), firstLine(e)))
		}
	}
	g.notes = append(g.notes, "NetBox CPU: the web server and its background jobs (gunicorn, rqworker); DB CPU: PostgreSQL and Redis")
	return g, len(g.cells) > 0
}

func cpuRatio(a, b netboxCPU) string {
	if b.Total() <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a.Total().Seconds()/b.Total().Seconds())
}

// predictTable holds this run's wall times (the emulator's, as a
// prediction) against those of an earlier run's JSON (the real NetBox's).
func predictTable(rows []row, o options) (grid, error) {
	data, err := os.ReadFile(o.predict)
	if err != nil {
		return grid{}, fmt.Errorf("read --predict: %w", err)
	}
	var real []measurement
	if err := json.Unmarshal(data, &real); err != nil {
		return grid{}, fmt.Errorf("decode --predict %s: %w", o.predict, err)
	}
	realRows := summarize(real, o.sizes, o.cases)
	g := grid{
		title:  fmt.Sprintf("prediction: this run's wall times against %s's; goal: within 25 %%", o.predict),
		words:  2,
		header: []string{"objects", "case", "predicted", "measured", "error", "predicted requests", "measured requests"},
	}
	var worst float64
	for _, r := range rows {
		m := r.median
		rr := findRow(realRows, m.Size, m.Case)
		if rr == nil || rr.median.Wall <= 0 {
			continue
		}
		e := (m.Wall.Seconds() - rr.median.Wall.Seconds()) / rr.median.Wall.Seconds()
		worst = max(worst, abs(e))
		g.cells = append(g.cells, []string{thousands(m.Size), m.Case, dur(m.Wall), dur(rr.median.Wall),
			fmt.Sprintf("%+.0f %%", e*100), thousands(m.Total), thousands(rr.median.Total)})
	}
	g.notes = append(g.notes, fmt.Sprintf("largest error: %.0f %%", worst*100))
	return g, nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
