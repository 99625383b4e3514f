package netbox

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// benchHosts and benchVMs size the benchmark inventory: 1,000 hosts with
// 16 VMs each are 102,008 records (hosts, interfaces, MACs, IPs, VMs with
// interface, MAC, IP, disk and service).
const benchHosts, benchVMs = 1000, 16

var benchOnce struct {
	sync.Once
	recs   []inventory.Record
	synced *memFetcher
}

// benchWorld builds the inventory once and the NetBox that holds it,
// synced through the emulator.
func benchWorld(b *testing.B) ([]inventory.Record, *memFetcher) {
	benchOnce.Do(func() {
		benchOnce.recs = labInventory("lab", benchHosts, benchVMs)
	})
	if benchOnce.synced == nil {
		b.StopTimer()
		cfg := DefaultConfig()
		cfg.BatchSize = 1000
		sim, c := newSim(b, cfg)
		recs := benchOnce.recs
		_, res := syncOnce(b, c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
		require.Empty(b, totals(res).Problems)
		m := &memFetcher{objs: map[inventory.Kind][]map[string]any{}}
		dump := sim.Dump()
		for _, s := range specOrder {
			m.objs[s.Kind] = dump[s.Endpoint]
		}
		benchOnce.synced = m
		b.StartTimer()
	}
	return benchOnce.recs, benchOnce.synced
}

func benchPlan(b *testing.B, f func() *memFetcher, recs []inventory.Record) {
	cfg, err := DefaultConfig().withDefaults()
	require.NoError(b, err)
	req := PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	var ops int
	for i := 0; i < b.N; i++ {
		p, err := buildPlan(context.Background(), f(), cfg, req, netboxFacts{})
		if err != nil {
			b.Fatal(err)
		}
		ops = p.Operations()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(len(recs))
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N)/n, "allocs/object")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/object")
	b.ReportMetric(n, "objects")
	b.ReportMetric(float64(ops), "operations")
}

// BenchmarkPlanFirstSync plans 100,000 records against an empty NetBox.
func BenchmarkPlanFirstSync(b *testing.B) {
	recs := labInventory("lab", benchHosts, benchVMs)
	benchPlan(b, func() *memFetcher { return &memFetcher{} }, recs)
}

// BenchmarkPlanUnchanged re-plans 100,000 records against the NetBox they
// were synced into: zero operations.
func BenchmarkPlanUnchanged(b *testing.B) {
	recs, synced := benchWorld(b)
	benchPlan(b, func() *memFetcher { return synced }, recs)
}
