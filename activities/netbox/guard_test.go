package netbox

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// withoutKind drops the records of one kind.
func withoutKind(recs []inventory.Record, k inventory.Kind) []inventory.Record {
	var out []inventory.Record
	for _, r := range recs {
		if r.Kind != k {
			out = append(out, r)
		}
	}
	return out
}

// withoutHosts drops the hosts pve<from>..pve<to> of labInventory("lab", ...)
// and everything under them.
func withoutHosts(recs []inventory.Record, from, to int) []inventory.Record {
	for h := from; h <= to; h++ {
		recs = without(recs, fmt.Sprintf("fs/lab/device/pve%d/", h))
		recs = without(recs, fmt.Sprintf("fs/lab/device/pve%d", h))
	}
	return recs
}

// withoutHostIPs drops the addresses of the hosts pve<from>..pve<to>.
func withoutHostIPs(recs []inventory.Record, from, to int) []inventory.Record {
	for h := from; h <= to; h++ {
		recs = without(recs, fmt.Sprintf("fs/lab/device/pve%d/iface/eno1/ip", h))
	}
	return recs
}

// guardStep is one run of a guard scenario and what the guard makes of it.
type guardStep struct {
	recs  []inventory.Record
	allow []string
	// day is the run's day after day0 (default: its index).
	day int
	// blocked and allowed are the kinds the guard blocks and lets through.
	blocked, allowed []inventory.Kind
	// orphaned and deleted count, by kind, what the plan marks and deletes.
	orphaned, deleted map[inventory.Kind]int
	// reason is found in the line of every blocked kind.
	reason string
	// held are the keys of the orphans not deleted because they hold
	// objects of a blocked kind.
	held []string
}

