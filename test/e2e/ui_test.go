package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/test/realnetbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

var update = flag.Bool("update", false, "rewrite docs/ui/*.png with the Web UI test's screenshots")

// uiRun names one run for the browser script and says what its pages must show.
type uiRun struct {
	ID        string   `json:"id"`
	RunID     string   `json:"run_id"`
	Summaries []string `json:"summaries"`
	// Texts must all appear on the run's main page: parts of its result; for the retrying
	// run, on its Pending Activities tab: its failure and heartbeat.
	Texts []string `json:"texts"`
	// StaticSummary and Details are what its User Metadata tab must show.
	StaticSummary string `json:"static_summary"`
	Details       string `json:"details"`
}

// uiCheck is the browser script's input.
type uiCheck struct {
	URL       string `json:"url"`
	Namespace string `json:"namespace"`
	Finished  uiRun  `json:"finished"`
	Retrying  uiRun  `json:"retrying"`
	// PendingActivity is the ID of the retrying run's retrying activity.
	PendingActivity string `json:"pending_activity"`
	Screenshots     string `json:"screenshots,omitempty"`
}

// TestWebUIShowsTheRuns opens the Temporal Web UI in headless Chromium (test/ui/check.mjs)
// on a finished run and on a run whose Proxmox source retries, and checks that the pages
// show what docs/ui.md tells operators to look for: each activity's summary, the retrying
// activity's attempt and failure, the result. With -update it rewrites docs/ui/*.png.
// It runs in the default emulator pass only: the other NetBox releases change nothing the UI
// shows.
func TestWebUIShowsTheRuns(t *testing.T) {
	if _, real := realnetbox.FromEnv(); real || os.Getenv("NETBOXSIM_VERSION") != "" {
		t.Skip("the Web UI test runs in the default emulator pass only")
	}
	node, chromium, playwright := uiTools(t)
	ui, uiAddr := startUIServer(t)

	fake := proxmoxtest.NewFake()
	pve := httptest.NewServer(fake)
	t.Cleanup(pve.Close)
	alpha, alphaSecret := proxmoxAlpha(pve.URL)
	e := newEnv(t, strings.Replace(exampleConfig(t), repoPath(t, "examples/inventory"), inventoryBesideProxmox(t), 1)+alpha, alphaSecret,
		"NETBOX_AGENT_SYNC_RETRY_MAXIMUM_ATTEMPTS=0", "NETBOX_AGENT_SYNC_RETRY_INITIAL_INTERVAL=500ms")
	e.stopInProcessWorker()
	w := worker.New(ui.Client(), e.queue, worker.Options{})
	workflows.Register(w, e.acts)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	check := uiCheck{URL: "http://" + uiAddr, Namespace: "default", PendingActivity: "discover/alpha"}
	check.Finished = uiFinishedRun(t, ui.Client(), e.queue)
	check.Retrying = uiRetryingRun(t, ui.Client(), e.queue, fake)
	if *update {
		check.Screenshots = repoPath(t, "docs/ui")
		require.NoError(t, os.MkdirAll(check.Screenshots, 0o755))
	}
	in, err := json.Marshal(check)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, repoPath(t, "test/ui/check.mjs"))
	cmd.Env = append(os.Environ(), "UI_CHECK="+string(in), "CHROMIUM="+chromium, "PLAYWRIGHT_CORE="+playwright,
		"UI_PROFILE="+t.TempDir())
	out, err := cmd.CombinedOutput()
	t.Logf("test/ui/check.mjs:\n%s", out)
	require.NoError(t, err, "the Web UI check failed")
}

// uiTools finds node, Debian's chromium and playwright-core (installed by `make ui-tools`).
// Without one the test skips, except in CI, which installs them.
func uiTools(t *testing.T) (node, chromium, playwright string) {
	t.Helper()
	missing := func(what string, err error) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s: %v (CI installs it: .ci/run)", what, err)
		}
		t.Skipf("%s is missing (%v): install node and chromium (apt-get install nodejs chromium) and run `make ui-tools`", what, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node", err)
	}
	chromium, err = exec.LookPath("chromium")
	if err != nil {
		missing("chromium", err)
	}
	playwright = os.Getenv("PLAYWRIGHT_CORE")
	if playwright == "" {
		cache := os.Getenv("NETBOX_AGENT_CACHE")
		if cache == "" {
			home, err := os.UserHomeDir()
			require.NoError(t, err)
			cache = filepath.Join(home, ".cache", "netbox-agent")
		}
		playwright = filepath.Join(cache, "playwright", "node_modules", "playwright-core")
	}
	if _, err := os.Stat(filepath.Join(playwright, "package.json")); err != nil {
		missing("playwright-core", err)
	}
	return node, chromium, playwright
}

