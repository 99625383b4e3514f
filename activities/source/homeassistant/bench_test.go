package homeassistant

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
)

// BenchmarkDiscover measures a whole discovery (connect, authenticate,
// the commands, mapping) against the fake with registries of growing
// size, and reports devices per second and the size of the answer.
func BenchmarkDiscover(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("devices=%d", n), func(b *testing.B) {
			fake := hatest.NewFake(hatest.Home)
			body := largeRegistry(n)
			fake.SetFault(cmdDevices, hatest.Fault{Result: body})
			srv := httptest.NewServer(fake)
			b.Cleanup(srv.Close)
			src, _ := newSource(b, "house", srv.URL, "")
			records := 0
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				snap, err := src.Discover(context.Background(), nil)
				if err != nil {
					b.Fatal(err)
				}
				records = len(snap.Records)
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "devices/s")
			b.ReportMetric(float64(len(body))/float64(1<<20), "answer-MiB")
			b.ReportMetric(float64(records), "records")
		})
	}
}