func TestGuardPerSourceAndKind(t *testing.T) {
	const (
		dev   = inventory.KindDevice
		iface = inventory.KindInterface
		mac   = inventory.KindMACAddress
		ip    = inventory.KindIPAddress
		vm    = inventory.KindVirtualMachine
	)
	eight := labInventory("lab", 8, 0)
	fifty := labInventory("lab", 50, 0)
	twenty := labInventory("lab", 20, 0)
	small := labInventory("lab", 1, 3)
	many := labInventory("lab", 300, 0)
	for _, tc := range []struct {
		name string
		// volatile forgets the baseline between runs, as if it were not
		// kept: the guard then judges against what NetBox holds live.
		volatile bool
		steps    []guardStep
	}{
		{
			name: "a source that keeps its devices and loses every address is blocked for addresses only",
			steps: []guardStep{
				{recs: eight},
				{
					recs:    withoutHosts(withoutKind(eight, ip), 8, 8),
					blocked: []inventory.Kind{ip},
					reason:  "would lose 8 of 8 (the last applied run left 8), 100%, more than mass_delete_threshold 10%",
					// pve8, its interfaces and their MACs go on
					orphaned: map[inventory.Kind]int{dev: 1, iface: 2, mac: 2},
				},
				{
					// past the grace period: pve8 and its eno1 stay, for
					// deleting them would delete the address the guard keeps
					recs: withoutHosts(withoutKind(eight, ip), 8, 8), day: 40,
					blocked: []inventory.Kind{ip}, deleted: map[inventory.Kind]int{iface: 1, mac: 2},
					held: []string{"fs/lab/device/pve8", "fs/lab/device/pve8/iface/eno1"},
				},
			},
		},
		{
			name: "a slow erosion is caught when it adds up over the limit",
			steps: []guardStep{
				{recs: fifty},
				{recs: withoutHosts(fifty, 49, 50), orphaned: map[inventory.Kind]int{dev: 2, iface: 4, mac: 4, ip: 2}},
				{recs: withoutHosts(fifty, 47, 50), orphaned: map[inventory.Kind]int{dev: 2, iface: 4, mac: 4, ip: 2}},
				{
					recs: withoutHosts(fifty, 45, 50), blocked: []inventory.Kind{dev, iface, mac, ip},
					reason: "(the last applied run left ",
				},
			},
		},
		{
			name:     "without a kept baseline the same erosion goes through",
			volatile: true,
			steps: []guardStep{
				{recs: fifty},
				{recs: withoutHosts(fifty, 49, 50), orphaned: map[inventory.Kind]int{dev: 2, iface: 4, mac: 4, ip: 2}},
				{recs: withoutHosts(fifty, 47, 50), orphaned: map[inventory.Kind]int{dev: 2, iface: 4, mac: 4, ip: 2}},
				{recs: withoutHosts(fifty, 45, 50), orphaned: map[inventory.Kind]int{dev: 2, iface: 4, mac: 4, ip: 2}},
			},
		},
		{
			name: "a block let through for one run, and the next run guarded from the new baseline",
			steps: []guardStep{
				{recs: twenty},
				{recs: withoutHostIPs(twenty, 1, 10), blocked: []inventory.Kind{ip}, reason: "would lose 10 of 20"},
				{recs: withoutHostIPs(twenty, 1, 10), allow: []string{"lab/ip_address"}, allowed: []inventory.Kind{ip},
					orphaned: map[inventory.Kind]int{ip: 10}},
				{recs: withoutHostIPs(twenty, 1, 14), blocked: []inventory.Kind{ip}, reason: "would lose 4 of 10 (the last applied run left 10), 40%"},
				// the four come back; past the grace period the ten let through are deleted
				{recs: withoutHostIPs(twenty, 1, 10), day: 40, deleted: map[inventory.Kind]int{ip: 10}},
			},
		},
		{
			name: "a let-through of another source or kind lets nothing through",
			steps: []guardStep{
				{recs: twenty},
				{recs: withoutHostIPs(twenty, 1, 10), allow: []string{"nas", "lab/device"}, blocked: []inventory.Kind{ip}},
				{recs: withoutHostIPs(twenty, 1, 10), allow: []string{"lab"}, allowed: []inventory.Kind{ip},
					orphaned: map[inventory.Kind]int{ip: 10}},
			},
		},
		{
			name: "a kind of a few objects is not blocked for losing them",
			steps: []guardStep{
				{recs: small},
				{recs: without(small, "fs/lab/vm/"), orphaned: map[inventory.Kind]int{vm: 3, inventory.KindVMInterface: 3,
					mac: 3, ip: 3, inventory.KindVirtualDisk: 3, inventory.KindService: 3}},
			},
		},
		{
			name: "more than mass_delete_max objects are blocked whatever the share",
			steps: []guardStep{
				{recs: many},
				{
					recs: withoutHosts(many, 274, 300), blocked: []inventory.Kind{iface, mac},
					reason:   "would lose 54 of 600 (the last applied run left 600), more than mass_delete_max 50",
					orphaned: map[inventory.Kind]int{dev: 27, ip: 27},
				},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newSim(t, testConfig())
			var base Baseline
			for i, st := range tc.steps {
				day := st.day
				if day == 0 {
					day = i
				}
				p, res := syncOnce(t, c, PlanRequest{Records: clone(st.recs), Sources: ok("lab"),
					Now: day0.Add(time.Duration(day) * 24 * time.Hour), Baseline: base, AllowDeletes: st.allow})
				require.Zero(t, totals(res).Problems, "step %d", i)
				var blocked, allowed []inventory.Kind
				for _, e := range p.Guard {
					require.Equal(t, "lab", e.Source)
					if e.Blocked {
						blocked = append(blocked, e.Kind)
					}
					if e.Allowed {
						allowed = append(allowed, e.Kind)
					}
				}
				assert.Equal(t, st.blocked, blocked, "step %d: blocked kinds", i)
				assert.Equal(t, st.allowed, allowed, "step %d: kinds let through", i)
				require.Len(t, p.Blocked, len(st.blocked), "step %d: a line per blocked kind", i)
				for _, line := range p.Blocked {
					assert.Contains(t, line, st.reason, "step %d", i)
					assert.True(t, strings.HasSuffix(line, ": orphaning blocked"), line)
				}
				orphaned, deleted := map[inventory.Kind]int{}, map[inventory.Kind]int{}
				for k, n := range p.Summary.Kinds {
					if n.Orphaned > 0 {
						orphaned[k] = n.Orphaned
					}
					if n.Delete > 0 {
						deleted[k] = n.Delete
					}
				}
				assert.Equal(t, countsOrEmpty(st.orphaned), orphaned, "step %d: orphaned", i)
				assert.Equal(t, countsOrEmpty(st.deleted), deleted, "step %d: deleted", i)
				var held []string
				for _, f := range p.Findings {
					if strings.Contains(f.Reason, "mass-delete guard") {
						held = append(held, f.Key)
					}
				}
				slices.Sort(held)
				assert.Equal(t, st.held, held, "step %d: orphans held by the guard", i)
				for _, b := range p.Batches {
					if slices.Contains(st.blocked, b.Kind) {
						for _, op := range b.Ops {
							assert.NotContains(t, op.Reason, "orphan", "step %d: %s %s of a blocked kind", i, b.Op, op.Key)
						}
					}
				}
				if !tc.volatile {
					base = NextBaseline(base, p.Guard)
				}
			}
		})
	}
}