// startUIServer starts a dev server of its own with the Web UI on a free loopback port, and
// returns it and the UI's address.
func startUIServer(t *testing.T) (*testsuite.DevServer, string) {
	t.Helper()
	path, err := temporalCLI()
	require.NoError(t, err)
	port := freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:  path,
		LogLevel:      "error",
		EnableUI:      true,
		UIPort:        strconv.Itoa(port),
		ClientOptions: &client.Options{Logger: quietLogger{}},
		Stdout:        io.Discard,
		Stderr:        os.Stderr,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Stop()) })
	return srv, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// freePort is a loopback TCP port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// uiFinishedRun runs a full sync to its end and says what its page must show.
func uiFinishedRun(t *testing.T, tc client.Client, queue string) uiRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "ui-finished-sync", TaskQueue: queue,
		StaticSummary: "sync all enabled sources"}, workflows.SyncWorkflow, workflows.SyncRequest{})
	require.NoError(t, err)
	var res workflows.SyncResult
	require.NoError(t, run.Get(ctx, &res))
	require.Empty(t, res.FailedBatches)
	require.Positive(t, res.Applied.Created)
	summaries := uiSummaries(t, tc, run.GetID(), run.GetRunID())
	require.Contains(t, summaries, "discover proxmox alpha")
	require.Contains(t, summaries, "discover filesystem lab-files")
	return uiRun{ID: run.GetID(), RunID: run.GetRunID(), Summaries: summaries,
		Texts:         []string{fmt.Sprintf(`"plan_ref": %q`, res.PlanRef), fmt.Sprintf(`"records": %d`, res.Records)},
		StaticSummary: "sync all enabled sources",
		// Markdown makes a fraction of "21/21" in "21/21 batches": the counts after it
		Details: fmt.Sprintf("batches, %d created, %d updated, %d deleted", res.Applied.Created, res.Applied.Updated, res.Applied.Deleted)}
}

// uiRetryingRun starts a run of the Proxmox source while its API answers 503 for one guest's
// config, and waits until the discovery has failed twice.
func uiRetryingRun(t *testing.T, tc client.Client, queue string, fake *proxmoxtest.Fake) uiRun {
	t.Helper()
	fake.SetFault("/nodes/node2/qemu/104/config", proxmoxtest.Fault{Status: http.StatusServiceUnavailable, Reason: "Service Unavailable"})
	ctx := context.Background()
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "ui-retrying-sync", TaskQueue: queue,
		StaticSummary: "sync alpha"}, workflows.SyncWorkflow, workflows.SyncRequest{Sources: []string{"alpha"}})
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := tc.CancelWorkflow(ctx, run.GetID(), run.GetRunID()); err != nil {
			t.Logf("cancel %s: %v", run.GetID(), err)
		}
	})
	require.Eventually(t, func() bool {
		d, err := tc.DescribeWorkflow(ctx, run.GetID(), run.GetRunID())
		if err != nil {
			return false
		}
		for _, p := range d.RawResponse.GetPendingActivities() {
			if p.GetActivityId() == "discover/alpha" && p.GetAttempt() >= 3 && p.GetLastFailure() != nil {
				return true
			}
		}
		return false
	}, 2*time.Minute, 200*time.Millisecond, "discover/alpha retries")
	return uiRun{ID: run.GetID(), RunID: run.GetRunID(), Summaries: uiSummaries(t, tc, run.GetID(), run.GetRunID()),
		Texts: []string{`"type": "SourceUnreachable"`, "qemu 104 (build01) on node2: read config: 503 Service Unavailable", `"guests_total": 5`}}
}

// uiSummaries lists the summaries of the activities a run scheduled, in order.
func uiSummaries(t *testing.T, tc client.Client, id, runID string) []string {
	t.Helper()
	var out []string
	it := tc.GetWorkflowHistory(context.Background(), id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		if ev.GetActivityTaskScheduledEventAttributes() == nil {
			continue
		}
		var s string
		require.NoError(t, converter.GetDefaultDataConverter().FromPayload(ev.GetUserMetadata().GetSummary(), &s))
		require.NotEmpty(t, s, "activity %s has a summary", ev.GetActivityTaskScheduledEventAttributes().GetActivityId())
		out = append(out, s)
	}
	return out
}
