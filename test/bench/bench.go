package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/bench/gen"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// The cases of every size: the floor (a plain bulk load, with --floor),
// then the syncs.
const (
	caseFloor     = "floor"
	caseFirst     = "first sync"
	caseUnchanged = "unchanged"
	caseChanged   = "changed"
)

// bench holds what every case shares: the dev server and NetBox. The
// worker is started anew for every case so that its peak RSS is the
// case's own.
type bench struct {
	o        options
	dir      string
	inv      string
	temporal *process
	tc       client.Client
	tcAddr   string
	nb       netboxTarget
}

func newBench(ctx context.Context, o options, dir string) (*bench, error) {
	b := &bench{o: o, dir: dir, inv: filepath.Join(dir, "inventory")}
	var err error
	b.temporal, b.tc, b.tcAddr, err = startTemporal(ctx, dir, o.temporal, !o.diskDB)
	if err != nil {
		return nil, err
	}
	// A failed constructor's nil pointer must not become a non-nil
	// interface that close would call.
	if o.real {
		t, err := newRealTarget(ctx, o.runDir)
		if err != nil {
			return nil, errors.Join(err, b.close())
		}
		b.nb = t
	} else {
		t, err := newSimTarget(ctx, dir, o.netboxsim, o.cost)
		if err != nil {
			return nil, errors.Join(err, b.close())
		}
		b.nb = t
	}
	fmt.Fprintf(os.Stderr, "temporal dev server (pid %d); %s\n", b.temporal.pid(), b.nb.Describe())
	return b, nil
}

func (b *bench) close() error {
	var errs []error
	if b.tc != nil {
		b.tc.Close()
	}
	if b.nb != nil {
		errs = append(errs, b.nb.Close())
	}
	if b.temporal != nil {
		errs = append(errs, b.temporal.stop(10*time.Second))
	}
	return errors.Join(errs...)
}

// size runs every case of one size, --repeat times. Each repeat starts
// from an empty NetBox, so its first sync creates everything; the floor,
// when asked for, loads the same objects into an empty NetBox before it.
func (b *bench) size(ctx context.Context, spec sizeSpec) ([]measurement, error) {
	size := spec.objects
	var out []measurement
	for r := 1; r <= spec.repeat; r++ {
		for _, c := range b.o.cases {
			if c == caseFloor || c == caseFirst {
				if err := b.nb.Reset(ctx); err != nil {
					return out, err
				}
			}
			share := 0.0
			if c == caseChanged {
				share = b.o.changed
			}
			gopts := gen.Options{Objects: size, Seed: b.o.seed, Changed: share, Format: gen.Format(b.o.format)}
			sum, err := gen.Write(b.inv, gopts)
			if err != nil {
				return out, fmt.Errorf("generate inventory: %w", err)
			}
			if r == 1 && c == b.o.cases[0] {
				fmt.Fprintf(os.Stderr, "%d objects: %s\n", size, describe(sum))
			}
			fmt.Fprintf(os.Stderr, "%d objects, %s, run %d/%d ... ", size, b.caseName(c), r, spec.repeat)
			var m measurement
			if c == caseFloor {
				m, err = b.runFloor(ctx, gopts, r)
			} else {
				m, err = b.runCase(ctx, size, c, r, expectedChanges(c, sum))
			}
			out = append(out, m)
			if err != nil {
				fmt.Fprintln(os.Stderr, "failed")
				if c == caseFloor {
					fmt.Fprintln(os.Stderr, err.Error())
					continue
				}
				// The next cases build on this one's NetBox: stop this repeat.
				return out, fmt.Errorf("%s: %w", b.caseName(c), err)
			}
			fmt.Fprintf(os.Stderr, "%s, %d requests, NetBox CPU %s, other CPU %s, stolen %s, worker peak RSS %s\n",
				m.Wall.Round(10*time.Millisecond), m.Total, dur(m.NetBoxCPU.Total()), dur(m.OtherCPU), dur(m.StolenCPU), mib(m.Worker.PeakRSS))
		}
	}
	return out, nil
}

// expectedChanges is the number of objects a case creates or changes.
func expectedChanges(c string, sum gen.Summary) int {
	switch c {
	case caseFirst, caseFloor:
		return sum.Objects
	case caseChanged:
		return sum.Changed
	}
	return 0
}

func (b *bench) caseName(c string) string {
	if c == caseChanged {
		return fmt.Sprintf("%g%% changed", math.Round(b.o.changed*1000)/10)
	}
	return c
}

