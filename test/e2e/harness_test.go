package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"

	"github.com/netbox-agent/netbox-agent/activities"
	_ "github.com/netbox-agent/netbox-agent/activities/source/all"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/metrics"
	"github.com/netbox-agent/netbox-agent/test/realnetbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// envCount keeps the task queues of two envs in one test apart.
var envCount atomic.Int64

// devServer is the real Temporal dev server all tests of this package share.
var devServer *testsuite.DevServer

// temporalCLI finds the pinned temporal CLI: $TEMPORAL_CLI (set by make),
// else .bin/temporal at the module root.
func temporalCLI() (string, error) {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p, nil
	}
	p, err := filepath.Abs("../../.bin/temporal")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("the temporal CLI is missing (run `make tools`, or set TEMPORAL_CLI): %w", err)
	}
	return p, nil
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	cli, err := temporalCLI()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if real, ok := realnetbox.FromEnv(); ok {
		unlock, err := lockNetBox(real)
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
		defer func() {
			if err := unlock(); err != nil {
				fmt.Fprintln(os.Stderr, "e2e:", err)
			}
		}()
		fmt.Fprintf(os.Stderr, "e2e: against the real NetBox %s at %s\n", real.Version, real.URL)
	} else if _, err := simOptions(""); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	devServer, err = startDevServer(cli)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer func() {
		if err := devServer.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stop temporal dev server:", err)
		}
	}()
	return m.Run()
}

// startDevServer starts a Temporal dev server from the CLI at cli, with extraArgs after the
// usual ones (--dynamic-config-value KEY=VALUE, say).
func startDevServer(cli string, extraArgs ...string) (*testsuite.DevServer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: cli,
		LogLevel:     "error",
		ClientOptions: &client.Options{
			Logger: quietLogger{},
		},
		ExtraArgs: extraArgs,
		Stdout:    io.Discard,
		Stderr:    os.Stderr,
	})
	if err != nil {
		return nil, fmt.Errorf("start temporal dev server: %w", err)
	}
	return srv, nil
}

// lockNetBox takes the real NetBox for this suite alone, for as long as it runs: the tests
// reset it and count its objects, which another suite writing to it at the same time would
// break.
func lockNetBox(real *realnetbox.Target) (func() error, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	fmt.Fprintf(os.Stderr, "e2e: taking %s (other test processes that use this NetBox hold it while they run)\n", real.LockPath())
	return real.Lock(ctx)
}

// quietLogger keeps the SDK's client chatter out of test output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

// env is one test's world: a NetBox, a worker on its own task queue, and the config both were
// built from.
type env struct {
	t  *testing.T
	nb *netbox
	// token is the agent's NetBox token (nb.token unless a test chose another).
	token string
	// dir holds the config file and the blob store.
	dir string
	// configYAML and extraEnv are what the worker's config was built from.
	configYAML string
	extraEnv   []string
	cfg        *config.Config
	acts       *activities.Activities
	queue      string
	w          worker.Worker
	// metrics, when set before configure, is the worker's registry.
	metrics *metrics.Metrics
	// logCores, when set before configure, also get every log line of the activities, at
	// every level.
	logCores []zapcore.Core
}

