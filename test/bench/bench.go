package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/bench/gen"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// The three cases of every size.
const (
	caseFirst     = "first sync"
	caseUnchanged = "unchanged"
	caseChanged   = "changed"
)

var cases = []string{caseFirst, caseUnchanged, caseChanged}

// measurement is one sync of one case.
type measurement struct {
	Size   int    `json:"size"`
	Case   string `json:"case"`
	Repeat int    `json:"repeat"`
	// Wall is the time from starting SyncWorkflow to its result.
	Wall time.Duration `json:"wall"`
	// Requests counts NetBox requests by method; Total all of them.
	Requests map[string]int `json:"requests"`
	Total    int            `json:"total"`
	// Changed counts the objects the sync created, updated or deleted.
	Changed int `json:"changed"`
	// Expected is the number of changes the case should make.
	Expected int              `json:"expected"`
	Result   workflowsSummary `json:"result"`
	History  historyFigures   `json:"history"`
	// Worker is the worker's peak RSS and the CPU time it spent during the
	// sync; SimCPU and TemporalCPU those of the emulator and the dev server.
	Worker      usage         `json:"worker"`
	SimCPU      time.Duration `json:"sim_cpu"`
	TemporalCPU time.Duration `json:"temporal_cpu"`
	Err         string        `json:"error,omitempty"`
}

// workflowsSummary is the part of the sync's result the table uses.
type workflowsSummary struct {
	Records       int `json:"records"`
	Planned       int `json:"planned"`
	Batches       int `json:"batches"`
	Created       int `json:"created"`
	Updated       int `json:"updated"`
	Deleted       int `json:"deleted"`
	Problems      int `json:"problems"`
	FailedBatches int `json:"failed_batches"`
	SourcesFailed int `json:"sources_failed"`
	// Counts are the plan's operations by kind and op.
	Counts []activities.OpCount `json:"counts,omitempty"`
}

func (m measurement) writes() int {
	return m.Requests["POST"] + m.Requests["PUT"] + m.Requests["PATCH"] + m.Requests["DELETE"]
}

// bench holds the processes every case shares: the dev server and the
// emulator. The worker is started anew for every case so that its peak
// RSS is the case's own.
type bench struct {
	o        options
	dir      string
	inv      string
	token    string
	temporal *process
	tc       client.Client
	tcAddr   string
	sim      *process
	simURL   string
}

func newBench(ctx context.Context, o options, dir string) (*bench, error) {
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	b := &bench{o: o, dir: dir, inv: filepath.Join(dir, "inventory"), token: token}
	b.temporal, b.tc, b.tcAddr, err = startTemporal(ctx, dir, o.temporal, !o.diskDB)
	if err != nil {
		return nil, err
	}
	b.sim, b.simURL, err = startSim(ctx, dir, o.netboxsim, token, o.latency)
	if err != nil {
		return nil, errors.Join(err, b.close())
	}
	fmt.Fprintf(os.Stderr, "temporal dev server (pid %d), netboxsim at %s with %s latency (pid %d)\n",
		b.temporal.pid(), b.simURL, o.latency, b.sim.pid())
	return b, nil
}

func (b *bench) close() error {
	var errs []error
	if b.tc != nil {
		b.tc.Close()
	}
	for _, p := range []*process{b.sim, b.temporal} {
		if p != nil {
			errs = append(errs, p.stop(10*time.Second))
		}
	}
	return errors.Join(errs...)
}

