package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// BenchmarkInventoryBlob writes the generated inventory to a file blob
// store and reads it back, as discovery, the merge and the plan each do
// once in a run: the cost of passing 100,000 records between steps.
func BenchmarkInventoryBlob(b *testing.B) {
	recs := benchRecords(b)
	ctx := context.Background()
	st, err := blob.Open(ctx, "file://"+b.TempDir(), "")
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, st.Close()) })
	const ref = "inventory.json"
	_, err = st.PutJSON(ctx, ref, recs) // for a read run alone
	require.NoError(b, err)
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, err := st.PutJSON(ctx, ref, recs)
			require.NoError(b, err)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchObjects, "ns/object")
	})
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			err := blob.EachJSON(ctx, st, ref, func(*inventory.Record) error { n++; return nil })
			require.NoError(b, err)
			require.Equal(b, benchObjects, n)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchObjects, "ns/object")
	})
}
