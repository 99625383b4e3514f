package netbox

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

const vm11 = "fs/lab/vm/vm1-1"

// handHost is a device made by hand that is the lab's pve1 by one key.
type handHost struct {
	dev map[string]any
	// how and match are how the planner finds it ("serial") and what its
	// reports say matched ("serial SN0001").
	how, match string
	// parts are the interfaces and MAC addresses made by hand with it.
	parts int
}

// handLab is an emulator that holds the lab's shared records, synced by
// the agent, and nothing else yet.
func handLab(t *testing.T, cfg Config, recs []inventory.Record) (*nbsim.Server, *Client) {
	t.Helper()
	sim, c := newSim(t, cfg)
	var shared []inventory.Record
	for _, r := range recs {
		if r.Kind.Shared() {
			shared = append(shared, r)
		}
	}
	_, res := syncOnce(t, c, PlanRequest{Records: shared, Sources: ok("lab"), Now: day0})
	require.Empty(t, totals(res).Problems)
	return sim, c
}

// handDevice makes a device by hand in the lab's site, type and role.
func handDevice(t *testing.T, sim *nbsim.Server, c *Client, body map[string]any) map[string]any {
	t.Helper()
	body["site"] = idOf(find(sim, inventory.KindSite, "name", "Home Lab"))
	body["device_type"] = idOf(find(sim, inventory.KindDeviceType, "model", "PowerEdge R640"))
	body["role"] = idOf(find(sim, inventory.KindDeviceRole, "name", "Hypervisor"))
	return handMake(t, c, inventory.KindDevice, body)
}

func recordString(recs []inventory.Record, key, attr string) string {
	for _, r := range recs {
		if r.Key == key {
			return r.String(attr)
		}
	}
	panic("no record " + key)
}

// handHosts are the ways a device made by hand is the same thing as pve1.
var handHosts = []struct {
	name string
	make func(t *testing.T, sim *nbsim.Server, c *Client, recs []inventory.Record) handHost
}{
	{"serial", func(t *testing.T, sim *nbsim.Server, c *Client, _ []inventory.Record) handHost {
		dev := handDevice(t, sim, c, map[string]any{"name": "rack1-u7", "serial": "SN0001"})
		return handHost{dev: dev, how: "serial", match: "serial SN0001"}
	}},
	{"MAC", func(t *testing.T, sim *nbsim.Server, c *Client, recs []inventory.Record) handHost {
		dev := handDevice(t, sim, c, map[string]any{"name": "rack1-u7"})
		ifc := handMake(t, c, inventory.KindInterface, map[string]any{"device": idOf(dev), "name": "uplink", "type": "1000base-t"})
		mac := recordString(recs, pve1+"/iface/eno1/mac", "mac_address")
		handMake(t, c, inventory.KindMACAddress, map[string]any{"mac_address": strings.ToUpper(mac),
			"assigned_object_type": "dcim.interface", "assigned_object_id": idOf(ifc)})
		return handHost{dev: dev, how: "MAC", match: "MAC " + mac, parts: 1}
	}},
	{"name in site", func(t *testing.T, sim *nbsim.Server, c *Client, _ []inventory.Record) handHost {
		dev := handDevice(t, sim, c, map[string]any{"name": "pve1", "comments": "racked by Ann"})
		site := idOf(find(sim, inventory.KindSite, "name", "Home Lab"))
		return handHost{dev: dev, how: "natural key name+site", match: fmt.Sprintf("natural key name+site (pve1, #%d)", site)}
	}},
}