// runCase starts a worker, runs one sync and measures it.
func (b *bench) runCase(ctx context.Context, size int, c string, repeat, expected int) (measurement, error) {
	m := measurement{Size: size, Case: c, Repeat: repeat, Expected: expected}
	id := fmt.Sprintf("bench-%d-%s-%d", size, strings.ReplaceAll(c, " ", "-"), repeat)
	caseDir := filepath.Join(b.dir, id)
	if err := os.MkdirAll(caseDir, 0o755); err != nil {
		return m, fmt.Errorf("create case directory: %w", err)
	}
	if !b.o.keep {
		defer os.RemoveAll(caseDir)
	}
	w, err := b.startWorker(ctx, caseDir, id)
	if err != nil {
		m.Err = err.Error()
		return m, err
	}
	defer func() {
		if err := w.stop(); err != nil {
			fmt.Fprintln(os.Stderr, err.Error())
		}
	}()
	before, err := b.snapshot(ctx, w)
	if err != nil {
		return m, err
	}

	runCtx, cancel := context.WithTimeout(ctx, b.o.timeout)
	defer cancel()
	startAt := time.Now()
	run, err := b.tc.ExecuteWorkflow(runCtx, client.StartWorkflowOptions{
		ID: id, TaskQueue: w.queue, StaticSummary: "benchmark " + id,
		WorkflowExecutionTimeout: b.o.timeout,
	}, workflows.SyncWorkflow, workflows.SyncRequest{})
	if err != nil {
		m.Err = err.Error()
		return m, fmt.Errorf("start sync: %w", err)
	}
	// Get follows the runs the workflow continued as, and GetRunID then
	// names the last one: the history starts from the first.
	firstRun := run.GetRunID()
	var res workflows.SyncResult
	runErr := run.Get(runCtx, &res)
	m.Wall = time.Since(startAt)

	after, err := b.snapshot(ctx, w)
	if err != nil {
		return m, errors.Join(runErr, err)
	}
	m.measured(before, after)
	if m.History, err = readHistory(ctx, b.tc, id, firstRun); err != nil {
		return m, errors.Join(runErr, err)
	}
	if runErr != nil {
		m.Err = runErr.Error()
		return m, fmt.Errorf("sync: %w\nworker log:\n%s", runErr, w.tail(20))
	}
	m.result(res)
	if err := m.check(); err != nil {
		m.Err = err.Error()
	}
	return m, nil
}

// worker binary, or with --profile the same worker inside the harness.
type workerProcess struct {
	proc      *process
	inProcess *inProcessWorker
	queue     string
}

func (w *workerProcess) usage() (usage, error) {
	if w.proc != nil {
		return procUsage(w.proc.pid())
	}
	return procUsage(os.Getpid())
}

func (w *workerProcess) stop() error {
	if w.proc != nil {
		return w.proc.stop(30 * time.Second)
	}
	return w.inProcess.close()
}

func (w *workerProcess) tail(n int) string {
	if w.proc != nil {
		return w.proc.tail(n)
	}
	return "(worker inside the harness: see the case's worker.log with --keep)"
}

// startWorker writes the worker's config and starts it on a task queue of
// its own, with NetBox, Temporal and the blob store given through the
// environment as an operator would.
func (b *bench) startWorker(ctx context.Context, dir, queue string) (*workerProcess, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`log:
  level: info
  format: console
worker:
  listen: 127.0.0.1:%d
data_dir: %s
sources:
  - name: bench
    type: filesystem
    path: %s
`, port, filepath.Join(dir, "data"), b.inv)
	cfgPath := filepath.Join(dir, "netbox-agent.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, fmt.Errorf("write worker config: %w", err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "NETBOX_AGENT_") })
	env = append(env,
		"NETBOX_AGENT_NETBOX_URL="+b.nb.URL(),
		"NETBOX_AGENT_NETBOX_TOKEN="+b.nb.Token(),
		"NETBOX_AGENT_TEMPORAL_ADDRESS="+b.tcAddr,
		"NETBOX_AGENT_TEMPORAL_TASK_QUEUE="+queue,
		"NETBOX_AGENT_BLOB_URL=file://"+filepath.Join(dir, "blobs"),
	)
	env = append(env, b.o.workerEnv...)
	if b.o.profile != "" {
		return b.startInProcessWorker(ctx, dir, cfgPath, env, queue)
	}
	p, err := start("worker", dir, env, b.o.worker, "--config", cfgPath)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := p.waitLog(wctx, "worker started"); err != nil {
		return nil, errors.Join(err, p.stop(5*time.Second))
	}
	return &workerProcess{proc: p, queue: queue}, nil
}

// describe says what a generated inventory holds, kind by kind.
func describe(sum gen.Summary) string {
	kinds := make([]string, 0, len(sum.ByKind))
	for k := range sum.ByKind {
		kinds = append(kinds, string(k))
	}
	slices.SortFunc(kinds, func(a, b string) int { return inventory.Kind(a).Order() - inventory.Kind(b).Order() })
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", sum.ByKind[inventory.Kind(k)], k))
	}
	return fmt.Sprintf("%s; %d files, %.1f MB", strings.Join(parts, ", "), sum.Files, float64(sum.Bytes)/1e6)
}

func mib(n int64) string {
	return thousands(int((n+(1<<19))>>20)) + " MiB"
}
