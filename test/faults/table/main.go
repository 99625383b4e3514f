// Command table prints a fault matrix report (test/faults) as a table and exits 1 when a row did
// not hold or the report has no rows.
//
//	go run ./test/faults/table REPORT
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/netbox-agent/netbox-agent/test/faults"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: table REPORT")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return fmt.Errorf("open report: %w", err)
	}
	defer f.Close()
	rows, err := faults.Read(f)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s holds no rows: no fault test ran", args[0])
	}
	broke, err := faults.Table(os.Stdout, rows)
	if err != nil {
		return err
	}
	if broke > 0 {
		return fmt.Errorf("%d of %d faults did not hold", broke, len(rows))
	}
	return nil
}
