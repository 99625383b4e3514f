package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
)

// ConfigureInput names the sources a run asked for; empty means all.
type ConfigureInput struct {
	Sources []string `json:"sources,omitempty"`
}

// ConfigureResult carries the run's settings from the worker's config and
// the sources it covers.
type ConfigureResult struct {
	Sources []SourceInstance `json:"sources"`
	Settings
}

// Configure answers the run's settings and the sources it covers. Naming a
// source that is not configured is a non-retryable error.
func (a *Activities) Configure(_ context.Context, in ConfigureInput) (ConfigureResult, error) {
	res := ConfigureResult{Settings: a.Settings}
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
		s.Source = nil // the source itself stays with this worker
		res.Sources = append(res.Sources, s)
	}
	return res, nil
}