func countsOrEmpty(m map[inventory.Kind]int) map[inventory.Kind]int {
	if m == nil {
		return map[inventory.Kind]int{}
	}
	return m
}

func TestNextBaseline(t *testing.T) {
	const ip, dev = inventory.KindIPAddress, inventory.KindDevice
	for _, tc := range []struct {
		name    string
		prev    Baseline
		entries []GuardEntry
		want    Baseline
	}{
		{"a first run keeps what is present", nil,
			[]GuardEntry{{Source: "pve", Kind: dev, Baseline: 0, Present: 10}}, Baseline{"pve": {dev: 10}}},
		{"it rises with the source", Baseline{"pve": {dev: 10}},
			[]GuardEntry{{Source: "pve", Kind: dev, Baseline: 10, Present: 12}}, Baseline{"pve": {dev: 12}}},
		{"a drop inside the limits does not lower it", Baseline{"pve": {dev: 100}},
			[]GuardEntry{{Source: "pve", Kind: dev, Baseline: 100, Present: 95}}, Baseline{"pve": {dev: 100}}},
		{"a block keeps it", Baseline{"pve": {ip: 40}},
			[]GuardEntry{{Source: "pve", Kind: ip, Baseline: 40, Present: 0, Blocked: true}}, Baseline{"pve": {ip: 40}}},
		{"a let-through lowers it to what is present", Baseline{"pve": {ip: 40, dev: 5}},
			[]GuardEntry{{Source: "pve", Kind: ip, Baseline: 40, Present: 25, Allowed: true}, {Source: "pve", Kind: dev, Baseline: 5, Present: 5}},
			Baseline{"pve": {ip: 25, dev: 5}}},
		{"a kind let through to nothing is dropped", Baseline{"pve": {ip: 40}},
			[]GuardEntry{{Source: "pve", Kind: ip, Baseline: 40, Present: 0, Allowed: true}}, Baseline{}},
		{"sources not in the plan keep theirs", Baseline{"nas": {dev: 3}, "pve": {dev: 1}},
			[]GuardEntry{{Source: "pve", Kind: dev, Baseline: 1, Present: 2}}, Baseline{"nas": {dev: 3}, "pve": {dev: 2}}},
		{"the live count raises it", Baseline{"pve": {dev: 10}},
			[]GuardEntry{{Source: "pve", Kind: dev, Stored: 10, Live: 14, Baseline: 14, Present: 14}}, Baseline{"pve": {dev: 14}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, NextBaseline(tc.prev, tc.entries))
		})
	}
}

func TestAllows(t *testing.T) {
	k := guardKey{"pve", inventory.KindIPAddress}
	for _, tc := range []struct {
		list []string
		want bool
	}{
		{nil, false},
		{[]string{"*"}, true},
		{[]string{"pve"}, true},
		{[]string{"pve/ip_address"}, true},
		{[]string{"pve/device"}, false},
		{[]string{"pve2", "nas/ip_address"}, false},
		{[]string{"pv"}, false},
	} {
		assert.Equal(t, tc.want, allows(tc.list, k), "%v", tc.list)
	}
}

func TestParseAllowDeletes(t *testing.T) {
	for _, tc := range []struct {
		list []string
		err  string
	}{
		{[]string{"*", "pve", "nas/ip_address"}, ""},
		{[]string{"pve/site"}, `"pve/site": "site" is not a kind the agent orphans`},
		{[]string{"pve/ips"}, `"pve/ips": "ips" is not a kind the agent orphans`},
		{[]string{"/device"}, `"/device": want *, a source name, or source/kind`},
		{[]string{"pve*"}, `"pve*": want *, a source name, or source/kind`},
	} {
		err := ParseAllowDeletes(tc.list)
		if tc.err == "" {
			assert.NoError(t, err, "%v", tc.list)
			continue
		}
		require.Error(t, err, "%v", tc.list)
		assert.Contains(t, err.Error(), tc.err)
	}
}
