package config

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// fakeSource stands in for the real source packages, which the config
// package does not import: registering their type names lets the tests
// validate configurations that use them.
type fakeSource struct{}

func (fakeSource) Discover(context.Context, source.Progress) (*source.Snapshot, error) {
	return nil, errors.New("fake source does not discover")
}

// fakeSettings are what the fake source types decode, shaped like the real
// ones' settings, so that CheckSources exercises strict decoding.
var fakeSettings = map[string]func() any{
	"filesystem": func() any {
		return &struct {
			Path        string `yaml:"path"`
			Recursive   *bool  `yaml:"recursive"`
			DefaultSite string `yaml:"default_site"`
		}{}
	},
	"proxmox": func() any { return &proxmoxSettings{} },
	"truenas": func() any {
		return &struct {
			URL    string `yaml:"url"`
			CAFile string `yaml:"ca_file"`
			Site   string `yaml:"site"`
		}{}
	},
	"homeassistant": func() any {
		return &struct {
			URL  string `yaml:"url"`
			Site string `yaml:"site"`
		}{}
	},
	"scanner": func() any {
		return &struct {
			CIDRs          []string `yaml:"cidrs"`
			Exclude        []string `yaml:"exclude"`
			Ports          []string `yaml:"ports"`
			SNMPCommunity  string   `yaml:"snmp_community"`
			Rate           float64  `yaml:"rate"`
			Concurrency    int      `yaml:"concurrency"`
			Timeout        string   `yaml:"timeout"`
			MaxAddresses   int      `yaml:"max_addresses"`
			Resolver       string   `yaml:"resolver"`
			Methods        []string `yaml:"methods"`
			NeighbourTable string   `yaml:"neighbour_table"`
			MissedRuns     int      `yaml:"missed_runs"`
		}{}
	},
}

func init() {
	for name, settings := range fakeSettings {
		source.Register(name, func(cfg source.Config, _ *zap.Logger) (source.Source, error) {
			if err := cfg.Decode(settings()); err != nil {
				return nil, fmt.Errorf("%w: %w", source.ErrConfig, err)
			}
			return fakeSource{}, nil
		})
	}
}

// golden compares got with testdata/<name>, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// writeFile creates dir/name with content and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// errorLines splits a joined error into its lines, for readable diffs.
func errorLines(err error) string {
	if err == nil {
		return "<nil>\n"
	}
	return strings.TrimRight(err.Error(), "\n") + "\n"
}
