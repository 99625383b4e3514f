package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/metrics"
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
	// Metrics, when set, records what the activities do and every request
	// to NetBox.
	Metrics *metrics.Metrics
}

// New builds the activities from the config. Close releases what it opened.
func New(ctx context.Context, cfg *config.Config, log *zap.Logger, opts BuildOptions) (*Activities, error) {
	r, err := resolve(cfg, opts)
	if err != nil {
		return nil, err
	}
	a, err := r.build(ctx, log)
	if err != nil {
		return nil, err
	}
	a.Metrics = opts.Metrics
	if a.NetBox != nil {
		a.NetBox.WrapTransport(opts.Metrics.Transport)
	}
	return a, nil
}

// setup is the configuration resolved once for one worker: defaults
// filled, paths absolute, secrets read, and cut into the values each part
// needs, so that no builder goes back to the config for more.
type setup struct {
	settings Settings
	merge    inventory.MergeOptions
	// retention is how long runs' blobs are kept.
	retention time.Duration
	sources   []sourceSetup
	blobURL   string
	baseDir   string
	// netbox and token are set unless the worker only discovers.
	netbox *netbox.Config
	token  string
}

// sourceSetup is one configured source, with the settings it is built
// from when this worker serves its task queue.
type sourceSetup struct {
	SourceInstance
	build *source.Config
}

func resolve(cfg *config.Config, opts BuildOptions) (setup, error) {
	r := setup{
		settings:  settingsOf(cfg.Sync, cfg.Review, cfg.NetBox.URL),
		merge:     cfg.Merge.MergeOptions(),
		retention: cfg.BlobRetention.Duration,
		blobURL:   cfg.BlobURL,
		baseDir:   cfg.BaseDir(),
	}
	for i, s := range cfg.EnabledSources() {
		ss := sourceSetup{SourceInstance: SourceInstance{Name: s.Name, Type: s.Type, TaskQueue: s.TaskQueue, Priority: i}}
		queue := orDefault(s.TaskQueue, cfg.Temporal.TaskQueue)
		if queue == cfg.Temporal.TaskQueue {
			ss.TaskQueue = ""
		}
		if queue == opts.Queue {
			sc := s.SourceConfig()
			ss.build = &sc
		}
		r.sources = append(r.sources, ss)
	}
	if opts.DiscoverOnly {
		return r, nil
	}
	token, err := cfg.NetBoxToken()
	if err != nil {
		return setup{}, err
	}
	nb := netboxConfig(cfg.NetBox)
	r.netbox, r.token = &nb, token
	return r, nil
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// build opens and builds what the setup describes.
func (r setup) build(ctx context.Context, log *zap.Logger) (*Activities, error) {
	a := &Activities{Log: log, Settings: r.settings, MergeOptions: r.merge, BlobRetention: r.retention}
	var errs []error
	for _, s := range r.sources {
		inst := s.SourceInstance
		if s.build != nil {
			src, err := source.New(*s.build, log)
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
	store, err := blob.Open(ctx, r.blobURL, r.baseDir)
	if err != nil {
		return nil, err
	}
	if err := store.Check(ctx); err != nil {
		return nil, errors.Join(err, store.Close())
	}
	a.Blob = store
	if r.netbox == nil {
		return a, nil
	}
	nb, err := netbox.NewClient(*r.netbox, r.token, log.Named("netbox"))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("netbox client: %w", err), store.Close())
	}
	a.NetBox = nb
	return a, nil
}

// settingsOf is the sync and review sections as the workflow reads them,
// with the apply lock of the NetBox at netboxURL.
func settingsOf(c config.Sync, rv config.Review, netboxURL string) Settings {
	return Settings{
		ApplyLock: ApplyLockKey(netboxURL),
		Review: ReviewSettings{Required: rv.Mode == config.ReviewRequired, Timeout: rv.Timeout.Duration,
			PlanMaxAge: rv.PlanMaxAge.Duration, Branch: rv.Branch, Journal: rv.Journal},
		ApplyConcurrency:   c.ApplyConcurrency,
		DiscoverTimeout:    c.DiscoverTimeout.Duration,
		ApplyTimeout:       c.ApplyTimeout.Duration,
		HeartbeatTimeout:   c.HeartbeatTimeout.Duration,
		RemoteStartTimeout: c.RemoteStartTimeout.Duration,
		Retry: RetryPolicy{
			InitialInterval:    c.Retry.InitialInterval.Duration,
			BackoffCoefficient: c.Retry.BackoffCoefficient,
			MaximumInterval:    c.Retry.MaximumInterval.Duration,
			MaximumAttempts:    int32(c.Retry.MaximumAttempts),
		},
	}
}

// ApplyLockKey names the apply lock of the NetBox at url: a digest of the
// URL without its trailing slash and case differences in scheme and host,
// so that every worker configured for one NetBox takes the same lock and
// the URL itself stays out of workflow IDs. Empty without a URL.
func ApplyLockKey(netboxURL string) string {
	u, err := url.Parse(strings.TrimSpace(netboxURL))
	if err != nil || u.Host == "" {
		return ""
	}
	norm := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/")
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:8])
}

// netboxConfig is the netbox section as the engine reads it.
func netboxConfig(c config.NetBox) netbox.Config {
	out := netbox.Config{
		URL: c.URL, CAFile: c.CAFile, InsecureSkipVerify: c.InsecureSkipVerify, Timeout: c.Timeout.Duration,
		BatchSize: c.BatchSize, PageSize: c.PageSize, RateLimit: c.RateLimit, MaxInFlight: c.MaxInFlight,
		Adopt: netbox.AdoptPolicy(c.Adopt), OrphanGrace: c.OrphanGrace.Duration, MassDeleteThreshold: c.MassDeleteThreshold,
		MassDeleteMax: c.MassDeleteMax, MassDeleteFloor: c.MassDeleteFloor,
		MaxRetryAfter: c.MaxRetryAfter.Duration, OnManualEdit: c.OnManualEdit, OnManualEditFields: c.OnManualEditFields,
	}
	for k, p := range c.AdoptKinds {
		if out.AdoptKinds == nil {
			out.AdoptKinds = map[inventory.Kind]netbox.AdoptPolicy{}
		}
		out.AdoptKinds[inventory.Kind(k)] = netbox.AdoptPolicy(p)
	}
	for _, f := range c.CustomFields {
		m := netbox.CustomFieldMapping{Attr: f.Attr, Field: f.Field, Type: f.Type}
		for _, k := range f.Kinds {
			m.Kinds = append(m.Kinds, inventory.Kind(k))
		}
		if len(m.Kinds) == 0 {
			// No kinds: every kind the agent writes may carry the attribute.
			m.Kinds = netbox.Kinds()
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
