package main

import (
	"bytes"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	failurepb "go.temporal.io/api/failure/v1"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

func TestPrintResultNamesTheNetBox(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version string
		want    string
	}{
		{"a run that read the release", "4.7.3", "NetBox 4.7.3"},
		{"a run from before the release was read", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, printResult(&b, "netbox-agent-sync-1", workflows.SyncResult{NetBoxVersion: tc.version}))
			if tc.want == "" {
				assert.NotContains(t, b.String(), "NetBox ")
				return
			}
			assert.Contains(t, b.String(), tc.want)
		})
	}
}

func TestPrintResultSaysWhatPrepareMade(t *testing.T) {
	var b bytes.Buffer
	res := workflows.SyncResult{Prepared: &netbox.Prepared{SchemaCount: netbox.SchemaCount{Tags: 4, CustomFields: 4}, TagsCreated: 1, CustomFieldsUpdated: 2}}
	require.NoError(t, printResult(&b, "netbox-agent-sync-1", res))
	assert.Contains(t, b.String(), "prepared: 4 tags (1 created), 4 custom fields (0 created, 2 widened)")

	b.Reset()
	require.NoError(t, printResult(&b, "netbox-agent-sync-1", workflows.SyncResult{DryRun: true}))
	assert.NotContains(t, b.String(), "prepared:", "a dry run prepares nothing")
}

func TestPrintResultListsProblemsAndWhereTheRestAre(t *testing.T) {
	var b bytes.Buffer
	res := workflows.SyncResult{
		Applied:     workflows.ApplyTotals{Tally: netbox.Tally{Problems: 3}},
		Problems:    []netbox.Problem{{Key: "device/pve1", ID: 12, Reason: "changed in NetBox since the plan"}},
		ProblemsRef: "runs/wf/run/plan/problems/",
	}
	require.NoError(t, printResult(&b, "netbox-agent-sync-1", res))
	assert.Contains(t, b.String(), "problem: device/pve1: changed in NetBox since the plan\n")
	assert.Contains(t, b.String(), "2 more problems not listed; every batch's whole list is in the blob store under runs/wf/run/plan/problems/")

	b.Reset()
	res.Applied.Problems, res.ProblemsRef = 1, ""
	require.NoError(t, printResult(&b, "netbox-agent-sync-1", res))
	assert.NotContains(t, b.String(), "more problems", "every problem is listed")
}

func TestAllowDeletesFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
		err  string
	}{
		{"none", nil, nil, ""},
		{"repeated", []string{"--allow-deletes", "pve/ip_address", "--allow-deletes", "nas"}, []string{"pve/ip_address", "nas"}, ""},
		{"comma-separated", []string{"--allow-deletes=pve/ip_address, nas/device"}, []string{"pve/ip_address", "nas/device"}, ""},
		{"everything", []string{"--allow-deletes=*"}, []string{"*"}, ""},
		{"a kind that is not one", []string{"--allow-deletes=pve/ips"}, nil, `--allow-deletes: allow deletes: "pve/ips": "ips" is not a kind the agent orphans`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("sync", pflag.ContinueOnError)
			allow := allowDeletesFlag(fs)
			require.NoError(t, fs.Parse(tc.args))
			got, err := allow()
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestSummaryNamesWhatIsLetThrough(t *testing.T) {
	assert.Equal(t, "sync pve (deletions let through: pve/ip_address)",
		summary(workflows.SyncRequest{Sources: []string{"pve"}, AllowDeletes: []string{"pve/ip_address"}}))
	assert.Equal(t, "sync all enabled sources", summary(workflows.SyncRequest{}))
}

func TestPrintResultSaysWhatTheGuardDid(t *testing.T) {
	var b bytes.Buffer
	res := workflows.SyncResult{Plan: activities.PlanSummary{
		Blocked:    []string{"pve ip_address: would lose 40 of 40 (NetBox holds 40), 100%, more than mass_delete_threshold 10%: orphaning blocked"},
		LetThrough: []string{"nas device: would lose 9 of 10 (NetBox holds 10), 90%, more than mass_delete_threshold 10%: let through for this run"},
	}}
	require.NoError(t, printResult(&b, "netbox-agent-sync-1", res))
	assert.Contains(t, b.String(), res.Plan.Blocked[0])
	assert.Contains(t, b.String(), res.Plan.LetThrough[0])
}

func TestPrintResultCountsManualEdits(t *testing.T) {
	var b bytes.Buffer
	line := `device fs/lab/device/pve1 (#12): description was edited in NetBox ("rack 3, left"); the sources say "web server"; kept (on_manual_edit: keep)`
	res := workflows.SyncResult{Plan: activities.PlanSummary{ManualEdits: 1, FieldLines: []string{line}}}
	require.NoError(t, printResult(&b, "netbox-agent-sync-1", res))
	assert.Contains(t, b.String(), "manual edits: 1 fields changed by hand in NetBox\n"+line+"\n")

	b.Reset()
	require.NoError(t, printResult(&b, "netbox-agent-sync-1", workflows.SyncResult{}))
	assert.NotContains(t, b.String(), "manual edits")
}

func TestPrintResultListsAdoptable(t *testing.T) {
	var b bytes.Buffer
	line := `device fs/lab/device/pve1: NetBox #12 "rack1-u7", matched by serial SN0001`
	res := workflows.SyncResult{Plan: activities.PlanSummary{Adoptable: 1, AdoptableLines: []string{line}}}
	require.NoError(t, printResult(&b, "netbox-agent-sync-1", res))
	assert.Contains(t, b.String(), "adoptable: 1 objects made by hand are records' objects; nothing written to them or built on them (adopt: report)\n"+
		line+"\n"+adoptHint+"\n")

	b.Reset()
	require.NoError(t, printResult(&b, "netbox-agent-sync-1", workflows.SyncResult{}))
	assert.NotContains(t, b.String(), "adoptable")
}

func TestFailureMessageNamesTheCause(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    *failurepb.Failure
		want string
	}{
		{"none", nil, ""},
		{"one message", &failurepb.Failure{Message: "boom"}, "boom"},
		{"typed, with causes", &failurepb.Failure{
			Message:     "discover pve",
			FailureInfo: &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{Type: "SourceUnreachable"}},
			Cause:       &failurepb.Failure{Message: "dial tcp 192.0.2.5:8006: connect: connection refused"},
		}, "SourceUnreachable: discover pve: dial tcp 192.0.2.5:8006: connect: connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, failureMessage(tc.f))
		})
	}
}
