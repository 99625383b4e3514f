package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestOperatorPathThroughTheTemporalCLI drives the agent the way docs/runbook.md and
// docs/workflow.md tell an operator to, with the real temporal CLI alone: a schedule created
// with the documented input, paused, unpaused and triggered; a dry run and a one-off sync
// started with the documented JSON; a run whose Proxmox source answers 503 described while it
// retries, its progress queried, then cancelled; and each result read back. Every step checks
// what the CLI printed.
func TestOperatorPathThroughTheTemporalCLI(t *testing.T) {
	fake := proxmoxtest.NewFake()
	pve := httptest.NewServer(fake)
	t.Cleanup(pve.Close)
	alpha, alphaSecret := proxmoxAlpha(pve.URL)
	e := newEnv(t, strings.Replace(exampleConfig(t), repoPath(t, "examples/inventory"), inventoryBesideProxmox(t), 1)+alpha, alphaSecret,
		// a source that keeps failing keeps retrying, as with a real outage
		"NETBOX_AGENT_SYNC_RETRY_MAXIMUM_ATTEMPTS=0", "NETBOX_AGENT_SYNC_RETRY_INITIAL_INTERVAL=200ms")

	dry := cliDryRun(t, e)
	scheduled := cliSchedule(t, e)
	require.Equal(t, dry.Plan.Total, scheduled.Applied.Created+scheduled.Applied.Updated,
		"the scheduled run applied what the dry run planned")
	require.Positive(t, e.nb.count(t, "virtualization/virtual-machines"))

	// A one-off sync of one source, as docs/workflow.md shows it, right after the scheduled
	// run: nothing left to do.
	id := "e2e-cli-sync-" + e.queue
	cli(t, "workflow", "start", "--type", "SyncWorkflow", "--task-queue", e.queue, "--workflow-id", id,
		"--run-timeout", "1h", "--input", `{"sources": ["lab-files"]}`)
	once := cliResult(t, id)
	require.Len(t, once.Sources, 1)
	require.Equal(t, "lab-files", once.Sources[0].Name)
	require.Equal(t, activities.SourceOK, once.Sources[0].Status, once.Sources[0].Error)
	require.Zero(t, once.Plan.Total, "%+v", once.Plan.Counts)

	cliRetryingRun(t, e, fake)
}

// inventoryBesideProxmox is the example inventory without its virtual machines, one of which
// has an address of the fake Proxmox cluster's containers, so that both sources sync side by
// side.
func inventoryBesideProxmox(t *testing.T) string {
	t.Helper()
	files := copyInventory(t)
	require.NoError(t, os.Remove(filepath.Join(files, "vms.json")))
	require.NoError(t, os.WriteFile(filepath.Join(files, "services.csv"), []byte("device,name,protocol,ports\nnas1,smb,tcp,445\n"), 0o600))
	return files
}

// cliDryRun starts the documented dry run and reads its result: a plan, nothing written.
func cliDryRun(t *testing.T, e *env) workflows.SyncResult {
	t.Helper()
	id := "e2e-cli-dry-run-" + e.queue
	out := cli(t, "workflow", "start", "--type", "SyncWorkflow", "--task-queue", e.queue, "--workflow-id", id,
		"--run-timeout", "1h", "--input", `{"dry_run": true}`)
	require.Contains(t, string(out), id, "start prints the workflow ID")
	res := cliResult(t, id)
	require.True(t, res.DryRun)
	require.Len(t, res.Sources, 2)
	for _, s := range res.Sources {
		require.Equal(t, activities.SourceOK, s.Status, "%s: %s", s.Name, s.Error)
	}
	require.Positive(t, res.Plan.Total)
	require.NotEmpty(t, res.PlanRef)
	require.Zero(t, res.Applied.Created+res.Applied.Updated+res.Applied.Deleted)
	require.Zero(t, e.writes(), "a dry run writes nothing: %v", e.stats().Requests)

	var p workflows.Progress
	require.NoError(t, json.Unmarshal(cliQueryProgress(t, id), &p))
	require.Equal(t, "done", p.Phase, "a finished run still answers the query")
	require.Equal(t, res.PlanRef, p.PlanRef)
	return res
}

