package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
