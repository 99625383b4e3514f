// Command gen writes the inventory-file JSON schema to the path it is given
// (go generate in activities/inventory/fileschema).
package main

import (
	"fmt"
	"os"

	"github.com/netbox-agent/netbox-agent/activities/inventory/fileschema"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: gen <schema.json>")
	}
	b, err := fileschema.Generate()
	if err != nil {
		return err
	}
	if err := os.WriteFile(args[0], b, 0o644); err != nil {
		return fmt.Errorf("write schema: %w", err)
	}
	return nil
}
