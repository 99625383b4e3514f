package activities

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/config"
)

// BuildOptions say which part of the work a worker takes on.
type BuildOptions struct {
	// Queue is the task queue this worker serves. Sources whose own task
	// queue is another are listed for the workflow but not built here, so
	// a worker needs credentials only for what it discovers itself.
	Queue string
	// DiscoverOnly builds no NetBox client: the worker serves discoveries
	// for a remote network only.
	DiscoverOnly bool
}

// New builds the activities from the config. Close releases what it opened.
func New(ctx context.Context, cfg *config.Config, log *zap.Logger, opts BuildOptions) (*Activities, error) {
	a := &Activities{
		Log: log,
		Settings: Settings{
			ApplyConcurrency: cfg.Sync.ApplyConcurrency,
			DiscoverTimeout:  cfg.Sync.DiscoverTimeout.Duration,
			ApplyTimeout:     cfg.Sync.ApplyTimeout.Duration,
			HeartbeatTimeout: cfg.Sync.HeartbeatTimeout.Duration,
			Retry: RetryPolicy{
				InitialInterval:    cfg.Sync.Retry.InitialInterval.Duration,
				BackoffCoefficient: cfg.Sync.Retry.BackoffCoefficient,
				MaximumInterval:    cfg.Sync.Retry.MaximumInterval.Duration,
				MaximumAttempts:    int32(cfg.Sync.Retry.MaximumAttempts),
			},
		},
	}
	var errs []error
	for i, s := range cfg.EnabledSources() {
		inst := SourceInstance{Name: s.Name, Type: s.Type, TaskQueue: s.TaskQueue, Priority: i}
		if inst.TaskQueue == cfg.Temporal.TaskQueue {
			inst.TaskQueue = ""
		}
		queue := inst.TaskQueue
		if queue == "" {
			queue = cfg.Temporal.TaskQueue
		}
		if queue == opts.Queue {
			src, err := source.New(s.SourceConfig(), log)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			inst.Source = src
		}
		a.Sources = append(a.Sources, inst)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("build sources: %w", err)
	}

	store, err := blob.Open(ctx, cfg.BlobURL, cfg.BaseDir())
	if err != nil {
		return nil, err
	}
	a.Blob = store
	if opts.DiscoverOnly {
		return a, nil
	}
	token, err := cfg.NetBoxToken()
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	nb, err := netbox.NewClient(NetBoxConfig(cfg.NetBox), token, log.Named("netbox"))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("netbox client: %w", err), store.Close())
	}
	a.NetBox = nb
	return a, nil
}

// NetBoxConfig turns the netbox section of the config into the engine's settings.
func NetBoxConfig(c config.NetBox) netbox.Config {
	out := netbox.Config{
		URL: c.URL, CAFile: c.CAFile, InsecureSkipVerify: c.InsecureSkipVerify, Timeout: c.Timeout.Duration,
		BatchSize: c.BatchSize, PageSize: c.PageSize, RateLimit: c.RateLimit, MaxInFlight: c.MaxInFlight,
		Adopt: c.Adopt, OrphanGrace: c.OrphanGrace.Duration, MassDeleteThreshold: c.MassDeleteThreshold,
	}
	for _, f := range c.CustomFields {
		m := netbox.CustomFieldMapping{Attr: f.Attr, Field: f.Field, Type: f.Type}
		for _, k := range f.Kinds {
			m.Kinds = append(m.Kinds, inventory.Kind(k))
		}
		out.CustomFields = append(out.CustomFields, m)
	}
	return out
}

// Close releases the blob store.
func (a *Activities) Close() error {
	if a.Blob == nil {
		return nil
	}
	return a.Blob.Close()
}
