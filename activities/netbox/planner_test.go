package netbox

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got), "%s differs; run go test -update and review the diff", path)
}

// strip makes an agent object look hand-made.
func strip(raw map[string]any) {
	raw["tags"] = []any{}
	raw["custom_fields"] = map[string]any{}
}

// objectNamed returns the fixture object of kind k with the given name.
func objectNamed(m *memFetcher, k inventory.Kind, name string) map[string]any {
	for _, raw := range m.objs[k] {
		if raw["name"] == name {
			return raw
		}
	}
	panic("no " + string(k) + " " + name)
}

func TestPlanGolden(t *testing.T) {
	lab := labInventory("lab", 2, 1)
	nextDay := day0.Add(24 * time.Hour)
	cases := []struct {
		name  string
		cfg   func(*Config)
		fetch func(t *testing.T) *memFetcher
		req   func() PlanRequest
		check func(t *testing.T, p *Plan)
	}{
		{
			name:  "create_all",
			fetch: func(*testing.T) *memFetcher { return &memFetcher{} },
			req:   func() PlanRequest { return PlanRequest{Records: lab, Sources: ok("lab"), Now: day0} },
			check: func(t *testing.T, p *Plan) { assert.Equal(t, len(lab), p.Summary.Total.Create) },
		},
		{
			name:  "unchanged",
			fetch: func(t *testing.T) *memFetcher { return netboxAfter(t, lab) },
			req:   func() PlanRequest { return PlanRequest{Records: lab, Sources: ok("lab"), Now: day0} },
			check: func(t *testing.T, p *Plan) {
				assert.Zero(t, p.Operations())
				assert.Equal(t, len(lab), p.Summary.Total.Unchanged)
			},
		},
		{
			name:  "changes",
			fetch: func(t *testing.T) *memFetcher { return netboxAfter(t, lab) },
			req: func() PlanRequest {
				recs := without(labInventory("lab", 2, 2), "fs/lab/vm/vm2-1")
				recs = edit(recs, pve1, "description", "rack 3")
				recs = edit(recs, "fs/lab/vm/vm1-1", "memory", 4096)
				recs = edit(recs, "fs/lab/device/pve2", "name", "pve-two")
				return PlanRequest{Records: recs, Sources: ok("lab"), Now: nextDay}
			},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, 6, p.Summary.Total.Orphaned)
				assert.Equal(t, 12, p.Summary.Total.Create)
			},
		},
		{
			name: "orphans_deleted_after_grace",
			fetch: func(t *testing.T) *memFetcher {
				gone := without(lab, "fs/lab/vm/vm2-1")
				return netboxAfter(t, lab, PlanRequest{Records: gone, Sources: ok("lab"), Now: nextDay})
			},
			req: func() PlanRequest {
				gone := without(lab, "fs/lab/vm/vm2-1")
				return PlanRequest{Records: gone, Sources: ok("lab"), Now: day0.Add(31 * 24 * time.Hour)}
			},
			check: func(t *testing.T, p *Plan) { assert.Equal(t, 6, p.Summary.Total.Delete) },
		},
		{
			name:  "failed_source",
			fetch: func(t *testing.T) *memFetcher { return netboxAfter(t, lab) },
			req: func() PlanRequest {
				return PlanRequest{Sources: map[string]bool{"lab": false}, Now: nextDay}
			},
			check: func(t *testing.T, p *Plan) { assert.Zero(t, p.Operations()) },
		},
		{
			name:  "mass_delete_guard",
			fetch: func(t *testing.T) *memFetcher { return netboxAfter(t, labInventory("lab", 4, 1)) },
			req: func() PlanRequest {
				recs := labInventory("lab", 2, 1)
				return PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
			},
			check: func(t *testing.T, p *Plan) {
				// the hosts' interfaces, MACs and addresses lose half: blocked;
				// two devices and two VMs are under the floor: marked
				assert.Len(t, p.Blocked, 3)
				assert.Equal(t, 10, p.Summary.Total.Orphaned)
				for _, k := range []inventory.Kind{inventory.KindInterface, inventory.KindMACAddress, inventory.KindIPAddress} {
					assert.Zero(t, p.Summary.Kinds[k].Orphaned, "%s blocked", k)
				}
			},
		},
		{
			name: "ignored_and_not_adopted",
			cfg:  func(c *Config) { c.Adopt = AdoptNever },
			fetch: func(t *testing.T) *memFetcher {
				m := netboxAfter(t, lab)
				dev := objectNamed(m, inventory.KindDevice, "pve1")
				dev["tags"] = append(dev["tags"].([]any), map[string]any{"name": TagIgnore, "slug": TagIgnore})
				strip(objectNamed(m, inventory.KindDevice, "pve2"))
				return m
			},
			req: func() PlanRequest {
				recs := edit(edit(lab, pve1, "description", "x"), "fs/lab/device/pve2", "description", "y")
				return PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
			},
			check: func(t *testing.T, p *Plan) { assert.Zero(t, p.Operations()) },
		},
		{
			name: "adopted",
			cfg:  func(c *Config) { c.Adopt = AdoptAuto },
			fetch: func(t *testing.T) *memFetcher {
				m := netboxAfter(t, lab)
				strip(objectNamed(m, inventory.KindDevice, "pve2"))
				strip(objectNamed(m, inventory.KindSite, "Home Lab"))
				return m
			},
			req:   func() PlanRequest { return PlanRequest{Records: lab, Sources: ok("lab"), Now: day0} },
			check: func(t *testing.T, p *Plan) { assert.Equal(t, 2, p.Operations()) },
		},
		{
			name: "held_for_adoption",
			fetch: func(t *testing.T) *memFetcher {
				m := netboxAfter(t, lab)
				strip(objectNamed(m, inventory.KindDevice, "pve2"))
				strip(objectNamed(m, inventory.KindSite, "Home Lab"))
				return m
			},
			req: func() PlanRequest { return PlanRequest{Records: lab, Sources: ok("lab"), Now: day0} },
			check: func(t *testing.T, p *Plan) {
				assert.Zero(t, p.Operations(), "the VM of the held device keeps it as NetBox has it")
				require.Len(t, p.Adoptable, 1, "a site is used as it is")
				assert.Equal(t, "serial SN0002", p.Adoptable[0].Match)
			},
		},
		{
			name: "ambiguous_and_dangling",
			fetch: func(t *testing.T) *memFetcher {
				m := netboxAfter(t, labInventory("lab", 1, 0))
				dev := objectNamed(m, inventory.KindDevice, "pve1")
				strip(dev)
				twin := map[string]any{}
				for k, v := range dev {
					twin[k] = v
				}
				twin["id"], twin["name"] = 99, "pve1-twin"
				m.objs[inventory.KindDevice] = append(m.objs[inventory.KindDevice], twin)
				return m
			},
			req: func() PlanRequest {
				recs := clone(labInventory("lab", 1, 0))
				recs = append(recs, rec(inventory.KindInterface, "fs/lab/device/gone/iface/eth0", "lab",
					map[string]any{"name": "eth0"}, map[string]string{"device": "fs/lab/device/gone"}))
				return PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
			},
			check: func(t *testing.T, p *Plan) { assert.Len(t, p.Ambiguous, 1) },
		},
		{
			name: "custom_fields",
			cfg: func(c *Config) {
				c.CustomFields = []CustomFieldMapping{{Attr: "pool_health", Field: "pool_health", Kinds: []inventory.Kind{inventory.KindDevice}}}
			},
			fetch: func(t *testing.T) *memFetcher { return &memFetcher{} },
			req: func() PlanRequest {
				recs := edit(labInventory("lab", 1, 0), pve1, "pool_health", "ONLINE")
				return PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
			},
			check: func(t *testing.T, p *Plan) {
				cf := p.Batches[7].Ops[0].Fields["custom_fields"].(map[string]any)
				assert.Equal(t, "ONLINE", cf["pool_health"])
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			cfg, err := cfg.withDefaults()
			require.NoError(t, err)
			f := tc.fetch(t)
			p, err := buildPlan(context.Background(), f, cfg, tc.req(), netboxFacts{})
			require.NoError(t, err)
			tc.check(t, p)

			// The plan survives the blob store: JSON out and back is the same plan.
			data, err := json.MarshalIndent(p, "", "  ")
			require.NoError(t, err)
			var back Plan
			require.NoError(t, json.Unmarshal(data, &back))
			again, err := json.MarshalIndent(&back, "", "  ")
			require.NoError(t, err)
			assert.JSONEq(t, string(data), string(again))
			golden(t, "plan/"+tc.name+".json", append(data, '\n'))

			var table bytes.Buffer
			require.NoError(t, p.WriteTable(&table))
			golden(t, "plan/"+tc.name+".txt", table.Bytes())

			// Planning twice gives the same plan.
			p2, err := buildPlan(context.Background(), tc.fetch(t), cfg, tc.req(), netboxFacts{})
			require.NoError(t, err)
			data2, err := json.MarshalIndent(p2, "", "  ")
			require.NoError(t, err)
			assert.Equal(t, string(data), string(data2))
		})
	}
}