func newToken(t *testing.T) string {
	b := make([]byte, 20)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// newEnv starts from an empty NetBox and starts a worker whose config is configYAML (with
// NetBox, Temporal and the blob store filled in through the environment, as an operator would).
func newEnv(t *testing.T, configYAML string, extraEnv ...string) *env {
	t.Helper()
	e := &env{t: t, nb: newNetBox(t), dir: t.TempDir()}
	e.token = e.nb.token
	e.queue = fmt.Sprintf("e2e-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), envCount.Add(1))
	t.Cleanup(e.stop)
	e.configure(configYAML, extraEnv...)
	return e
}

// environ is the environment the worker's config is loaded with: the variables that point it
// at this env's NetBox, Temporal and blob store, then the test's own.
func (e *env) environ() []string {
	return append([]string{
		"NETBOX_AGENT_NETBOX_URL=" + e.nb.url,
		"NETBOX_AGENT_NETBOX_TOKEN=" + e.token,
		"NETBOX_AGENT_TEMPORAL_ADDRESS=" + devServer.FrontendHostPort(),
		"NETBOX_AGENT_TEMPORAL_TASK_QUEUE=" + e.queue,
		"NETBOX_AGENT_BLOB_URL=file://" + filepath.Join(e.dir, "blobs"),
	}, e.extraEnv...)
}

// configure (re)builds the activities from configYAML and extraEnv and (re)starts the
// in-process worker with them, as restarting the worker with a changed config would. NetBox
// and the blob store stay as they are.
func (e *env) configure(configYAML string, extraEnv ...string) {
	e.t.Helper()
	e.stop()
	e.configYAML, e.extraEnv = configYAML, extraEnv
	cfgPath := filepath.Join(e.dir, "netbox-agent.yaml")
	require.NoError(e.t, os.WriteFile(cfgPath, []byte(configYAML), 0o600))
	cfg, err := config.Load(cfgPath, nil, e.environ())
	require.NoError(e.t, err)
	e.cfg = cfg

	log := zaptest.NewLogger(e.t, zaptest.Level(zap.WarnLevel))
	if len(e.logCores) > 0 {
		log = log.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core { return zapcore.NewTee(append(e.logCores, c)...) }))
	}
	acts, err := activities.New(context.Background(), cfg, log, activities.BuildOptions{Queue: e.queue, Metrics: e.metrics})
	require.NoError(e.t, err)
	e.acts = acts
	e.startInProcessWorker()
}

// resetNetBox empties NetBox and starts the worker afresh on the same config, so that nothing
// the worker knew of the old objects survives.
func (e *env) resetNetBox() {
	e.t.Helper()
	e.stop()
	require.NoError(e.t, e.nb.reset(context.Background()))
	e.configure(e.configYAML, e.extraEnv...)
}

// stop stops the in-process worker and releases the activities.
func (e *env) stop() {
	e.stopInProcessWorker()
	if e.acts != nil {
		require.NoError(e.t, e.acts.Close())
		e.acts = nil
	}
}

// startInProcessWorker starts a worker on the env's task queue.
func (e *env) startInProcessWorker() {
	e.w = worker.New(devServer.Client(), e.queue, worker.Options{})
	workflows.Register(e.w, e.acts)
	require.NoError(e.t, e.w.Start())
}

// stopInProcessWorker stops the env's worker, if it runs.
func (e *env) stopInProcessWorker() {
	if e.w != nil {
		e.w.Stop()
		e.w = nil
	}
}

// sync runs SyncWorkflow to its end and returns its result.
func (e *env) sync(req workflows.SyncRequest) (client.WorkflowRun, workflows.SyncResult) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run, err := devServer.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		TaskQueue:     e.queue,
		StaticSummary: "e2e " + e.t.Name(),
	}, workflows.SyncWorkflow, req)
	require.NoError(e.t, err)
	var res workflows.SyncResult
	require.NoError(e.t, run.Get(ctx, &res))
	return run, res
}

// stats are the agent's requests to NetBox since the env started or the last resetStats.
func (e *env) stats() realnetbox.Stats { return e.nb.proxy.Stats() }

// resetStats zeroes the request counters.
func (e *env) resetStats() { e.nb.proxy.ResetStats() }

// writes counts the agent's requests that change something.
func (e *env) writes() int { return e.stats().Writes() }

// cli runs the pinned temporal CLI against the dev server.
func cli(t *testing.T, args ...string) []byte {
	t.Helper()
	path, err := temporalCLI()
	require.NoError(t, err)
	args = append(args, "--address", devServer.FrontendHostPort())
	cmd := exec.Command(path, args...)
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		t.Fatalf("temporal %s: %v\n%s%s", strings.Join(args, " "), err, out, exitErr.Stderr)
	}
	require.NoError(t, err)
	return out
}

// repoPath resolves a path relative to the module root.
func repoPath(t *testing.T, rel string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", rel))
	require.NoError(t, err)
	return p
}
