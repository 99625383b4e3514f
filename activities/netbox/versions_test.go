package netbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// testRunID names the run of these tests in NetBox's changelog.
const testRunID = "netbox-agent-sync-1/run-a"

// runOnce plans, prepares and applies as the workflow does: the release
// read once, every write naming the run.
func runOnce(t *testing.T, c *Client, req PlanRequest) (*Plan, []BatchResult, Run) {
	t.Helper()
	ctx := context.Background()
	st, err := c.Status(ctx)
	require.NoError(t, err)
	run := Run{ID: testRunID, NetBoxVersion: st.Version.String()}
	req.NetBoxVersion = run.NetBoxVersion
	p, err := c.Plan(ctx, req)
	require.NoError(t, err)
	_, err = c.Prepare(ctx, run, p.Schema())
	require.NoError(t, err)
	var failed []int
	var out []BatchResult
	for _, b := range p.Batches {
		res, err := c.Apply(ctx, ApplyRequest{Plan: p, Batch: b.ID, Failed: failed, Run: run})
		if err != nil {
			t.Logf("batch %d failed: %v", b.ID, err)
			failed = append(failed, b.ID)
		}
		out = append(out, res)
	}
	return p, out, run
}

// TestEveryReleaseSyncsAndNamesTheRun syncs the lab on each NetBox release
// the emulator reproduces: the first sync writes everything, naming the run
// and batch in NetBox's changelog from 4.4 (and sending no changelog
// message to 4.3), and an unchanged re-sync writes nothing.
func TestEveryReleaseSyncsAndNamesTheRun(t *testing.T) {
	for _, v := range nbsim.Versions() {
		t.Run(v, func(t *testing.T) {
			_, c, log := newSimAt(t, v, testConfig())
			recs := labInventory("lab", 2, 2)
			req := PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
			p, results, run := runOnce(t, c, req)
			assert.True(t, strings.HasPrefix(run.NetBoxVersion, v+"."), run.NetBoxVersion)
			assert.Equal(t, run.NetBoxVersion, p.NetBoxVersion)
			res := totals(results)
			assert.Empty(t, res.Problems)
			assert.Equal(t, p.Summary.Total.Create, res.Created)

			rel, err := ParseVersion(run.NetBoxVersion)
			require.NoError(t, err)
			items := log.items()
			require.NotEmpty(t, items)
			for _, it := range items {
				msg, has := it.Item["changelog_message"]
				if !rel.changelogMessages() {
					assert.False(t, has, "%s %s carries a changelog message to %s", it.Method, it.Path, v)
					continue
				}
				assert.Regexp(t, `^netbox-agent run `+testRunID+` (prepare|batch \d{4})$`, msg, "%s %s", it.Method, it.Path)
			}
			if rel.changelogMessages() {
				b := batchOf(t, p, inventory.KindDevice, OpCreate)
				want := fmt.Sprintf("netbox-agent run %s batch %04d", testRunID, b.ID)
				changes, err := c.listPath(context.Background(), "core/object-changes", url.Values{"changed_object_type": {"dcim.device"}})
				require.NoError(t, err)
				require.NotEmpty(t, changes)
				creates := 0
				for _, ch := range changes {
					if choiceValue(ch["action"]) == "create" {
						creates++
						assert.Equal(t, want, ch["message"], "NetBox ties the change to its run and batch")
					} else {
						assert.Regexp(t, `^netbox-agent run `+testRunID+` batch \d{4}$`, ch["message"])
					}
				}
				assert.Equal(t, 2, creates)
			}

			again, err := c.Plan(context.Background(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0, NetBoxVersion: run.NetBoxVersion})
			require.NoError(t, err)
			assert.Zero(t, again.Operations(), "an unchanged re-sync writes nothing")

			// A disk the source no longer reports is marked, then deleted
			// after the grace period; the bulk DELETE names the run in each item.
			disk := "fs/lab/vm/vm1-1/disk/scsi0"
			fewer := without(recs, disk)
			runOnce(t, c, PlanRequest{Records: fewer, Sources: ok("lab"), Now: day0.Add(24 * time.Hour)})
			p, results, _ = runOnce(t, c, PlanRequest{Records: fewer, Sources: ok("lab"), Now: day0.Add(40 * 24 * time.Hour)})
			assert.Equal(t, 1, totals(results).Deleted)
			deletes := 0
			for _, it := range log.items() {
				if it.Method != http.MethodDelete {
					continue
				}
				deletes++
				assert.NotNil(t, it.Item["id"])
				if rel.changelogMessages() {
					b := batchOf(t, p, inventory.KindVirtualDisk, OpDelete)
					assert.Equal(t, fmt.Sprintf("netbox-agent run %s batch %04d", testRunID, b.ID), it.Item["changelog_message"])
				} else {
					assert.NotContains(t, it.Item, "changelog_message")
				}
			}
			assert.Equal(t, 1, deletes)
		})
	}
}

