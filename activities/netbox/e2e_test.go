package netbox

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// clone deep-copies records so that a test can change one run's inventory
// without touching another's.
func clone(recs []inventory.Record) []inventory.Record {
	data, err := json.Marshal(recs)
	if err != nil {
		panic(err)
	}
	var out []inventory.Record
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	for i := range out {
		inventory.NormalizeRecord(&out[i])
	}
	return out
}

// without drops the records whose key starts with prefix.
func without(recs []inventory.Record, prefix string) []inventory.Record {
	var out []inventory.Record
	for _, r := range recs {
		if !strings.HasPrefix(r.Key, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// edit changes one attribute of the record with the given key.
func edit(recs []inventory.Record, key, attr string, v any) []inventory.Record {
	out := clone(recs)
	for i := range out {
		if out[i].Key == key {
			out[i].Set(attr, v)
			return out
		}
	}
	panic("no record " + key)
}

// handMake creates an object the way a person would: without the agent's
// tag and custom fields.
func handMake(t *testing.T, c *Client, k inventory.Kind, body map[string]any) map[string]any {
	t.Helper()
	data, err := c.send(context.Background(), http.MethodPost, specFor(k).Endpoint+"/", body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

// patch changes an object by hand.
func patch(t *testing.T, c *Client, k inventory.Kind, id any, body map[string]any) {
	t.Helper()
	body["id"] = id
	_, err := c.send(context.Background(), http.MethodPatch, specFor(k).Endpoint+"/", []map[string]any{body})
	require.NoError(t, err)
}

func idOf(raw map[string]any) int64 {
	o, ok := newObject(raw)
	if !ok {
		return 0
	}
	return o.ID
}

const pve1 = "fs/lab/device/pve1"

func TestSyncCreatesThenRerunWritesNothing(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 2, 2)
	req := PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
	p, res := syncOnce(t, c, req)
	tot := totals(res)
	assert.Empty(t, tot.Problems)
	assert.Equal(t, len(recs), p.Summary.Total.Create)
	assert.Equal(t, len(recs), tot.Created)
	for _, k := range Kinds() {
		n := 0
		for _, r := range recs {
			if r.Kind == k {
				n++
			}
		}
		assert.Equal(t, n, count(sim, k), "%s objects in NetBox", k)
	}
	dev := find(sim, inventory.KindDevice, "name", "pve1")
	require.NotNil(t, dev)
	o, _ := newObject(dev)
	assert.True(t, o.Agent)
	assert.Equal(t, pve1, o.AgentID)
	assert.Equal(t, "lab", o.Source)
	assert.Equal(t, "2025-03-01", o.LastSeen)
	assert.NotNil(t, dev["primary_ip4"], "the only IPv4 becomes primary")
	ifc := find(sim, inventory.KindInterface, "display", "eno1")
	assert.NotNil(t, ifc["primary_mac_address"], "the interface's MAC becomes primary")

	sim.ResetStats()
	again := planRetry(t, c, req)
	assert.Zero(t, again.Operations(), "re-plan of an unchanged world")
	assert.Equal(t, len(recs), again.Summary.Total.Unchanged)
	assert.Zero(t, writes(sim))

	// The next day only agent_last_seen moves.
	nextDay := planRetry(t, c, PlanRequest{Records: recs, Sources: req.Sources, Now: day0.Add(24 * time.Hour)})
	assert.Equal(t, len(recs), nextDay.Summary.Total.Update)
	for _, b := range nextDay.Batches {
		for _, op := range b.Ops {
			assert.Equal(t, map[string]any{CFLastSeen: "2025-03-02"}, op.Fields["custom_fields"], op.Key)
		}
	}
}

func TestApplyBatchTwiceMakesNoDuplicates(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 1, 1)
	require.NoError(t, c.EnsureSchema(context.Background()))
	p, err := c.Plan(context.Background(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	require.NoError(t, err)
	for _, b := range p.Batches {
		first, err := c.ApplyBatch(context.Background(), p, b.ID, nil)
		require.NoError(t, err)
		second, err := c.ApplyBatch(context.Background(), p, b.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, first.Created, second.Created, "batch %d", b.ID)
		assert.Equal(t, first.Updated+first.Unchanged, second.Updated+second.Unchanged, "batch %d", b.ID)
		if b.Op == OpCreate {
			assert.Equal(t, len(b.Ops), second.AlreadyDone, "batch %d: second call finds every create done", b.ID)
		} else {
			assert.Equal(t, len(b.Ops), second.Updated+second.Unchanged, "batch %d", b.ID)
		}
		assert.Empty(t, second.Problems)
	}
	for _, k := range Kinds() {
		n := 0
		for _, r := range recs {
			if r.Kind == k {
				n++
			}
		}
		assert.Equal(t, n, count(sim, k), "%s objects", k)
	}
}

func TestOneFieldChanged(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 2, 1)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})

	changed := edit(recs, pve1, "description", "rack 3")
	p, res := syncOnce(t, c, PlanRequest{Records: changed, Sources: ok("lab"), Now: day0})
	require.Equal(t, 1, p.Operations())
	op := p.Batches[0].Ops[0]
	assert.Equal(t, pve1, op.Key)
	assert.Equal(t, []string{"custom_fields", "description"}, sortedKeys(op.Fields))
	assert.Equal(t, "rack 3", op.Fields["description"])
	cf, _ := op.Fields["custom_fields"].(map[string]any)
	assert.Equal(t, []string{CFAgentWritten}, sortedKeys(cf), "only the hashes, with the field they record")
	written, _ := cf[CFAgentWritten].(string)
	assert.Equal(t, writtenHash("rack 3"), parseWritten(written)["description"])
	assert.Equal(t, "description: none -> rack 3", op.Reason)
	assert.Equal(t, 1, totals(res).Updated)
	assert.Equal(t, "rack 3", find(sim, inventory.KindDevice, "name", "pve1")["description"])
}

func TestRename(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 1, 1)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	id := idOf(find(sim, inventory.KindDevice, "name", "pve1"))

	renamed := edit(recs, pve1, "name", "pve-one")
	p, res := syncOnce(t, c, PlanRequest{Records: renamed, Sources: ok("lab"), Now: day0})
	require.Equal(t, 1, p.Operations())
	assert.Equal(t, "name: pve1 -> pve-one", p.Batches[0].Ops[0].Reason)
	assert.Equal(t, 1, totals(res).Updated)
	assert.Equal(t, 1, count(sim, inventory.KindDevice))
	assert.Equal(t, id, idOf(find(sim, inventory.KindDevice, "name", "pve-one")), "renamed in place")
}

func TestOrphanMarkGraceDelete(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 4, 1)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	gone := without(recs, "fs/lab/vm/vm4-1")
	req := func(now time.Time) PlanRequest {
		return PlanRequest{Records: gone, Sources: ok("lab"), Now: now}
	}

	// Marked: status offline, tag agent-orphan, date.
	p, res := syncOnce(t, c, req(day0.Add(24*time.Hour)))
	assert.Empty(t, totals(res).Problems)
	assert.Equal(t, 6, p.Summary.Total.Orphaned, "the VM and its interface, MAC, IP, disk and service")
	assert.Zero(t, p.Summary.Total.Delete)
	vm := find(sim, inventory.KindVirtualMachine, "name", "vm4-1")
	require.NotNil(t, vm)
	o, _ := newObject(vm)
	assert.True(t, o.Orphan)
	assert.Equal(t, "2025-03-02", o.OrphanedSince)
	st, _ := canon(typeChoice, vm["status"])
	assert.Equal(t, "offline", st)

	// Within the grace period nothing more happens.
	p = planRetry(t, c, req(day0.Add(10*24*time.Hour)))
	for _, b := range p.Batches {
		assert.NotEqual(t, OpDelete, b.Op)
	}

	// After it, the orphans go, children first.
	p, res = syncOnce(t, c, req(day0.Add(32*24*time.Hour)))
	assert.Empty(t, totals(res).Problems)
	assert.Equal(t, 6, p.Summary.Total.Delete)
	assert.Nil(t, find(sim, inventory.KindVirtualMachine, "name", "vm4-1"))
	assert.Equal(t, 3, count(sim, inventory.KindVirtualMachine))
	assert.Equal(t, 1, count(sim, inventory.KindSite), "shared kinds stay")
}

