package netbox

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// linesUnder are the state lines of the objects whose agent key is or
// extends prefix.
func linesUnder(lines []string, prefix string) []string {
	var out []string
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 1 && (f[1] == prefix || strings.HasPrefix(f[1], prefix+"/")) {
			out = append(out, l)
		}
	}
	return out
}

// partsOnly drops the parts of the record with key, keeping the record.
func partsOnly(recs []inventory.Record, key string) []inventory.Record {
	return without(recs, key+"/")
}

func TestGapsKeepWhatWasNotSeen(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 4, 1)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	before := state(sim)

	// pve2 goes offline: it and its guest are still reported, their parts
	// are not, and the source says so; vm3-1 is really gone.
	const node, guest = "fs/lab/device/pve2", "fs/lab/vm/vm2-1"
	seen := without(partsOnly(partsOnly(recs, node), guest), "fs/lab/vm/vm3-1")
	gaps := map[string][]inventory.Gap{"lab": {
		{Under: node, Kinds: inventory.Parts(inventory.KindDevice), Why: "node pve2 offline"},
		{Under: guest, Kinds: inventory.Parts(inventory.KindVirtualMachine), Why: "node pve2 offline"},
	}}
	req := func(now time.Time) PlanRequest {
		return PlanRequest{Records: seen, Sources: ok("lab"), Now: now, Gaps: gaps}
	}
	p, res := syncOnce(t, c, req(day0.Add(24*time.Hour)))
	assert.Empty(t, totals(res).Problems)
	assert.Equal(t, 6, p.Summary.Total.Orphaned, "vm3-1 and its parts only")
	assert.Empty(t, p.Blocked, "what was not seen is no drop for the guard")
	after := state(sim)
	for _, key := range []string{node + "/iface", guest + "/iface", guest + "/disk"} {
		assert.Equal(t, linesUnder(before, key), linesUnder(after, key), "%s untouched", key)
		assert.NotEmpty(t, linesUnder(after, key))
	}
	want := []Kept{
		{Source: "lab", Kind: inventory.KindMACAddress, Count: 3, Why: "node pve2 offline"},
		{Source: "lab", Kind: inventory.KindInterface, Count: 2, Why: "node pve2 offline"},
		{Source: "lab", Kind: inventory.KindIPAddress, Count: 2, Why: "node pve2 offline"},
		{Source: "lab", Kind: inventory.KindVMInterface, Count: 1, Why: "node pve2 offline"},
		{Source: "lab", Kind: inventory.KindVirtualDisk, Count: 1, Why: "node pve2 offline"},
		{Source: "lab", Kind: inventory.KindService, Count: 1, Why: "node pve2 offline"},
	}
	assert.Equal(t, want, p.Kept)
	assert.Equal(t, "lab: kept, not seen: 2 interface (node pve2 offline)", p.Kept[1].String())
	var table strings.Builder
	require.NoError(t, p.WriteTable(&table))
	assert.Contains(t, table.String(), "KEPT, NOT SEEN\nlab: kept, not seen: 3 mac_address (node pve2 offline)")

	// Past the grace period the real orphans go; the unseen parts stay.
	p, res = syncOnce(t, c, req(day0.Add(40*24*time.Hour)))
	assert.Empty(t, totals(res).Problems)
	assert.Equal(t, 6, p.Summary.Total.Delete)
	assert.Equal(t, want, p.Kept)
	final := state(sim)
	assert.Equal(t, linesUnder(before, guest+"/iface"), linesUnder(final, guest+"/iface"))
	assert.Empty(t, linesUnder(final, "fs/lab/vm/vm3-1"))
}