// cliSchedule creates the schedule as docs/runbook.md writes it with the temporal CLI, pauses
// it, unpauses it and triggers it, checks each state in `schedule describe -o json`, and
// returns the result of the run the trigger started.
func cliSchedule(t *testing.T, e *env) workflows.SyncResult {
	t.Helper()
	sid := "e2e-cli-schedule-" + e.queue
	cli(t, "schedule", "create", "--schedule-id", sid, "--workflow-id", sid, "--type", "SyncWorkflow",
		"--task-queue", e.queue, "--cron", "0 0 1 1 *", "--overlap-policy", "Skip", "--run-timeout", "6h", "--input", "{}")
	t.Cleanup(func() { cli(t, "schedule", "delete", "--schedule-id", sid) })

	d := cliDescribeSchedule(t, sid)
	start := d.GetSchedule().GetAction().GetStartWorkflow()
	require.Equal(t, "SyncWorkflow", start.GetWorkflowType().GetName())
	require.Equal(t, e.queue, start.GetTaskQueue().GetName())
	require.Equal(t, 6*time.Hour, start.GetWorkflowRunTimeout().AsDuration())
	require.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, d.GetSchedule().GetPolicies().GetOverlapPolicy())
	var req workflows.SyncRequest
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(start.GetInput(), &req))
	require.Equal(t, workflows.SyncRequest{}, req, "the schedule's input is the documented full sync")
	require.False(t, d.GetSchedule().GetState().GetPaused())

	cli(t, "schedule", "toggle", "--schedule-id", sid, "--pause", "--reason", "NetBox maintenance")
	d = cliDescribeSchedule(t, sid)
	require.True(t, d.GetSchedule().GetState().GetPaused())
	require.Equal(t, "NetBox maintenance", d.GetSchedule().GetState().GetNotes())
	cli(t, "schedule", "toggle", "--schedule-id", sid, "--unpause", "--reason", "maintenance over")
	d = cliDescribeSchedule(t, sid)
	require.False(t, d.GetSchedule().GetState().GetPaused())
	require.Zero(t, d.GetInfo().GetActionCount(), "the cron has not fired")

	cli(t, "schedule", "trigger", "--schedule-id", sid)
	var started *commonpb.WorkflowExecution
	require.Eventually(t, func() bool {
		recent := cliDescribeSchedule(t, sid).GetInfo().GetRecentActions()
		if len(recent) == 0 {
			return false
		}
		started = recent[0].GetStartWorkflowResult()
		return true
	}, time.Minute, 200*time.Millisecond, "the trigger starts a run")
	require.True(t, strings.HasPrefix(started.GetWorkflowId(), sid+"-"), "a scheduled run's ID is the schedule's workflow ID and its time: %s", started.GetWorkflowId())

	res := cliResult(t, started.GetWorkflowId())
	require.False(t, res.DryRun)
	require.Empty(t, res.FailedBatches)
	require.Positive(t, res.Applied.Created)

	// The run is found the way the runbook lists a schedule's runs.
	var list []*workflowpb.WorkflowExecutionInfo
	cliJSONLines(t, &list, "workflow", "list", "--query", fmt.Sprintf(`TemporalScheduledById = %q`, sid), "--output", "json")
	require.Len(t, list, 1)
	require.Equal(t, started.GetWorkflowId(), list[0].GetExecution().GetWorkflowId())
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, list[0].GetStatus())
	return res
}

