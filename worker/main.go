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
	"github.com/netbox-agent/netbox-agent/workflows"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := pflag.NewFlagSet("worker", pflag.ContinueOnError)
	checkConfig := fs.Bool("check-config", false, "validate the configuration and exit")
	printConfig := fs.Bool("print-config", false, "print the effective configuration (secrets redacted) and exit")
	queue := fs.String("task-queue", "", "serve only the discoveries of sources on this task queue (a worker inside another network)")
	config.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return err
	}
	cfg, err := config.Load(config.Path(fs, os.Environ()), fs, os.Environ())
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	if *checkConfig {
		if err := cfg.CheckSources(zap.NewNop()); err != nil {
			return fmt.Errorf("invalid source settings:\n%w", err)
		}
		fmt.Println("configuration ok")
		return nil
	}
	if *printConfig {
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

	if mb := cfg.Worker.MemoryLimitMB; mb > 0 {
		debug.SetMemoryLimit(int64(mb) << 20)
	}
	if cfg.Worker.PprofListen != "" {
		stopPprof, err := servePprof(cfg.Worker.PprofListen, log)
		if err != nil {
			return err
		}
		defer stopPprof()
	}

	opts := activities.BuildOptions{Queue: cfg.Temporal.TaskQueue}
	if *queue != "" && *queue != cfg.Temporal.TaskQueue {
		opts = activities.BuildOptions{Queue: *queue, DiscoverOnly: true}
	}
	acts, err := activities.New(ctx, cfg, log, opts)
	if err != nil {
		return err
	}
	defer acts.Close()

	metrics, err := newMetrics()
	if err != nil {
		return fmt.Errorf("set up metrics: %w", err)
	}
	defer metrics.Close()
	c, err := client.Dial(cfg.Temporal.ClientOptions(log, metrics.handler))
	if err != nil {
		return fmt.Errorf("dial temporal at %s: %w", cfg.Temporal.Address, err)
	}
	defer c.Close()

	w := worker.New(c, opts.Queue, worker.Options{
		WorkerStopTimeout:                  cfg.Worker.ShutdownTimeout.Duration,
		MaxConcurrentActivityExecutionSize: max(8, 2*cfg.Sync.ApplyConcurrency),
	})
	if opts.DiscoverOnly {
		workflows.RegisterDiscovery(w, acts)
	} else {
		workflows.Register(w, acts)
	}

	srv := &http.Server{
		Addr:              cfg.Worker.Listen,
		Handler:           newHealth(c, acts, metrics).routes(),
		ReadHeaderTimeout: 5 * time.Second,
	}
	srvErr := make(chan error, 1)
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			srvErr <- fmt.Errorf("serve health and metrics on %s: %w", cfg.Worker.Listen, err)
		}
		close(srvErr)
	}()

	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
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
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("stop health server: %w", err))
	}
	return runErr
}
