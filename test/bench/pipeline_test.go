package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source/filesystem"
	"github.com/netbox-agent/netbox-agent/test/bench/gen"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// The benchmarks below run the worker's steps on the generated 100,000
// object inventory, each as its activity does it, with allocations and the
// peak of the live heap. BenchmarkMerge (activities/inventory) and
// BenchmarkPlan* (activities/netbox) measure merge and plan on inventories
// of their own, with NetBox held in memory; the plan benchmarks here read
// NetBox over HTTP from the emulator (without latency), as the worker does.

const benchObjects = 100_000

var generated = sync.OnceValues(func() ([]inventory.Record, error) {
	files, _, err := gen.Files(gen.Options{Objects: benchObjects, Seed: 1})
	if err != nil {
		return nil, err
	}
	recs, warnings := filesystem.Read("bench", "", files)
	if len(warnings) > 0 {
		return nil, fmt.Errorf("generated inventory: %d warnings, first: %s", len(warnings), warnings[0])
	}
	for i := range recs {
		inventory.NormalizeRecord(&recs[i])
	}
	return recs, nil
})

func benchRecords(b *testing.B) []inventory.Record {
	recs, err := generated()
	require.NoError(b, err)
	require.Len(b, recs, benchObjects)
	return recs
}

// peakHeap samples the heap while f runs and reports how far its peak
// (live and not yet collected objects) rose above the heap before f, in MB:
// what the step needs on top of its input, and of the emulator when it
// runs in the same process.
func peakHeap(b *testing.B, f func()) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	peak := base
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
}

// BenchmarkReadInventory parses and resolves the generated inventory files,
// the filesystem source's discovery without the disk.
func BenchmarkReadInventory(b *testing.B) {
	files, sum, err := gen.Files(gen.Options{Objects: benchObjects, Seed: 1})
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(sum.Bytes)
	peakHeap(b, func() {
		for b.Loop() {
			recs, warnings := filesystem.Read("bench", "", files)
			if len(recs) != benchObjects || len(warnings) > 0 {
				b.Fatalf("%d records, %d warnings", len(recs), len(warnings))
			}
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchObjects, "ns/object")
}

// BenchmarkMergeGenerated merges the generated inventory as the only
// source: the cost of merging when nothing joins.
func BenchmarkMergeGenerated(b *testing.B) {
	recs := benchRecords(b)
	in := []inventory.MergeInput{{Source: "bench", Records: recs}}
	b.ReportAllocs()
	peakHeap(b, func() {
		for b.Loop() {
			out, err := inventory.Merge(in, inventory.MergeOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if len(out.Records) != benchObjects {
				b.Fatalf("%d records", len(out.Records))
			}
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchObjects, "ns/object")
}

// simClient is a NetBox client on an emulator of its own.
func simClient(b *testing.B) (*nbsim.Server, *netbox.Client) {
	token := "0123456789abcdef0123456789abcdef01234567"
	sim := nbsim.New(nbsim.Options{Token: token})
	ts := httptest.NewServer(sim)
	b.Cleanup(ts.Close)
	cfg := netbox.DefaultConfig()
	cfg.URL = ts.URL
	c, err := netbox.NewClient(cfg, token, nil)
	require.NoError(b, err)
	require.NoError(b, c.EnsureSchema(context.Background()))
	return sim, c
}

func planRequest(recs []inventory.Record) netbox.PlanRequest {
	return netbox.PlanRequest{
		Records: recs,
		Sources: map[string]bool{"bench": true},
		Now:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

func benchPlanHTTP(b *testing.B, c *netbox.Client, recs []inventory.Record, wantOps func(int) bool) {
	req := planRequest(recs)
	ctx := context.Background()
	b.ReportAllocs()
	var ops int
	peakHeap(b, func() {
		for b.Loop() {
			p, err := c.Plan(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			ops = p.Operations()
		}
	})
	if !wantOps(ops) {
		b.Fatalf("%d operations", ops)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchObjects, "ns/object")
	b.ReportMetric(float64(ops), "operations")
}

// BenchmarkPlanHTTPFirstSync plans the generated inventory against an
// empty NetBox.
func BenchmarkPlanHTTPFirstSync(b *testing.B) {
	recs := benchRecords(b)
	_, c := simClient(b)
	benchPlanHTTP(b, c, recs, func(ops int) bool { return ops >= benchObjects })
}

// BenchmarkPlanHTTPUnchanged plans the generated inventory against the
// NetBox it was synced into, which reads every object back: what an
// unchanged re-sync costs. Syncing it first takes about a minute.
func BenchmarkPlanHTTPUnchanged(b *testing.B) {
	recs := benchRecords(b)
	_, c := simClient(b)
	ctx := context.Background()
	p, err := c.Plan(ctx, planRequest(recs))
	require.NoError(b, err)
	for i := range p.Batches {
		r, err := c.ApplyBatch(ctx, p, i, nil)
		require.NoError(b, err)
		require.Empty(b, r.Problems, "batch %d", i)
	}
	benchPlanHTTP(b, c, recs, func(ops int) bool { return ops == 0 })
}