// cliRetryingRun starts a run of the Proxmox source while its API answers 503 for one guest's
// config, reads the retrying discovery from `workflow describe -o json` and the progress
// query, cancels the run and reads how it ended.
func cliRetryingRun(t *testing.T, e *env, fake *proxmoxtest.Fake) {
	t.Helper()
	e.resetStats()
	fake.SetFault("/nodes/node2/qemu/104/config", proxmoxtest.Fault{Status: http.StatusServiceUnavailable, Reason: "Service Unavailable"})
	id := "e2e-cli-retrying-" + e.queue
	cli(t, "workflow", "start", "--type", "SyncWorkflow", "--task-queue", e.queue, "--workflow-id", id,
		"--run-timeout", "1h", "--input", `{"sources": ["alpha"]}`)

	var pending *cliPendingActivity
	require.Eventually(t, func() bool {
		pending = nil
		for _, p := range cliDescribe(t, id).PendingActivities {
			if p.ActivityID == "discover/alpha" && p.Attempt >= 3 && p.LastFailure != nil {
				pending = &p
			}
		}
		return pending != nil
	}, 2*time.Minute, 300*time.Millisecond, "discover/alpha retries")
	failure := pending.LastFailure
	require.Equal(t, "SourceUnreachable", failure.ApplicationFailureInfo.Type, "%+v", failure)
	require.False(t, failure.ApplicationFailureInfo.NonRetryable)
	require.Equal(t, "discover alpha", failure.Message)
	require.NotNil(t, failure.Cause, "%+v", failure)
	require.Equal(t, "qemu 104 (build01) on node2: read config: 503 Service Unavailable: source unreachable", failure.Cause.Message)
	require.Len(t, pending.HeartbeatDetails, 1)
	var beat struct {
		Run         string `json:"run"`
		NodesTotal  int    `json:"nodes_total"`
		GuestsDone  int    `json:"guests_done"`
		GuestsTotal int    `json:"guests_total"`
	}
	require.NoError(t, json.Unmarshal(pending.HeartbeatDetails[0], &beat))
	require.NotEmpty(t, beat.Run, "the heartbeat names the discovery a retry resumes")
	require.Equal(t, 2, beat.NodesTotal)
	require.Equal(t, 5, beat.GuestsTotal, "the lab's guests but its template")
	require.Less(t, beat.GuestsDone, beat.GuestsTotal, "qemu 104 is never read")

	var p workflows.Progress
	require.NoError(t, json.Unmarshal(cliQueryProgress(t, id), &p))
	require.Equal(t, "discovering", p.Phase)

	out := cli(t, "workflow", "cancel", "--workflow-id", id)
	require.Contains(t, string(out), "Canceled workflow")
	status := ""
	require.Eventually(t, func() bool {
		status = cliDescribe(t, id).WorkflowExecutionInfo.Status
		return status != "WORKFLOW_EXECUTION_STATUS_RUNNING"
	}, 30*time.Second, 200*time.Millisecond, "the run ends")
	require.Equal(t, "WORKFLOW_EXECUTION_STATUS_CANCELED", status)
	out, err := cliStdout(t, "workflow", "result", "--workflow-id", id, "--output", "json")
	require.Error(t, err, "result of a cancelled run exits non-zero: %s", out)
	var envelope struct {
		Status     string `json:"status"`
		CloseEvent struct {
			Canceled struct {
				Details []workflows.SyncResult `json:"details"`
			} `json:"workflowExecutionCanceledEventAttributes"`
		} `json:"closeEvent"`
	}
	require.NoError(t, json.Unmarshal(out, &envelope), "%s", out)
	require.Equal(t, "CANCELED", envelope.Status)
	require.Len(t, envelope.CloseEvent.Canceled.Details, 1, "the cancellation carries what the run did: %s", out)
	done := envelope.CloseEvent.Canceled.Details[0]
	require.Len(t, done.Sources, 1)
	require.Equal(t, "alpha", done.Sources[0].Name)
	require.Equal(t, activities.SourceFailed, done.Sources[0].Status)
	require.Zero(t, done.Applied.Batches)
	require.Zero(t, e.writes(), "a run cancelled in its discovery writes nothing: %v", e.stats().Requests)
}

// cliStdout runs the temporal CLI against the dev server and returns what it printed on
// stdout and how it exited, for a command that exits non-zero on purpose.
func cliStdout(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	path, err := temporalCLI()
	require.NoError(t, err)
	return exec.Command(path, append(args, "--address", devServer.FrontendHostPort())...).Output()
}