func batchOf(t *testing.T, p *Plan, k inventory.Kind, op Op) Batch {
	t.Helper()
	for _, b := range p.Batches {
		if b.Kind == k && b.Op == op {
			return b
		}
	}
	t.Fatalf("no %s %s batch", op, k)
	return Batch{}
}

// TestNetBoxHoldingWhatNetBox43DidNot is the regression test of issue 10:
// a NetBox whose interfaces have types NetBox 4.3 (and go-netbox v4.3.0)
// does not know, with two platforms of one name under two manufacturers,
// and with select and multiselect custom fields, which 4.7 renders as
// {"value", "label"}. Every plan succeeds on every release, platforms match
// within their manufacturer, and an unchanged re-sync writes nothing.
func TestNetBoxHoldingWhatNetBox43DidNot(t *testing.T) {
	for _, v := range nbsim.Versions() {
		t.Run(v, func(t *testing.T) {
			cfg := testConfig()
			cfg.Adopt = AdoptAuto // the hand-made platform the device uses is taken over
			cfg.CustomFields = []CustomFieldMapping{
				{Attr: "os_family", Field: "os_family", Kinds: []inventory.Kind{inventory.KindDevice}, Type: "select"},
				{Attr: "app_roles", Field: "app_roles", Kinds: []inventory.Kind{inventory.KindDevice}, Type: "multiselect"},
			}
			sim, c, log := newSimAt(t, v, cfg)
			ctx := context.Background()
			st, err := c.Status(ctx)
			require.NoError(t, err)
			rel := st.Version
			perManufacturer := rel.platformsPerManufacturer()

			// What an operator made by hand: the selection fields and their
			// choices, and (where NetBox allows it) one platform name under
			// two manufacturers.
			makeSelect(t, c, "os_family", "select", [][]string{{"debian", "Debian"}, {"rhel", "RHEL"}})
			makeSelect(t, c, "app_roles", "multiselect", [][]string{{"db", "Database"}, {"web", "Web"}})
			acme := handMake(t, c, inventory.KindManufacturer, map[string]any{"name": "Acme", "slug": "acme"})
			dell := handMake(t, c, inventory.KindManufacturer, map[string]any{"name": "Dell Inc.", "slug": "dell-inc"})
			if perManufacturer {
				handMake(t, c, inventory.KindPlatform, map[string]any{"name": "Linux", "slug": "linux", "manufacturer": idOf(acme)})
			}
			linux := handMake(t, c, inventory.KindPlatform, map[string]any{"name": "Linux", "slug": "linux", "manufacturer": idOf(dell)})

			recs := newer43Inventory()
			req := PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
			p, results, _ := runOnce(t, c, req)
			res := totals(results)
			assert.Empty(t, res.Problems)
			assert.Empty(t, p.Ambiguous, "a platform name under two manufacturers is no tie")

			// The platform of the device is Dell's Linux, adopted, not a new
			// one; beside it Acme's Linux and the lab's Proxmox VE.
			platforms := 3
			if !perManufacturer {
				platforms = 2
			}
			assert.Equal(t, platforms, count(sim, inventory.KindPlatform))
			dev := find(sim, inventory.KindDevice, "name", "pve1")
			require.NotNil(t, dev)
			platform, _ := refID(dev["platform"])
			assert.Equal(t, idOf(linux), platform)

			// Select values go out bare; 4.7 answers them with labels.
			for _, it := range log.items() {
				if it.Method == http.MethodPost && it.Path == "/api/dcim/devices/" {
					cf, _ := it.Item["custom_fields"].(map[string]any)
					assert.Equal(t, "debian", cf["os_family"])
					assert.Equal(t, []any{"db", "web"}, cf["app_roles"])
				}
			}
			rendered := get(t, c, "dcim/devices/"+fmt.Sprint(idOf(dev))+"/")["custom_fields"].(map[string]any)
			if rel.AtLeast(4, 7) {
				assert.Equal(t, map[string]any{"value": "debian", "label": "Debian"}, rendered["os_family"])
			} else {
				assert.Equal(t, "debian", rendered["os_family"])
			}

			// The 10GBASE-CU interface (NetBox 4.5.4) is written where NetBox
			// takes it, and reported where it does not.
			ifc := find(sim, inventory.KindInterface, "name", "eth9")
			require.NotNil(t, ifc)
			takes := rel.AtLeast(4, 5)
			if takes {
				assert.Equal(t, "10gbase-cu", choiceValue(ifc["type"]))
			} else {
				assert.Equal(t, "other", choiceValue(ifc["type"]))
				assert.True(t, hasFinding(p, "fs/lab/device/pve1/iface/eth9", `type: "10gbase-cu" is not a type NetBox `+rel.String()+` takes`), "%v", p.Findings)
			}

			again, err := c.Plan(ctx, req)
			require.NoError(t, err)
			assert.Zero(t, again.Operations(), "an unchanged re-sync writes nothing: %v", again.Batches)

			// The case: an interface corrected by hand to a type
			// go-netbox v4.3.0 refuses. The next plan reads it, and keeps
			// the operator's value (on_manual_edit: keep).
			if takes {
				eno2 := find(sim, inventory.KindInterface, "name", "eno2")
				patch(t, c, inventory.KindInterface, idOf(eno2), map[string]any{"type": "10gbase-cu"})
				p, err := c.Plan(ctx, req)
				require.NoError(t, err)
				assert.Zero(t, p.Operations(), "%v", p.Batches)
				assert.Equal(t, 1, p.Summary.ManualEdits)
				assert.True(t, hasFinding(p, "fs/lab/device/pve1/iface/eno2", `type was edited in NetBox ("10gbase-cu"); the sources say "1000base-t"; kept (on_manual_edit: keep)`), "%v", p.Findings)
			}
		})
	}
}