// TestAdoptPolicies: a device made by hand that is pve1 by serial, by a
// MAC of its interfaces or by its name in its site is never duplicated;
// never leaves it alone and builds on it, report holds it and what
// depends on it and lists it, auto takes it over.
func TestAdoptPolicies(t *testing.T) {
	recs := labInventory("lab", 1, 1)
	for _, hh := range handHosts {
		for _, policy := range []AdoptPolicy{AdoptNever, AdoptReport, AdoptAuto} {
			t.Run(hh.name+"/"+string(policy), func(t *testing.T) {
				cfg := testConfig()
				cfg.Adopt = policy
				sim, c := handLab(t, cfg, recs)
				host := hh.make(t, sim, c, recs)
				p := planRetry(t, c, PlanRequest{Records: clone(recs), Sources: ok("lab"), Now: day0})
				assert.Empty(t, p.Ambiguous)
				assert.Equal(t, len(p.Adoptable), p.Summary.Adoptable)
				assert.Zero(t, p.Summary.Kinds[inventory.KindDevice].Create, "never a second pve1")
				res := applyAll(t, c, p)
				assert.Empty(t, totals(res).Problems)
				assert.Equal(t, 1, count(sim, inventory.KindDevice), "never a second pve1")
				got, _ := newObject(find(sim, inventory.KindDevice, "id", idOf(host.dev)))
				switch policy {
				case AdoptNever:
					checkNever(t, sim, p, host, got)
				case AdoptReport:
					checkReport(t, sim, p, host, got)
				case AdoptAuto:
					checkAuto(t, sim, c, p, host, got, recs)
				}
			})
		}
	}
}

// checkNever: the device is left as it was made; what refers to it is
// created on it.
func checkNever(t *testing.T, sim *nbsim.Server, p *Plan, host handHost, got *object) {
	t.Helper()
	assert.Contains(t, p.Findings, Finding{Kind: inventory.KindDevice, Key: pve1, ID: got.ID,
		Reason: "made by hand, matched by " + host.match + ": left alone (adopt: never)"})
	assert.Empty(t, p.Adoptable)
	assert.Nil(t, opOf(p, pve1), "nothing written to it")
	assert.False(t, got.Agent)
	assert.Equal(t, host.dev["name"], got.Raw["name"])
	assert.Equal(t, 2, count(sim, inventory.KindInterface), "its interfaces are made on it, or matched")
	for _, raw := range sim.Dump()[specFor(inventory.KindInterface).Endpoint] {
		id, _ := refID(raw["device"])
		assert.Equal(t, got.ID, id)
	}
	assert.Equal(t, 2, count(sim, inventory.KindIPAddress))
	// The device made by hand is in no cluster, and the agent may not put
	// it in one: the VM is made without its host, as NetBox takes none
	// outside the VM's cluster.
	vm := find(sim, inventory.KindVirtualMachine, "name", "vm1-1")
	require.NotNil(t, vm)
	assert.Nil(t, vm["device"])
	assert.Contains(t, p.Findings, Finding{Kind: inventory.KindVirtualMachine, Key: vm11,
		Reason: fmt.Sprintf("field not written: device %s (#%d) is not the agent's to write and not in the VM's cluster, where NetBox takes a VM's host only", pve1, got.ID)})
}

// checkReport: nothing is written to the device, nothing that depends on
// it is made, and the plan lists it with its ID and what matched.
func checkReport(t *testing.T, sim *nbsim.Server, p *Plan, host handHost, got *object) {
	t.Helper()
	assert.Contains(t, p.Adoptable, Finding{Kind: inventory.KindDevice, Key: pve1, ID: got.ID,
		Name: host.dev["name"].(string), Match: host.match,
		Reason: fmt.Sprintf("made by hand: device #%d %q is the same thing by %s; nothing written (adopt: report)", got.ID, host.dev["name"], host.match)})
	assert.Equal(t, 1+2*host.parts, len(p.Adoptable), "the device, and the interface and MAC made by hand with it")
	for _, b := range p.Batches {
		for _, op := range b.Ops {
			assert.False(t, strings.HasPrefix(op.Key, pve1) || strings.HasPrefix(op.Key, vm11), "%s %s %s waits for the operator", b.Op, b.Kind, op.Key)
		}
	}
	waits := fmt.Sprintf("not written: waits for the adoption of device %s (#%d) (adopt: report)", pve1, got.ID)
	for _, key := range []string{pve1 + "/iface/eno2", vm11} {
		assert.Contains(t, p.Findings, Finding{Kind: kindOfKey(key), Key: key, Reason: waits})
	}
	held := 0
	for _, f := range p.Findings {
		if strings.HasPrefix(f.Reason, "not written: waits for the adoption of ") {
			held++
		}
	}
	// eno1 and its MAC (unless made by hand, then adoptable themselves),
	// eno2 and its MAC, eno1's IP; the VM, its interface, MAC, IP, disk
	// and service.
	assert.Equal(t, 11-2*host.parts, held)
	assert.False(t, got.Agent)
	assert.Equal(t, host.dev["name"], got.Raw["name"])
	assert.Equal(t, host.parts, count(sim, inventory.KindInterface))
	assert.Equal(t, host.parts, count(sim, inventory.KindMACAddress))
	assert.Zero(t, count(sim, inventory.KindIPAddress))
	assert.Zero(t, count(sim, inventory.KindVirtualMachine))
	assert.Equal(t, 1, count(sim, inventory.KindCluster), "what does not depend on it is synced")
}

