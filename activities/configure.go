package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
)

// ConfigureInput names the sources a run asked for; empty means all.
type ConfigureInput struct {
	Sources []string `json:"sources,omitempty"`
}

// SourceSpec is what the workflow needs to discover one source.
type SourceSpec struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	TaskQueue string `json:"task_queue,omitempty"`
	Priority  int    `json:"priority"`
}

// ConfigureResult carries the run's settings from the worker's config.
type ConfigureResult struct {
	Sources          []SourceSpec  `json:"sources"`
	ApplyConcurrency int           `json:"apply_concurrency"`
	DiscoverTimeout  time.Duration `json:"discover_timeout"`
	ApplyTimeout     time.Duration `json:"apply_timeout"`
	HeartbeatTimeout time.Duration `json:"heartbeat_timeout"`
	Retry            RetryPolicy   `json:"retry"`
}

// Configure answers the run's settings and the sources it covers. Naming a
// source that is not configured is a non-retryable error.
func (a *Activities) Configure(_ context.Context, in ConfigureInput) (ConfigureResult, error) {
	res := ConfigureResult{
		ApplyConcurrency: a.Settings.ApplyConcurrency,
		DiscoverTimeout:  a.Settings.DiscoverTimeout,
		ApplyTimeout:     a.Settings.ApplyTimeout,
		HeartbeatTimeout: a.Settings.HeartbeatTimeout,
		Retry:            a.Settings.Retry,
	}
	var unknown []string
	for _, name := range in.Sources {
		if _, ok := a.source(name); !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		known := make([]string, 0, len(a.Sources))
		for _, s := range a.Sources {
			known = append(known, s.Name)
		}
		return res, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("unknown sources %s (configured: %s)", strings.Join(unknown, ", "), strings.Join(known, ", ")),
			ErrTypeBadRequest, nil)
	}
	for _, s := range a.Sources {
		if len(in.Sources) > 0 && !slices.Contains(in.Sources, s.Name) {
			continue
		}
		res.Sources = append(res.Sources, SourceSpec{Name: s.Name, Type: s.Type, TaskQueue: s.TaskQueue, Priority: s.Priority})
	}
	return res, nil
}