// newer43Inventory is one lab host whose platform is Dell's Linux, with
// the selection attributes and a 10GBASE-CU interface.
func newer43Inventory() []inventory.Record {
	recs := labInventory("lab", 1, 0)
	dell := inventory.SharedKey(inventory.KindManufacturer, "Dell Inc.")
	linux := inventory.SharedKey(inventory.KindPlatform, "Linux")
	recs = append(recs,
		rec(inventory.KindPlatform, linux, "lab", map[string]any{"name": "Linux"}, map[string]string{"manufacturer": dell}),
		rec(inventory.KindInterface, pve1+"/iface/eth9", "lab", map[string]any{"name": "eth9", "type": "10gbase-cu"}, map[string]string{"device": pve1}),
	)
	for i := range recs {
		if recs[i].Key == pve1 {
			recs[i].Ref("platform", linux)
			recs[i].Set("os_family", "debian")
			recs[i].Set("app_roles", []string{"web", "db"})
		}
	}
	return recs
}

// makeSelect creates a selection custom field on devices with its choice set.
func makeSelect(t *testing.T, c *Client, name, typ string, choices [][]string) {
	t.Helper()
	ctx := context.Background()
	data, err := c.send(ctx, http.MethodPost, "extras/custom-field-choice-sets/", map[string]any{"name": name + " choices", "extra_choices": choices})
	require.NoError(t, err)
	set := decodeObject(t, data)
	_, err = c.send(ctx, http.MethodPost, "extras/custom-fields/", map[string]any{
		"name": name, "type": typ, "object_types": []string{"dcim.device"}, "choice_set": set["id"]})
	require.NoError(t, err)
}