func TestGapKeepsAnOrphanFromItsDelete(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 4, 1)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	// The guest's parts are gone for a run and marked orphan ...
	const guest = "fs/lab/vm/vm1-1"
	seen := partsOnly(recs, guest)
	p, _ := syncOnce(t, c, PlanRequest{Records: seen, Sources: ok("lab"), Now: day0.Add(24 * time.Hour)})
	require.Equal(t, 5, p.Summary.Total.Orphaned)
	marked := state(sim)
	// ... then its config cannot be read past the grace period: its parts
	// are unknown, so the orphans are not deleted; vm2-1 really went.
	gaps := map[string][]inventory.Gap{"lab": {{Under: guest, Kinds: inventory.Parts(inventory.KindVirtualMachine), Why: "vm1-1: config not read"}}}
	p, _ = syncOnce(t, c, PlanRequest{Records: without(seen, "fs/lab/vm/vm2-1"), Sources: ok("lab"), Now: day0.Add(40 * 24 * time.Hour), Gaps: gaps})
	assert.Zero(t, p.Summary.Total.Delete)
	assert.Equal(t, 6, p.Summary.Total.Orphaned, "vm2-1 and its parts")
	kept := 0
	for _, k := range p.Kept {
		kept += k.Count
		assert.Equal(t, "vm1-1: config not read", k.Why)
	}
	assert.Equal(t, 5, kept)
	assert.Equal(t, linesUnder(marked, guest+"/"), linesUnder(state(sim), guest+"/"))
}

func TestOrphanHoldingAKeptObjectIsNotDeleted(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := labInventory("lab", 4, 1)
	syncOnce(t, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	const guest = "fs/lab/vm/vm1-1"
	seen := partsOnly(recs, guest)
	p, _ := syncOnce(t, c, PlanRequest{Records: seen, Sources: ok("lab"), Now: day0.Add(24 * time.Hour)})
	require.Equal(t, 5, p.Summary.Total.Orphaned)
	marked := state(sim)
	// Past the grace period its agent does not answer: its address is
	// unknown, and deleting its interface would delete the address too.
	gaps := map[string][]inventory.Gap{"lab": {{Under: guest, Kinds: []inventory.Kind{inventory.KindIPAddress}, Why: "vm1-1: guest agent not read"}}}
	p, _ = syncOnce(t, c, PlanRequest{Records: seen, Sources: ok("lab"), Now: day0.Add(40 * 24 * time.Hour), Gaps: gaps})
	assert.Equal(t, 3, p.Summary.Total.Delete, "the MAC, the disk and the service")
	assert.Equal(t, []Kept{
		{Source: "lab", Kind: inventory.KindVMInterface, Count: 1, Why: "holds objects not seen: vm1-1: guest agent not read"},
		{Source: "lab", Kind: inventory.KindIPAddress, Count: 1, Why: "vm1-1: guest agent not read"},
	}, p.Kept)
	for _, key := range []string{guest + "/iface/net0/ip", guest + "/iface/net0"} {
		require.NotEmpty(t, linesUnder(marked, key))
		assert.Equal(t, linesUnder(marked, key)[0], linesUnder(state(sim), key)[0])
	}
}

func TestGapsOfASourceAndOfAKind(t *testing.T) {
	sim, c := newSim(t, testConfig())
	a := labInventory("a", 2, 1)
	var b []inventory.Record
	for _, r := range labInventory("b", 2, 1) {
		if !r.Kind.Shared() {
			b = append(b, r)
		}
	}
	syncOnce(t, c, PlanRequest{Records: append(clone(a), b...), Sources: ok("a", "b"), Now: day0})

	// Both lose their services; only b says it could not list them.
	noSvc := func(recs []inventory.Record) []inventory.Record {
		var out []inventory.Record
		for _, r := range recs {
			if r.Kind != inventory.KindService {
				out = append(out, r)
			}
		}
		return out
	}
	gaps := map[string][]inventory.Gap{"b": {{Kinds: []inventory.Kind{inventory.KindService}, Why: "service listing failed"}}}
	p, _ := syncOnce(t, c, PlanRequest{Records: append(noSvc(a), noSvc(b)...), Sources: ok("a", "b"), Now: day0.Add(24 * time.Hour), Gaps: gaps})
	assert.Equal(t, 2, p.Summary.Kinds[inventory.KindService].Orphaned, "a's services: a gap of b covers nothing of a")
	assert.Equal(t, []Kept{{Source: "b", Kind: inventory.KindService, Count: 2, Why: "service listing failed"}}, p.Kept)
	for _, l := range state(sim) {
		if strings.Contains(l, "/b/") && strings.Contains(l, "/svc/") {
			assert.NotContains(t, l, TagOrphan)
		}
	}
}