// cliResult waits for the run id to end through `temporal workflow result -o json` and returns
// its result; the run must have completed.
func cliResult(t *testing.T, id string) workflows.SyncResult {
	t.Helper()
	out := cli(t, "workflow", "result", "--workflow-id", id, "--output", "json")
	var envelope struct {
		Status string               `json:"status"`
		Result workflows.SyncResult `json:"result"`
	}
	require.NoError(t, json.Unmarshal(out, &envelope), "%s", out)
	require.Equal(t, "COMPLETED", envelope.Status, "%s", out)
	return envelope.Result
}

// cliQueryProgress asks run id the progress query as the runbook does and returns its answer.
func cliQueryProgress(t *testing.T, id string) []byte {
	t.Helper()
	out := cli(t, "workflow", "query", "--workflow-id", id, "--name", workflows.ProgressQuery, "--output", "json")
	var envelope struct {
		QueryResult []json.RawMessage `json:"queryResult"`
	}
	require.NoError(t, json.Unmarshal(out, &envelope), "%s", out)
	require.Len(t, envelope.QueryResult, 1, "%s", out)
	return envelope.QueryResult[0]
}

// cliDescribedRun is what `temporal workflow describe -o json` prints of a run, as far as
// the runbook reads it. The CLI prints heartbeat details as the JSON they hold.
type cliDescribedRun struct {
	WorkflowExecutionInfo struct {
		Status string `json:"status"`
	} `json:"workflowExecutionInfo"`
	PendingActivities []cliPendingActivity `json:"pendingActivities"`
}

// cliPendingActivity is one of a described run's pending activities.
type cliPendingActivity struct {
	ActivityID       string            `json:"activityId"`
	State            string            `json:"state"`
	Attempt          int               `json:"attempt"`
	HeartbeatDetails []json.RawMessage `json:"heartbeatDetails"`
	LastFailure      *cliFailure       `json:"lastFailure"`
}

// cliFailure is a failure as the CLI prints it: the step's message, the error type, and the
// cause that names what went wrong.
type cliFailure struct {
	Message                string `json:"message"`
	ApplicationFailureInfo struct {
		Type         string `json:"type"`
		NonRetryable bool   `json:"nonRetryable"`
	} `json:"applicationFailureInfo"`
	Cause *cliFailure `json:"cause"`
}

// cliDescribe is `temporal workflow describe -o json` of run id.
func cliDescribe(t *testing.T, id string) cliDescribedRun {
	t.Helper()
	out := cli(t, "workflow", "describe", "--workflow-id", id, "--output", "json")
	var d cliDescribedRun
	require.NoError(t, json.Unmarshal(out, &d), "%s", out)
	return d
}

// cliDescribeSchedule is `temporal schedule describe -o json` of schedule sid.
func cliDescribeSchedule(t *testing.T, sid string) *workflowservice.DescribeScheduleResponse {
	t.Helper()
	var d workflowservice.DescribeScheduleResponse
	cliProto(t, &d, "schedule", "describe", "--schedule-id", sid, "--output", "json")
	return &d
}

// cliProto runs the CLI and decodes the one JSON message it printed into m.
func cliProto(t *testing.T, m proto.Message, args ...string) {
	t.Helper()
	out := cli(t, args...)
	require.NoError(t, protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(out, m), "%s", out)
}

// cliJSONLines runs the CLI and decodes the JSON list of messages it printed into list.
func cliJSONLines(t *testing.T, list *[]*workflowpb.WorkflowExecutionInfo, args ...string) {
	t.Helper()
	out := cli(t, args...)
	var raw []json.RawMessage
	require.NoError(t, json.Unmarshal(out, &raw), "%s", out)
	for _, r := range raw {
		var info workflowpb.WorkflowExecutionInfo
		require.NoError(t, protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(r, &info), "%s", r)
		*list = append(*list, &info)
	}
}
