// Command gen writes the inventory-file JSON schema and the fields table
// of the inventory-files page from the kind declarations (go generate in
// activities/inventory/fileschema).
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
	if len(args) != 2 {
		return fmt.Errorf("usage: gen <schema.json> <inventory-files.md>")
	}
	b, err := fileschema.Generate()
	if err != nil {
		return err
	}
	if err := os.WriteFile(args[0], b, 0o644); err != nil {
		return fmt.Errorf("write schema: %w", err)
	}
	doc, err := os.ReadFile(args[1])
	if err != nil {
		return fmt.Errorf("read inventory-files doc: %w", err)
	}
	if doc, err = fileschema.UpdateDoc(doc); err != nil {
		return err
	}
	if err := os.WriteFile(args[1], doc, 0o644); err != nil {
		return fmt.Errorf("write inventory-files doc: %w", err)
	}
	return nil
}