func TestOrphanComesBack(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 4, 1)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	gone := without(recs, "fs/lab/vm/vm4-1")
	syncOnce(t, c, PlanRequest{Records: gone, Sources: ok("lab"), Now: day0.Add(24 * time.Hour)})

	p, _ := syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0.Add(48 * time.Hour)})
	assert.Zero(t, p.Summary.Total.Create, "the old objects are taken back")
	vm := find(sim, inventory.KindVirtualMachine, "name", "vm4-1")
	o, _ := newObject(vm)
	assert.False(t, o.Orphan)
	assert.Empty(t, o.OrphanedSince)
	st, _ := canon(typeChoice, vm["status"])
	assert.Equal(t, "active", st)
}

func TestFailedSourceOrphansNothing(t *testing.T) {
	sim, c := newSim(t, testConfig())
	a := labInventory("a", 2, 1)
	b := []inventory.Record{}
	for _, r := range labInventory("b", 2, 1) {
		if !r.Kind.Shared() {
			b = append(b, r)
		}
	}
	all := append(clone(a), b...)
	syncOnce(t, c, PlanRequest{Records: all, Sources: ok("a", "b"), Now: day0})
	before := state(sim)

	sources := map[string]bool{"a": true, "b": false}
	p, _ := syncOnce(t, c, PlanRequest{Records: a, Sources: sources, Now: day0})
	assert.Zero(t, p.Operations())
	assert.Equal(t, before, state(sim))
	var reasons []string
	for _, f := range p.Findings {
		reasons = append(reasons, f.Reason)
	}
	assert.Contains(t, reasons, "source b failed in this run: 25 objects not checked for orphans")
}

