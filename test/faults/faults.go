// Package faults is the fault matrix's report: the end-to-end tests that break something on
// purpose (a worker killed, NetBox failing or down, a source gone, ...) each append a Row to the
// file FAULT_MATRIX_REPORT names, and `make faults` prints the rows as a table
// (test/faults/table).
package faults

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// Env variables of the matrix (outside the NETBOX_AGENT_ prefix, whose unknown names the worker's
// config refuses): ReportEnv names the file rows are appended to (none: no report), and ModeEnv
// set to "full" runs every row at full size (make faults) instead of the short form the normal
// suite runs.
const (
	ReportEnv = "FAULT_MATRIX_REPORT"
	ModeEnv   = "FAULT_MATRIX"
)

// Held is the outcome of a row whose every check passed.
const Held = "held"

// Row is one fault and what came of it.
type Row struct {
	Fault   string  `json:"fault"`
	Checked string  `json:"checked"`
	Outcome string  `json:"outcome"`
	Test    string  `json:"test"`
	Seconds float64 `json:"seconds"`
}

// Full reports whether the matrix runs at full size.
func Full() bool { return os.Getenv(ModeEnv) == "full" }

// Append adds r to the report at path, one JSON line; concurrent appends of whole lines from
// several tests do not interleave.
func Append(path string, r Row) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode fault row: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open fault report: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write fault report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close fault report: %w", err)
	}
	return nil
}

// Read reads the rows of a report, in the order they were appended.
func Read(r io.Reader) ([]Row, error) {
	var rows []Row
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var row Row
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, fmt.Errorf("fault report line %d: %w", n, err)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read fault report: %w", err)
	}
	return rows, nil
}

// Table writes the rows as a table, one row a fault, and a last line counting them; it returns
// how many did not hold.
func Table(w io.Writer, rows []Row) (int, error) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tCHECKED\tOUTCOME\tSECONDS")
	broke := 0
	for _, r := range rows {
		if r.Outcome != Held {
			broke++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.0f\n", r.Fault, r.Checked, r.Outcome, r.Seconds)
	}
	fmt.Fprintf(tw, "\n%d faults, %d held, %d not\n", len(rows), len(rows)-broke, broke)
	if err := tw.Flush(); err != nil {
		return broke, fmt.Errorf("write fault table: %w", err)
	}
	return broke, nil
}