// size runs every case of one size, --repeat times. Each repeat starts
// from an empty NetBox, so its first sync creates everything.
func (b *bench) size(ctx context.Context, spec sizeSpec) ([]measurement, error) {
	size := spec.objects
	var out []measurement
	for r := 1; r <= spec.repeat; r++ {
		if err := simRequest(ctx, http.MethodPost, b.simURL+"/_sim/reset", nil); err != nil {
			return out, err
		}
		for _, c := range cases {
			share := 0.0
			if c == caseChanged {
				share = b.o.changed
			}
			sum, err := gen.Write(b.inv, gen.Options{Objects: size, Seed: b.o.seed, Changed: share, Format: gen.Format(b.o.format)})
			if err != nil {
				return out, fmt.Errorf("generate inventory: %w", err)
			}
			if r == 1 && c == caseFirst {
				fmt.Fprintf(os.Stderr, "%d objects: %s\n", size, describe(sum))
			}
			expected := 0
			switch c {
			case caseFirst:
				expected = sum.Objects
			case caseChanged:
				expected = sum.Changed
			}
			fmt.Fprintf(os.Stderr, "%d objects, %s, run %d/%d ... ", size, b.caseName(c), r, spec.repeat)
			m, err := b.runCase(ctx, size, c, r, expected)
			out = append(out, m)
			if err != nil {
				fmt.Fprintln(os.Stderr, "failed")
				// The next cases build on this one's NetBox: stop this repeat.
				return out, fmt.Errorf("%s: %w", b.caseName(c), err)
			}
			fmt.Fprintf(os.Stderr, "%s, %d requests, worker peak RSS %s\n", m.Wall.Round(10*time.Millisecond), m.Total, mib(m.Worker.PeakRSS))
		}
	}
	return out, nil
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

	var before, after nbsim.Stats
	if err := simRequest(ctx, http.MethodGet, b.simURL+"/_sim/stats", &before); err != nil {
		return m, err
	}
	simBefore, err := procUsage(b.sim.pid())
	if err != nil {
		return m, err
	}
	temporalBefore, err := procUsage(b.temporal.pid())
	if err != nil {
		return m, err
	}

	workerBefore, err := w.usage()
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

	m.Worker, err = w.usage()
	if err != nil {
		return m, errors.Join(runErr, err)
	}
	if err := simRequest(ctx, http.MethodGet, b.simURL+"/_sim/stats", &after); err != nil {
		return m, errors.Join(runErr, err)
	}
	simAfter, err := procUsage(b.sim.pid())
	if err != nil {
		return m, errors.Join(runErr, err)
	}
	temporalAfter, err := procUsage(b.temporal.pid())
	if err != nil {
		return m, errors.Join(runErr, err)
	}
	m.Worker.CPU -= workerBefore.CPU
	m.SimCPU, m.TemporalCPU = simAfter.CPU-simBefore.CPU, temporalAfter.CPU-temporalBefore.CPU
	m.Requests = map[string]int{}
	for method, n := range after.ByMethod {
		if d := n - before.ByMethod[method]; d > 0 {
			m.Requests[method] = d
		}
	}
	m.Total = after.Total - before.Total
	if m.History, err = readHistory(ctx, b.tc, id, firstRun); err != nil {
		return m, errors.Join(runErr, err)
	}
	if runErr != nil {
		m.Err = runErr.Error()
		return m, fmt.Errorf("sync: %w\nworker log:\n%s", runErr, w.tail(20))
	}
	m.Result = workflowsSummary{
		Records: res.Records, Planned: res.Plan.Total, Batches: res.Plan.Batches,
		Created: res.Applied.Created, Updated: res.Applied.Updated, Deleted: res.Applied.Deleted,
		Problems: res.Applied.Problems, FailedBatches: len(res.FailedBatches), Counts: res.Plan.Counts,
	}
	for _, s := range res.Sources {
		if s.Status != "ok" {
			m.Result.SourcesFailed++
		}
	}
	// A first sync also updates objects it has just created (a device's
	// primary IP once the IP exists): those are the cost of a create, not
	// changes of their own.
	m.Changed = res.Applied.Created + res.Applied.Deleted
	if c != caseFirst {
		m.Changed += res.Applied.Updated
	}
	if err := m.check(); err != nil {
		m.Err = err.Error()
	}
	return m, nil
}

// check compares what a sync did with what its case should do; a
// mismatch is shown in the table, since a fast wrong sync proves nothing.
func (m measurement) check() error {
	var errs []error
	r := m.Result
	if r.SourcesFailed > 0 {
		errs = append(errs, fmt.Errorf("%d sources failed", r.SourcesFailed))
	}
	if r.Records != m.Size {
		errs = append(errs, fmt.Errorf("%d records, want %d", r.Records, m.Size))
	}
	if r.Problems > 0 || r.FailedBatches > 0 {
		errs = append(errs, fmt.Errorf("%d problems, %d failed batches", r.Problems, r.FailedBatches))
	}
	if m.Changed != m.Expected {
		errs = append(errs, fmt.Errorf("%d objects changed, want %d", m.Changed, m.Expected))
	}
	return errors.Join(errs...)
}

// workerProcess is a running worker and the task queue it serves: the
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
		"NETBOX_AGENT_NETBOX_URL="+b.simURL,
		"NETBOX_AGENT_NETBOX_TOKEN="+b.token,
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