func TestMassDeleteGuard(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 4, 2)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	before := state(sim)

	// Half the hosts vanish: each kind under them loses half its objects,
	// more than 10 %, and is blocked; the two devices are under the floor
	// and marked.
	half := without(without(recs, "fs/lab/device/pve3"), "fs/lab/device/pve4")
	half = without(without(half, "fs/lab/vm/vm3-"), "fs/lab/vm/vm4-")
	p, _ := syncOnce(t, c, PlanRequest{Records: half, Sources: ok("lab"), Now: day0.Add(24 * time.Hour)})
	require.Len(t, p.Blocked, 7)
	assert.Equal(t, "lab ip_address: would lose 6 of 12 (NetBox holds 12), 50%, more than mass_delete_threshold 10%: orphaning blocked", p.Blocked[5])
	assert.Equal(t, 2, p.Summary.Total.Orphaned)
	assert.Equal(t, 2, p.Summary.Kinds[inventory.KindDevice].Orphaned)
	assert.Zero(t, p.Summary.Total.Delete)
	after := state(sim)
	assert.Len(t, after, len(before))
	marked := 0
	for _, line := range after {
		if strings.Contains(line, TagOrphan) {
			marked++
			assert.Contains(t, line, "fs/lab/device/pve")
		}
	}
	assert.Equal(t, 2, marked, "only the two devices are marked")

	// A small drop is let through.
	fewer := without(recs, "fs/lab/vm/vm4-2")
	p = planRetry(t, c, PlanRequest{Records: fewer, Sources: ok("lab"), Now: day0.Add(24 * time.Hour)})
	assert.Empty(t, p.Blocked)
	assert.Equal(t, 6, p.Summary.Total.Orphaned)
}

