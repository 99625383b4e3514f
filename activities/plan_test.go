package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

const simToken = "0123456789abcdef0123456789abcdef01234567"

// choiceSource is a source whose settings name an interface type.
type choiceSource struct{ value string }

func (choiceSource) Discover(context.Context, source.Progress) (*source.Snapshot, error) {
	return &source.Snapshot{}, nil
}

func (s choiceSource) ChoiceSettings() []source.ChoiceSetting {
	return source.InterfaceTypeSettings("interface_types", map[string]string{"eno1": s.value})
}

// planActivities builds the activities against the NetBox at url, with an
// inventory of one site saved as inv.json.
func planActivities(t *testing.T, url string, src source.Source) *Activities {
	t.Helper()
	ctx := context.Background()
	store, err := blob.Open(ctx, "mem://", "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	var site inventory.Record
	site.Kind, site.Key, site.Source = inventory.KindSite, inventory.SharedKey(inventory.KindSite, "Home"), "nas1"
	site.Set("name", "Home")
	site.Set("status", "active")
	_, err = store.PutJSON(ctx, "inv.json", []inventory.Record{site})
	require.NoError(t, err)
	cfg := netbox.DefaultConfig()
	cfg.URL = url
	cfg.ReadRetries = 1
	nb, err := netbox.NewClient(cfg, simToken, zap.NewNop())
	require.NoError(t, err)
	return &Activities{Blob: store, NetBox: nb, Log: zap.NewNop(),
		Sources: []SourceInstance{{Name: "nas1", Type: "truenas", Source: src}}}
}

func simAt(t *testing.T, version string) string {
	t.Helper()
	srv := httptest.NewServer(nbsim.New(nbsim.Options{Token: simToken, Version: version}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func planInput() PlanInput {
	return PlanInput{Run: "wf/run-1", InventoryRef: "inv.json", Now: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		Sources: []SourceResult{{Name: "nas1", Type: "truenas", Status: SourceOK, Records: 1}}}
}

func TestPlanReadsTheNetBoxVersionForTheRun(t *testing.T) {
	var env testsuite.WorkflowTestSuite
	for _, v := range []string{"4.3", "4.7"} {
		t.Run(v, func(t *testing.T) {
			a := planActivities(t, simAt(t, v), choiceSource{value: "1000base-t"})
			ae := env.NewTestActivityEnvironment()
			ae.RegisterActivity(a)
			val, err := ae.ExecuteActivity(a.Plan, planInput())
			require.NoError(t, err)
			var res PlanResult
			require.NoError(t, val.Get(&res))
			assert.True(t, strings.HasPrefix(res.NetBoxVersion, v+"."), res.NetBoxVersion)
			require.Equal(t, 1, res.Summary.Batches)

			_, err = ae.ExecuteActivity(a.Prepare, PrepareInput{PlanRef: res.Ref, Run: "wf/run-1", NetBoxVersion: res.NetBoxVersion})
			require.NoError(t, err)
			val, err = ae.ExecuteActivity(a.Apply, ApplyInput{PlanRef: res.Ref, Batch: 0, Run: "wf/run-1", NetBoxVersion: res.NetBoxVersion})
			require.NoError(t, err)
			var applied netbox.BatchResult
			require.NoError(t, val.Get(&applied))
			assert.Equal(t, 1, applied.Created)
		})
	}
}

// TestPlanFailuresNoRetryHeals: answers no retry changes end the plan at
// once, with a type name, saying what is wrong once.
func TestPlanFailuresNoRetryHeals(t *testing.T) {
	fake := func(status, sites string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/api/status/":
				_, _ = w.Write([]byte(status))
			case r.Method == http.MethodOptions:
				w.WriteHeader(http.StatusMethodNotAllowed)
			case r.URL.Path == "/api/dcim/sites/":
				_, _ = w.Write([]byte(sites))
			default:
				_, _ = w.Write([]byte(`{"count": 0, "next": null, "results": []}`))
			}
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	empty := `{"count": 0, "next": null, "results": []}`
	for _, tc := range []struct {
		name     string
		url      func() string
		value    string
		errType  string
		once     string
		contains string
	}{
		{"NetBox older than 4.2", func() string { return fake(`{"netbox-version": "4.1.11"}`, empty) }, "1000base-t",
			ErrTypeNetBoxUnsupported, "4.1.11", "netbox 4.1.11 is not supported: the agent needs NetBox 4.2 or later"},
		{"an answer the agent cannot read", func() string {
			return fake(`{"netbox-version": "4.7.3"}`, `{"count": 1, "next": null, "results": [{"id": 3, "name": "Home", "status": {"value": 1}}]}`)
		}, "1000base-t", ErrTypeNetBoxMalformed, "/api/dcim/sites/", `object #3 Home: field status: no reading for this object: {"value":1}`},
		{"an interface type NetBox does not take", func() string { return simAt(t, "4.3") }, "10gbase-cu",
			ErrTypeSettingInvalid, `interface_types["eno1"]`, `setting source "nas1" interface_types["eno1"]: "10gbase-cu" is not a type NetBox 4.3.7 takes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var env testsuite.WorkflowTestSuite
			a := planActivities(t, tc.url(), choiceSource{value: tc.value})
			ae := env.NewTestActivityEnvironment()
			ae.RegisterActivity(a)
			_, err := ae.ExecuteActivity(a.Plan, planInput())
			require.Error(t, err)
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr), "%T: %v", err, err)
			assert.Equal(t, tc.errType, appErr.Type())
			assert.True(t, appErr.NonRetryable())
			assert.Contains(t, err.Error(), tc.contains)
			assert.Equal(t, 1, strings.Count(err.Error(), tc.once), "said once: %v", err)
		})
	}
}

func TestDescribePlanCarriesManualEdits(t *testing.T) {
	a := planActivities(t, simAt(t, "4.7"), nil)
	var findings []netbox.Finding
	for i := range maxKept + 5 {
		findings = append(findings, netbox.Finding{Kind: inventory.KindDevice, Key: fmt.Sprintf("fs/lab/device/d%d", i), ID: int64(i + 1),
			Field: "description", Reason: "description was edited in NetBox (\"x\"); the sources say \"y\"; kept (on_manual_edit: keep)"})
	}
	findings = append([]netbox.Finding{{Kind: inventory.KindDevice, Key: "fs/lab/device/other", Reason: "tagged agent-ignore: left alone"}}, findings...)
	p := &netbox.Plan{Summary: netbox.Summary{ManualEdits: maxKept + 5}, Findings: findings}
	res := a.describePlan("runs/x/plan.json", p)
	assert.Equal(t, maxKept+5, res.Summary.ManualEdits)
	require.Len(t, res.Summary.FieldLines, maxKept, "bounded")
	assert.Equal(t, `device fs/lab/device/d0 (#1): description was edited in NetBox ("x"); the sources say "y"; kept (on_manual_edit: keep)`, res.Summary.FieldLines[0])
}

func TestDescribePlanCarriesAdoptable(t *testing.T) {
	a := planActivities(t, simAt(t, "4.7"), nil)
	var adoptable []netbox.Finding
	for i := range maxKept + 3 {
		adoptable = append(adoptable, netbox.Finding{Kind: inventory.KindDevice, Key: fmt.Sprintf("fs/lab/device/d%d", i), ID: int64(i + 1),
			Name: fmt.Sprintf("rack1-u%d", i), Match: fmt.Sprintf("serial SN%04d", i)})
	}
	p := &netbox.Plan{Summary: netbox.Summary{Adoptable: len(adoptable)}, Adoptable: adoptable}
	res := a.describePlan("runs/x/plan.json", p)
	assert.Equal(t, maxKept+3, res.Summary.Adoptable)
	require.Len(t, res.Summary.AdoptableLines, maxKept+1, "bounded, with a line for the rest")
	assert.Equal(t, `device fs/lab/device/d0: NetBox #1 "rack1-u0", matched by serial SN0000`, res.Summary.AdoptableLines[0])
	assert.Equal(t, "and 3 more in the plan", res.Summary.AdoptableLines[maxKept])
}