// checkAuto: the device is taken over and updated; what refers to it is
// created on it; a second plan has nothing to do.
func checkAuto(t *testing.T, sim *nbsim.Server, c *Client, p *Plan, host handHost, got *object, recs []inventory.Record) {
	t.Helper()
	assert.Empty(t, p.Adoptable)
	op := opOf(p, pve1)
	require.NotNil(t, op)
	assert.Equal(t, got.ID, op.ID)
	assert.True(t, strings.HasPrefix(op.Reason, "adopt (matched by "+host.how+")"), op.Reason)
	assert.True(t, got.Agent)
	assert.Equal(t, pve1, got.AgentID)
	assert.Equal(t, "pve1", got.Raw["name"])
	assert.Equal(t, "SN0001", got.Raw["serial"])
	assert.Equal(t, 2, count(sim, inventory.KindInterface))
	assert.Equal(t, 2, count(sim, inventory.KindIPAddress))
	assert.Equal(t, 1, count(sim, inventory.KindVirtualMachine))
	again := planRetry(t, c, PlanRequest{Records: clone(recs), Sources: ok("lab"), Now: day0})
	assert.Zero(t, again.Operations(), "adopted once: %v", again.Batches)
}

// TestAdoptAmbiguousNothingCreated: two devices made by hand with pve1's
// serial are not guessed at under any policy: the record is reported as
// ambiguous, and neither it nor its parts are created.
func TestAdoptAmbiguousNothingCreated(t *testing.T) {
	recs := labInventory("lab", 1, 0)
	for _, policy := range []AdoptPolicy{AdoptNever, AdoptReport, AdoptAuto} {
		t.Run(string(policy), func(t *testing.T) {
			cfg := testConfig()
			cfg.Adopt = policy
			sim, c := handLab(t, cfg, recs)
			a := handDevice(t, sim, c, map[string]any{"name": "twin-a", "serial": "SN0001"})
			b := handDevice(t, sim, c, map[string]any{"name": "twin-b", "serial": "SN0001"})
			p, res := syncOnce(t, c, PlanRequest{Records: clone(recs), Sources: ok("lab"), Now: day0})
			assert.Empty(t, totals(res).Problems)
			assert.Equal(t, []Finding{{Kind: inventory.KindDevice, Key: pve1, Reason: "2 objects match by serial",
				Candidates: []int64{idOf(a), idOf(b)}}}, p.Ambiguous)
			assert.Empty(t, p.Adoptable)
			for _, b := range p.Batches {
				for _, op := range b.Ops {
					assert.False(t, strings.HasPrefix(op.Key, pve1), "%s %s %s", b.Op, b.Kind, op.Key)
				}
			}
			assert.Equal(t, 2, count(sim, inventory.KindDevice), "nothing created for pve1")
			assert.Zero(t, count(sim, inventory.KindInterface))
			assert.Zero(t, count(sim, inventory.KindIPAddress))
			for _, twin := range []map[string]any{a, b} {
				o, _ := newObject(find(sim, inventory.KindDevice, "id", idOf(twin)))
				assert.False(t, o.Agent, "%s untouched", twin["name"])
			}
		})
	}
}