func TestAgentIgnoreRespected(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 4, 1)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	ignoreTags := []map[string]any{{"name": TagAgent, "slug": TagAgent}, {"name": TagIgnore, "slug": TagIgnore}}
	for _, name := range []string{"pve1", "vm4-1"} {
		k := inventory.KindDevice
		if strings.HasPrefix(name, "vm") {
			k = inventory.KindVirtualMachine
		}
		patch(t, c, k, idOf(find(sim, k, "name", name)), map[string]any{"tags": ignoreTags, "description": "hands off"})
	}

	// pve1 changes in the source and vm4-1 disappears from it: neither is touched.
	next := edit(without(recs, "fs/lab/vm/vm4-1"), pve1, "status", "failed")
	p, _ := syncOnce(t, c, PlanRequest{Records: next, Sources: ok("lab"), Now: day0})
	for _, b := range p.Batches {
		for _, op := range b.Ops {
			assert.NotEqual(t, pve1, op.Key)
			assert.NotEqual(t, "fs/lab/vm/vm4-1", op.Key)
		}
	}
	assert.Contains(t, p.Findings, Finding{Kind: inventory.KindDevice, Key: pve1, ID: idOf(find(sim, inventory.KindDevice, "name", "pve1")),
		Reason: "tagged agent-ignore: left alone"})
	dev := find(sim, inventory.KindDevice, "name", "pve1")
	st, _ := canon(typeChoice, dev["status"])
	assert.Equal(t, "active", st)
	assert.Equal(t, "hands off", dev["description"])
	vm, _ := newObject(find(sim, inventory.KindVirtualMachine, "name", "vm4-1"))
	assert.False(t, vm.Orphan)
	// Its children are still the agent's: they are orphaned.
	assert.Equal(t, 5, p.Summary.Total.Orphaned)
}

func TestHandMadeObjectAdoptedOrLeftAlone(t *testing.T) {
	for _, adopt := range []bool{true, false} {
		t.Run(map[bool]string{true: "adopt", false: "leave"}[adopt], func(t *testing.T) {
			cfg := testConfig()
			cfg.Adopt = map[bool]AdoptPolicy{true: AdoptAuto, false: AdoptNever}[adopt]
			sim, c := newSim(t, cfg)
			require.NoError(t, c.EnsureSchema(context.Background()))
			site := handMake(t, c, inventory.KindSite, map[string]any{"name": "Home Lab", "slug": "homelab", "description": "by hand"})
			mfr := handMake(t, c, inventory.KindManufacturer, map[string]any{"name": "Dell Inc.", "slug": "dell"})
			dt := handMake(t, c, inventory.KindDeviceType, map[string]any{"model": "PowerEdge R640", "slug": "r640", "manufacturer": idOf(mfr)})
			role := handMake(t, c, inventory.KindDeviceRole, map[string]any{"name": "Hypervisor", "slug": "hypervisor", "color": "ff5722"})
			dev := handMake(t, c, inventory.KindDevice, map[string]any{"name": "pve1", "site": idOf(site), "device_type": idOf(dt),
				"role": idOf(role), "comments": "racked by Ann"})

			recs := labInventory("lab", 1, 0)
			p, res := syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
			assert.Empty(t, totals(res).Problems)
			assert.Equal(t, 1, count(sim, inventory.KindSite))
			assert.Equal(t, 1, count(sim, inventory.KindDevice), "never a second pve1")
			got, _ := newObject(find(sim, inventory.KindDevice, "name", "pve1"))
			assert.Equal(t, idOf(dev), got.ID)
			assert.Equal(t, "racked by Ann", got.Raw["comments"], "unmanaged fields stay")
			if adopt {
				assert.True(t, got.Agent)
				assert.Equal(t, pve1, got.AgentID)
				assert.Equal(t, "SN0001", got.Raw["serial"])
				var reason string
				for _, b := range p.Batches {
					for _, op := range b.Ops {
						if op.Key == pve1 && b.Phase == PhaseMain {
							reason = op.Reason
						}
					}
				}
				assert.True(t, strings.HasPrefix(reason, "adopt (matched by natural key name+site)"), reason)
				s, _ := newObject(find(sim, inventory.KindSite, "name", "Home Lab"))
				assert.Equal(t, "homelab", s.Raw["slug"], "a derived slug is not forced on an adopted object")
				assert.True(t, s.Agent)
			} else {
				assert.False(t, got.Agent)
				assert.Empty(t, got.AgentID)
				assert.NotEqual(t, "SN0001", got.Raw["serial"], "a hand-made object left alone gets no field")
				assert.Contains(t, p.Findings, Finding{Kind: inventory.KindDevice, Key: pve1, ID: idOf(dev),
					Reason: "made by hand, matched by natural key name+site (pve1, #" + strconv.FormatInt(idOf(site), 10) + "): left alone (adopt: never)"})
				// Records of the agent's own still reference the hand-made objects.
				assert.Equal(t, 2, count(sim, inventory.KindInterface))
			}
		})
	}
}

