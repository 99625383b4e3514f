// Command worker runs netbox-agent's Temporal worker: it serves the sync
// workflow and its activities, and /healthz, /readyz and /metrics.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities"
	_ "github.com/netbox-agent/netbox-agent/activities/source/all" // registers every source type
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/metrics"
	"github.com/netbox-agent/netbox-agent/workflows"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

// flags are the worker's own flags; the config package registers the rest.
type flags struct {
	checkConfig bool
	printConfig bool
	healthcheck bool
	queue       string
}

func run(args []string) error {
	f, cfg, err := load(args)
	if err != nil || cfg == nil {
		return err
	}
	switch {
	case f.healthcheck:
		return probeHealth(context.Background(), cfg.Worker.Listen)
	case f.checkConfig:
		if err := cfg.CheckSources(zap.NewNop()); err != nil {
			return fmt.Errorf("invalid source settings:\n%w", err)
		}
		warns, err := checkSecurity(cfg)
		if err != nil {
			return fmt.Errorf("invalid security settings:\n%w", err)
		}
		for _, w := range append(cfg.Deprecations(), warns...) {
			fmt.Println("warning:", w)
		}
		fmt.Println("configuration ok")
		return nil
	case f.printConfig:
		fmt.Print(cfg.Redacted())
		return nil
	}
	log, err := cfg.Log.NewLogger()
	if err != nil {
		return err
	}
	defer log.Sync() // a failed flush at exit has nowhere to be reported

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, f.queue, log)
}

// load parses the flags and loads the configuration; a nil config without
// an error means there is nothing to do (--help).
func load(args []string) (flags, *config.Config, error) {
	var f flags
	fs := pflag.NewFlagSet("worker", pflag.ContinueOnError)
	fs.BoolVar(&f.checkConfig, "check-config", false, "validate the configuration and exit")
	fs.BoolVar(&f.printConfig, "print-config", false, "print the effective configuration (secrets redacted) and exit")
	fs.BoolVar(&f.healthcheck, "healthcheck", false, "ask the running worker's /healthz (at worker.listen) and exit 0 if it answers 200 (a container's health check)")
	fs.StringVar(&f.queue, "task-queue", "", "serve only the discoveries of sources on this task queue (a worker inside another network)")
	config.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return f, nil, nil
		}
		return f, nil, err
	}
	cfg, err := config.Load(config.Path(fs, os.Environ()), fs, os.Environ())
	if err != nil {
		return f, nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return f, cfg, nil
}

// serve runs the worker until ctx ends or the health server fails: the
// activities, the Temporal client and worker, and the health and metrics
// server. queue, when it is not the configured task queue, makes a worker
// that serves only the discoveries of the sources on it.
func serve(ctx context.Context, cfg *config.Config, queue string, log *zap.Logger) error {
	if mb := cfg.Worker.MemoryLimitMB; mb > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(mb) << 20)
	}
	if cfg.Worker.PprofListen != "" {
		stopPprof, err := servePprof(cfg.Worker.PprofListen, log)
		if err != nil {
			return err
		}
		defer stopPprof()
	}

	reg, err := metrics.New()
	if err != nil {
		return fmt.Errorf("set up metrics: %w", err)
	}
	opts := activities.BuildOptions{Queue: cfg.Temporal.TaskQueue, Metrics: reg}
	if queue != "" && queue != cfg.Temporal.TaskQueue {
		opts = activities.BuildOptions{Queue: queue, DiscoverOnly: true, Metrics: reg}
	}
	acts, err := activities.New(ctx, cfg, log, opts)
	if err != nil {
		return err
	}
	defer acts.Close()

	sdkMetrics, closeSDKMetrics := reg.Temporal()
	defer closeSDKMetrics.Close()
	warns, err := checkSecurity(cfg)
	if err != nil {
		return err
	}
	for _, w := range warns {
		log.Warn("security", zap.String("warning", w))
	}
	for _, d := range cfg.Deprecations() {
		log.Warn("deprecated setting", zap.String("warning", d))
	}
	c, err := cfg.DialTemporal(ctx, log, sdkMetrics)
	if err != nil {
		return err
	}
	defer c.Close()

	w := newWorker(c, cfg, opts, acts)
	h := newHealth(c, acts, reg, log)
	go h.refresh(ctx, readyInterval)
	srv, srvErr := startHealthServer(cfg.Worker.Listen, h.routes())
	if err := w.Start(); err != nil {
		return errors.Join(fmt.Errorf("start worker: %w", err), shutdown(ctx, srv))
	}
	log.Info("worker started",
		zap.String("task_queue", opts.Queue),
		zap.String("temporal", cfg.Temporal.Address),
		zap.String("namespace", cfg.Temporal.Namespace),
		zap.String("listen", cfg.Worker.Listen),
		zap.Int("sources", len(acts.Sources)))

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("stopping worker")
	case runErr = <-srvErr:
	}
	w.Stop()
	return errors.Join(runErr, shutdown(ctx, srv))
}

// checkSecurity lists the security warnings of cfg, and fails on a secret
// file others can read under strict_secret_files or on bad payload keys.
func checkSecurity(cfg *config.Config) ([]string, error) {
	warns, err := cfg.SecurityWarnings()
	if err != nil {
		return nil, err
	}
	if _, err := cfg.PayloadCodec(); err != nil && !errors.Is(err, config.ErrSecretNotSet) {
		return nil, err
	}
	return warns, nil
}

// newWorker is the Temporal worker on the options' queue, with the sync
// workflow and every activity, or only the discoveries.
func newWorker(c client.Client, cfg *config.Config, opts activities.BuildOptions, acts *activities.Activities) worker.Worker {
	w := worker.New(c, opts.Queue, worker.Options{
		WorkerStopTimeout:                  cfg.Worker.ShutdownTimeout.Duration,
		MaxConcurrentActivityExecutionSize: max(8, 2*cfg.Sync.ApplyConcurrency),
	})
	if opts.DiscoverOnly {
		workflows.RegisterDiscovery(w, acts)
	} else {
		workflows.Register(w, acts)
	}
	return w
}

// startHealthServer serves handler on addr in the background; the channel
// carries the error that stopped it, if any, and is closed when it stops.
func startHealthServer(addr string, handler http.Handler) (*http.Server, <-chan error) {
	srv := &http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	srvErr := make(chan error, 1)
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			srvErr <- fmt.Errorf("serve health and metrics on %s: %w", addr, err)
		}
		close(srvErr)
	}()
	return srv, srvErr
}

// shutdown stops the health server, waiting a few seconds for requests in
// flight even when ctx is done already.
func shutdown(ctx context.Context, srv *http.Server) error {
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("stop health server: %w", err)
	}
	return nil
}
