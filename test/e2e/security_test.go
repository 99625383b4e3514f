package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"

	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestTemporalOverTLS runs a sync whose worker and starter client reach the
// dev server only through a TLS-terminating proxy, dialled by the one
// function both commands use: with a CA and server name, with mTLS, and
// refused without the client certificate or without TLS.
func TestTemporalOverTLS(t *testing.T) {
	dir := t.TempDir()
	pki := newTestPKI(t, dir)
	serverOnly := startTLSProxy(t, pki, false, devServer.FrontendHostPort())
	mutual := startTLSProxy(t, pki, true, devServer.FrontendHostPort())

	tlsYAML := "\ntemporal:\n  tls:\n    ca_file: " + pki.caFile + "\n    server_name: temporal.test\n"
	mtlsYAML := tlsYAML + "    cert_file: " + pki.clientCert + "\n    key_file: " + pki.clientKey + "\n"
	for _, tc := range []struct {
		name  string
		proxy *tlsProxy
		yaml  string
	}{
		{"tls", serverOnly, tlsYAML},
		{"mtls", mutual, mtlsYAML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, exampleConfig(t)+tc.yaml, "NETBOX_AGENT_TEMPORAL_ADDRESS="+tc.proxy.addr())
			res := syncThrough(t, e, workflows.SyncRequest{DryRun: true})
			assert.Positive(t, res.Records)
			if tc.proxy == mutual {
				assert.Contains(t, mutual.clientNames(), "netbox-agent", "the client presented its certificate")
			}
		})
	}

	refused := []struct {
		name  string
		proxy *tlsProxy
		yaml  string
		env   []string
	}{
		{"mtls without a client certificate", mutual, tlsYAML, nil},
		{"tls proxy dialled in clear", serverOnly, "", nil},
		{"wrong server name", serverOnly, "\ntemporal:\n  tls:\n    ca_file: " + pki.caFile + "\n    server_name: other.test\n", nil},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, exampleConfig(t)+tc.yaml, append(tc.env, "NETBOX_AGENT_TEMPORAL_ADDRESS="+tc.proxy.addr())...)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			tcl, err := e.cfg.DialTemporal(ctx, zaptest.NewLogger(t), nil)
			if err == nil {
				tcl.Close()
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "dial temporal at "+tc.proxy.addr())
		})
	}
}

// syncThrough runs a sync to its end with a worker and a client both dialled
// from e's config (so through whatever TLS and codec it sets), instead of the
// dev server's own client, and returns the run's result.
func syncThrough(t *testing.T, e *env, req workflows.SyncRequest) workflows.SyncResult {
	t.Helper()
	res, _ := syncThroughRun(t, e, req)
	return res
}

// syncThroughRun is syncThrough that also returns the run; the worker's
// and client's logs also go to each of cores.
func syncThroughRun(t *testing.T, e *env, req workflows.SyncRequest, cores ...zapcore.Core) (workflows.SyncResult, client.WorkflowRun) {
	t.Helper()
	e.stopInProcessWorker()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	log = log.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core { return zapcore.NewTee(append(cores, c)...) }))
	wc, err := e.cfg.DialTemporal(ctx, log, nil)
	require.NoError(t, err)
	defer wc.Close()
	w := worker.New(wc, e.queue, worker.Options{})
	workflows.Register(w, e.acts)
	require.NoError(t, w.Start())
	defer w.Stop()

	sc, err := e.cfg.DialTemporal(ctx, log, nil)
	require.NoError(t, err)
	defer sc.Close()
	run, err := sc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: e.queue, StaticSummary: "e2e " + t.Name()}, workflows.SyncWorkflow, req)
	require.NoError(t, err)
	var res workflows.SyncResult
	require.NoError(t, run.Get(ctx, &res))
	return res, run
}

// TestCommandsOverMTLS runs the worker and starter binaries against the dev
// server behind a proxy that wants a client certificate: the starter's dry
// run is served by the worker process, both through mTLS; the starter
// without the certificate is refused.
func TestCommandsOverMTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the worker and starter binaries")
	}
	dir := t.TempDir()
	pki := newTestPKI(t, dir)
	mutual := startTLSProxy(t, pki, true, devServer.FrontendHostPort())
	tlsYAML := "\ntemporal:\n  tls:\n    ca_file: " + pki.caFile + "\n    server_name: temporal.test\n"
	mtlsYAML := tlsYAML + "    cert_file: " + pki.clientCert + "\n    key_file: " + pki.clientKey + "\n"
	e := newEnv(t, exampleConfig(t)+mtlsYAML+"worker:\n  listen: 127.0.0.1:0\n", "NETBOX_AGENT_TEMPORAL_ADDRESS="+mutual.addr())
	e.stopInProcessWorker()
	startWorkerProcess(t, e, buildWorker(t))
	starter := buildCommand(t, "starter")

	runStarter := func(configYAML string, args ...string) ([]byte, error) {
		cfgPath := filepath.Join(t.TempDir(), "netbox-agent.yaml")
		require.NoError(t, os.WriteFile(cfgPath, []byte(configYAML), 0o600))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, starter, append(args, "--config", cfgPath)...)
		cmd.Env = append(os.Environ(), e.environ()...)
		return cmd.CombinedOutput()
	}
	id := "e2e-mtls-" + e.queue
	out, err := runStarter(e.configYAML, "sync", "--dry-run", "--wait", "--id", id)
	require.NoError(t, err, "%s", out)
	desc, err := devServer.Client().DescribeWorkflow(context.Background(), id, "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.RawResponse.GetWorkflowExecutionInfo().GetStatus())
	assert.GreaterOrEqual(t, len(mutual.clientNames()), 2, "the worker and the starter presented the client certificate")

	out, err = runStarter(exampleConfig(t)+tlsYAML, "status", "--id", id)
	require.Error(t, err)
	assert.Contains(t, string(out), "dial temporal at "+mutual.addr())
}

// buildCommand builds the command in ./name and returns the binary's path.
func buildCommand(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, "./"+name)
	cmd.Dir = repoPath(t, ".")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "build %s: %s", name, out)
	return bin
}