func TestSourceTagsAdded(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := edit(labInventory("lab", 1, 0), pve1, "tags", []string{"Backup", "prod"})
	_, res := syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	assert.Empty(t, totals(res).Problems)
	dev, _ := newObject(find(sim, inventory.KindDevice, "name", "pve1"))
	assert.Equal(t, []string{"backup", TagAgent, "prod"}, tagSlugs(dev.Tags))
	assert.Equal(t, 5, sim.Count("extras/tags"), "the agent's three and the source's two")

	// A person adds a tag; the source drops one: both stay, nothing to do.
	_, err := c.send(context.Background(), http.MethodPost, "extras/tags/", map[string]any{"name": "manual", "slug": "manual"})
	require.NoError(t, err)
	patch(t, c, inventory.KindDevice, dev.ID, map[string]any{"tags": []map[string]any{
		{"name": "Backup", "slug": "backup"}, {"name": "prod", "slug": "prod"}, {"name": TagAgent, "slug": TagAgent}, {"name": "manual", "slug": "manual"}}})
	fewer := edit(recs, pve1, "tags", []string{"Backup"})
	p := planRetry(t, c, PlanRequest{Records: fewer, Sources: ok("lab"), Now: day0})
	assert.Zero(t, p.Operations())
}

func TestProtectedOrphanIsReportedNotRetried(t *testing.T) {
	sim, c := newSim(t, testConfig())
	lab := labInventory("lab", 4, 0)
	cluster := "fs/lab/cluster/homelab"
	// Another source's VM lives in lab's cluster.
	guest := rec(inventory.KindVirtualMachine, "fs/b/vm/guest", "b", map[string]any{"name": "guest"}, map[string]string{"cluster": cluster})
	all := append(clone(lab), guest)
	syncOnce(t, c, PlanRequest{Records: all, Sources: ok("lab", "b"), Now: day0})

	// lab stops reporting its cluster; b still has its guest in it.
	gone := append(without(lab, cluster), guest)
	for i := range gone {
		if gone[i].Source == "lab" {
			delete(gone[i].Refs, "cluster")
		}
	}
	syncOnce(t, c, PlanRequest{Records: gone, Sources: ok("lab", "b"), Now: day0.Add(24 * time.Hour)})
	p, res := syncOnce(t, c, PlanRequest{Records: gone, Sources: ok("lab", "b"), Now: day0.Add(40 * 24 * time.Hour)})
	tot := totals(res)
	require.Len(t, tot.Problems, 1, "%v", tot.Problems)
	assert.Equal(t, cluster, tot.Problems[0].Key)
	assert.Equal(t, reasonRefused, tot.Problems[0].Reason)
	// "1 dependent objects were found" up to 4.6, "1 dependent object(s)
	// prevent deletion" from 4.7.
	assert.Contains(t, strings.Join(tot.Problems[0].Messages, " "), "dependent object")
	assert.Equal(t, 1, p.Summary.Total.Delete)
	assert.Equal(t, 1, tot.Failed)
	assert.Equal(t, 1, count(sim, inventory.KindCluster))
	assert.Equal(t, 1, count(sim, inventory.KindVirtualMachine))
}

// A first dry run plans against a NetBox the agent never prepared: the agent
// tag does not exist, and NetBox refuses a filter on a missing tag.
func TestPlanOnUnpreparedNetBox(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 1, 1)
	p, err := c.Plan(context.Background(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	require.NoError(t, err)
	assert.Equal(t, len(recs), p.Summary.Total.Create)
	assert.Zero(t, writes(sim), "planning writes nothing, not even the schema")
	assert.Zero(t, sim.Count("extras/tags"))
}
