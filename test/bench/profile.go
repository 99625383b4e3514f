package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities"
	_ "github.com/netbox-agent/netbox-agent/activities/source/all" // the worker's source types
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// The worker binary has no profiling endpoint, so --profile runs the same
// activities and workflow inside the harness, built from the same config
// and environment as worker/main.go builds them, and profiles them. Its
// RSS is then the harness's too: the table's RSS column comes from runs
// without --profile.

// inProcessWorker is a worker running inside the harness, with a CPU
// profile recording and the heap profile written at every new peak.
type inProcessWorker struct {
	w       worker.Worker
	c       client.Client
	acts    *activities.Activities
	cpuFile *os.File
	stopMem chan struct{}
	memDone chan struct{}
}

func (b *bench) startInProcessWorker(ctx context.Context, dir, cfgPath string, env []string, queue string) (*workerProcess, error) {
	cfg, err := config.Load(cfgPath, nil, env)
	if err != nil {
		return nil, fmt.Errorf("load worker config: %w", err)
	}
	logPath := filepath.Join(dir, "worker.log")
	zcfg := zap.NewDevelopmentConfig()
	zcfg.Level = zap.NewAtomicLevelAt(zap.InfoLevel)
	zcfg.OutputPaths, zcfg.ErrorOutputPaths = []string{logPath}, []string{logPath}
	log, err := zcfg.Build()
	if err != nil {
		return nil, fmt.Errorf("build logger: %w", err)
	}
	acts, err := activities.New(ctx, cfg, log, activities.BuildOptions{Queue: cfg.Temporal.TaskQueue})
	if err != nil {
		return nil, err
	}
	c, err := client.DialContext(ctx, client.Options{HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace, Logger: quietLogger{}})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("dial temporal: %w", err), acts.Close())
	}
	// The same options as worker/main.go.
	w := worker.New(c, cfg.Temporal.TaskQueue, worker.Options{
		WorkerStopTimeout:                  cfg.Worker.ShutdownTimeout.Duration,
		MaxConcurrentActivityExecutionSize: max(8, 2*cfg.Sync.ApplyConcurrency),
	})
	workflows.Register(w, acts)

	if err := os.MkdirAll(b.o.profile, 0o755); err != nil {
		return nil, fmt.Errorf("create profile directory: %w", err)
	}
	name := filepath.Base(dir)
	cpu, err := os.Create(filepath.Join(b.o.profile, name+".cpu.pprof"))
	if err != nil {
		return nil, fmt.Errorf("create cpu profile: %w", err)
	}
	runtime.GC()
	if err := pprof.StartCPUProfile(cpu); err != nil {
		return nil, errors.Join(fmt.Errorf("start cpu profile: %w", err), cpu.Close())
	}
	ipw := &inProcessWorker{w: w, c: c, acts: acts, cpuFile: cpu, stopMem: make(chan struct{}), memDone: make(chan struct{})}
	go ipw.watchHeap(filepath.Join(b.o.profile, name+".heap.pprof"))
	if err := w.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start worker: %w", err), ipw.close())
	}
	return &workerProcess{inProcess: ipw, queue: queue}, nil
}

// watchHeap writes a heap profile whenever the live heap grows by a tenth
// over the last one written, so the file shows the heap at its peak.
func (ipw *inProcessWorker) watchHeap(path string) {
	defer close(ipw.memDone)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var written uint64
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ipw.stopMem:
			return
		case <-tick.C:
		}
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > written+written/10 {
			written = v
			if err := writeHeapProfile(path); err != nil {
				fmt.Fprintln(os.Stderr, err.Error())
				return
			}
		}
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create heap profile: %w", err)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		return errors.Join(fmt.Errorf("write heap profile: %w", err), f.Close())
	}
	return f.Close()
}

func (ipw *inProcessWorker) close() error {
	ipw.w.Stop()
	ipw.c.Close()
	close(ipw.stopMem)
	<-ipw.memDone
	pprof.StopCPUProfile()
	return errors.Join(ipw.cpuFile.Close(), ipw.acts.Close())
}
