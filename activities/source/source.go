// Package source defines what a discovery source is and keeps the registry
// that source packages join by name, the way node_exporter's collectors do:
// no central switch knows every source.
package source

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Source discovers one system (a Proxmox cluster, a TrueNAS host, a
// directory of inventory files) and reports what it found. Sources only
// read; they never write NetBox.
type Source interface {
	// Discover reports the records the system describes. A record that
	// cannot be read is a warning in the snapshot, not an error; an error
	// means the whole discovery failed.
	Discover(ctx context.Context, p Progress) (*Snapshot, error)
}

// Progress lets a long discovery report how far it got and resume from
// there on a retry. Inside an activity it is backed by heartbeats.
type Progress interface {
	// Report records progress; details must encode to JSON and should read
	// well in the Temporal UI ({"guests_done": 140, "guests_total": 212}).
	Report(details any)
	// Resume decodes the progress of a previous attempt into v and reports
	// whether there was one.
	Resume(v any) bool
}

// Snapshot is what one discovery found.
type Snapshot struct {
	Source   string             `json:"source"`
	Type     string             `json:"type"`
	Records  []inventory.Record `json:"records"`
	Warnings []string           `json:"warnings,omitempty"`
	// Gaps are the parts of the system the discovery could not see
	// completely; NetBox keeps what it holds of them.
	Gaps []inventory.Gap `json:"gaps,omitempty"`
}

// Config is what a factory gets to build one source instance.
type Config struct {
	// Name is the instance name, unique among the configured sources.
	Name string
	// Type is the registered source type ("proxmox").
	Type string
	// Decode strictly decodes the instance's own settings into v; errors
	// name the offending key path and line.
	Decode func(v any) error
	// Secret resolves a secret setting (an environment variable or a file
	// named by the config) by its setting name; secrets never pass through
	// the config struct the rest of the program sees.
	Secret func(setting string) (string, error)
	// BaseDir is the directory relative paths in the config refer to.
	BaseDir string
}

// Factory builds a source instance.
type Factory func(cfg Config, log *zap.Logger) (Source, error)

var (
	mu        sync.RWMutex
	factories = map[string]Factory{}
)

// Register makes a source type available under name. Source packages call
// it from init; registering a name twice is a programming error.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[name]; dup {
		panic("source: type registered twice: " + name)
	}
	factories[name] = f
}

// Types lists the registered source types, sorted.
func Types() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(factories))
	for n := range factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrUnknownType is returned by New for a type nobody registered.
var ErrUnknownType = errors.New("unknown source type")

// New builds a source instance of the registered type cfg.Type, with a
// logger scoped to the instance.
func New(cfg Config, log *zap.Logger) (Source, error) {
	mu.RLock()
	f, ok := factories[cfg.Type]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("source %q: %w %q (known: %v)", cfg.Name, ErrUnknownType, cfg.Type, Types())
	}
	s, err := f(cfg, log.With(zap.String("source", cfg.Name), zap.String("source_type", cfg.Type)))
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", cfg.Name, err)
	}
	return s, nil
}

// UserAgent is what sources call themselves in HTTP requests.
const UserAgent = "netbox-agent"