// TestAdoptKindsOverride: adopt_kinds decides for the kinds it names,
// netbox.adopt for the others.
func TestAdoptKindsOverride(t *testing.T) {
	recs := labInventory("lab", 1, 0)
	for _, tc := range []struct {
		name    string
		adopt   AdoptPolicy
		kinds   map[inventory.Kind]AdoptPolicy
		adopted bool
	}{
		{"report, devices auto", AdoptReport, map[inventory.Kind]AdoptPolicy{inventory.KindDevice: AdoptAuto}, true},
		{"auto, devices report", AdoptAuto, map[inventory.Kind]AdoptPolicy{inventory.KindDevice: AdoptReport}, false},
		{"auto, addresses report", AdoptAuto, map[inventory.Kind]AdoptPolicy{inventory.KindIPAddress: AdoptReport}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Adopt, cfg.AdoptKinds = tc.adopt, tc.kinds
			sim, c := handLab(t, cfg, recs)
			dev := handDevice(t, sim, c, map[string]any{"name": "rack1-u7", "serial": "SN0001"})
			p, res := syncOnce(t, c, PlanRequest{Records: clone(recs), Sources: ok("lab"), Now: day0})
			assert.Empty(t, totals(res).Problems)
			got, _ := newObject(find(sim, inventory.KindDevice, "id", idOf(dev)))
			assert.Equal(t, tc.adopted, got.Agent)
			if tc.adopted {
				assert.Empty(t, p.Adoptable)
				assert.Equal(t, 2, count(sim, inventory.KindInterface))
				return
			}
			require.Len(t, p.Adoptable, 1)
			assert.Equal(t, pve1, p.Adoptable[0].Key)
			assert.Zero(t, count(sim, inventory.KindInterface))
		})
	}
}

// opOf returns the main-phase operation of the plan on key, or nil.
func opOf(p *Plan, key string) *Operation {
	for _, b := range p.Batches {
		if b.Phase != PhaseMain {
			continue
		}
		for i := range b.Ops {
			if b.Ops[i].Key == key {
				return &b.Ops[i]
			}
		}
	}
	return nil
}

// kindOfKey is the kind of the lab's record key.
func kindOfKey(key string) inventory.Kind {
	switch {
	case strings.HasSuffix(key, "/mac"):
		return inventory.KindMACAddress
	case strings.HasSuffix(key, "/ip"):
		return inventory.KindIPAddress
	case strings.Contains(key, "/iface/") && strings.HasPrefix(key, "fs/lab/vm/"):
		return inventory.KindVMInterface
	case strings.Contains(key, "/iface/"):
		return inventory.KindInterface
	case strings.HasPrefix(key, "fs/lab/vm/"):
		return inventory.KindVirtualMachine
	}
	return inventory.KindDevice
}

// TestAdoptOneObjectByTag: under report, an operator decides about one
// object by its tags: netbox-agent adopts it on the next run, agent-ignore
// leaves it alone and lets what refers to it be made on it.
func TestAdoptOneObjectByTag(t *testing.T) {
	recs := labInventory("lab", 1, 0)
	for _, tc := range []struct {
		tag     string
		adopted bool
	}{{TagAgent, true}, {TagIgnore, false}} {
		t.Run(tc.tag, func(t *testing.T) {
			sim, c := handLab(t, testConfig(), recs)
			dev := handDevice(t, sim, c, map[string]any{"name": "rack1-u7", "serial": "SN0001"})
			p, _ := syncOnce(t, c, PlanRequest{Records: clone(recs), Sources: ok("lab"), Now: day0})
			require.Len(t, p.Adoptable, 1, "held first")
			patch(t, c, inventory.KindDevice, idOf(dev), map[string]any{"tags": []map[string]any{{"name": tc.tag, "slug": tc.tag}}})

			p, res := syncOnce(t, c, PlanRequest{Records: clone(recs), Sources: ok("lab"), Now: day0})
			assert.Empty(t, totals(res).Problems)
			assert.Empty(t, p.Adoptable)
			got, _ := newObject(find(sim, inventory.KindDevice, "id", idOf(dev)))
			assert.Equal(t, 1, count(sim, inventory.KindDevice))
			assert.Equal(t, 2, count(sim, inventory.KindInterface), "its interfaces are made on it")
			if tc.adopted {
				assert.Equal(t, pve1, got.AgentID)
				assert.Equal(t, "pve1", got.Raw["name"])
				return
			}
			assert.Empty(t, got.AgentID)
			assert.Equal(t, "rack1-u7", got.Raw["name"])
			assert.Contains(t, p.Findings, Finding{Kind: inventory.KindDevice, Key: pve1, ID: got.ID, Reason: "tagged " + TagIgnore + ": left alone"})
		})
	}
}