func get(t *testing.T, c *Client, path string) map[string]any {
	t.Helper()
	data, err := c.get(context.Background(), path, nil)
	require.NoError(t, err)
	return decodeObject(t, data)
}

func decodeObject(t *testing.T, data []byte) map[string]any {
	t.Helper()
	pg, err := readPage("test", []byte(`{"count":1,"results":[`+string(data)+`]}`), nil)
	require.NoError(t, err)
	require.Len(t, pg.Results, 1)
	return pg.Results[0]
}

func choiceValue(v any) any {
	c, _ := canon(typeChoice, v)
	return c
}

func hasFinding(p *Plan, key, reason string) bool {
	for _, f := range p.Findings {
		if f.Key == key && strings.Contains(f.Reason, reason) {
			return true
		}
	}
	return false
}

// TestSettingsCheckedAgainstNetBox: an interface type a source's settings
// name is checked against the connected NetBox's choices, and one it does
// not take fails the plan naming the setting and the value.
func TestSettingsCheckedAgainstNetBox(t *testing.T) {
	setting := ChoiceSetting{Setting: `source "nas1" interface_types["eno1"]`, Kind: inventory.KindInterface, Field: "type", Value: "10gbase-cu"}
	for _, tc := range []struct {
		version string
		value   string
		want    string
	}{
		{"4.7", "10gbase-cu", ""},
		{"4.5", "10gbase-cu", ""},
		{"4.3", "10gbase-cu", `setting source "nas1" interface_types["eno1"]: "10gbase-cu" is not a type NetBox 4.3.7 takes (OPTIONS /api/dcim/interfaces/ lists`},
		{"4.7", "warp-drive", `setting source "nas1" interface_types["eno1"]: "warp-drive" is not a type NetBox 4.7.3 takes`},
	} {
		t.Run(tc.version+" "+tc.value, func(t *testing.T) {
			_, c, _ := newSimAt(t, tc.version, DefaultConfig())
			s := setting
			s.Value = tc.value
			recs := labInventory("lab", 1, 0)
			_, err := c.Plan(context.Background(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0, Settings: []ChoiceSetting{s}})
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			var se *SettingError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, s.Setting, se.Setting)
			assert.Equal(t, tc.value, se.Value)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestOldNetBoxIsRefused: the agent writes MAC address objects, which came
// with NetBox 4.2; an older NetBox fails the plan with an error that says so.
func TestOldNetBoxIsRefused(t *testing.T) {
	for _, tc := range []struct {
		status string
		want   string
	}{
		{`{"netbox-version": "4.1.11", "netbox-full-version": "4.1.11-Docker-3.0.2"}`, "netbox 4.1.11 is not supported: the agent needs NetBox 4.2 or later"},
		{`{"netbox-version": "3.7.8"}`, "netbox 3.7.8 is not supported"},
		{`{"netbox-version": "four"}`, `netbox answer of /api/status/ cannot be read: field netbox-version: not a NetBox version: "four"`},
		{`{"django-version": "5.2"}`, `field netbox-version: not a NetBox version: null`},
		{`{"netbox-version": "4.2.0"}`, ""},
	} {
		t.Run(tc.status, func(t *testing.T) {
			srv := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/status/" {
					_, _ = w.Write([]byte(tc.status))
					return
				}
				_, _ = w.Write([]byte(`{"count": 0, "next": null, "results": []}`))
			})
			cfg := DefaultConfig()
			cfg.URL = srv
			c, err := NewClient(cfg, "tok", nil)
			require.NoError(t, err)
			_, err = c.Plan(context.Background(), PlanRequest{Now: day0})
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			var ue *UnsupportedError
			var ae *AnswerError
			assert.True(t, errors.As(err, &ue) || errors.As(err, &ae), "a typed error: %T", err)
		})
	}
}

// httpServer serves h for the test and returns its URL.
func httpServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
