package proxmox

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// syntheticCluster answers like a cluster of Nodes nodes with Guests
// guests spread over them, alternately qemu VMs with a running agent and
// containers, each with two NICs and two disks; every answer waits Latency
// first, like a cluster across a LAN. Requests are counted by what they ask
// (see requestKind).
type syntheticCluster struct {
	Nodes, Guests int
	Latency       time.Duration
	requests      atomic.Int64
	writeErrors   atomic.Int64
	mu            sync.Mutex
	kinds         map[string]int
}

func (c *syntheticCluster) guests() int { return c.Guests }

// guestAt is the node index and type of guest vmid.
func (c *syntheticCluster) guestAt(vmid int) (node int, typ string) {
	i := vmid - 100
	return i % c.Nodes, []string{"qemu", "lxc"}[(i/c.Nodes)%2]
}

// requestKind names what a request asks: "cluster/status",
// "node/network", "qemu/config", "qemu/agent/network-get-interfaces".
func requestKind(p []string) string {
	switch {
	case len(p) >= 5:
		return p[2] + "/" + strings.Join(p[4:], "/")
	case len(p) == 3:
		return "node/" + p[2]
	}
	return strings.Join(p, "/")
}

func (c *syntheticCluster) count(kind string) {
	c.requests.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kinds == nil {
		c.kinds = map[string]int{}
	}
	c.kinds[kind]++
}

func (c *syntheticCluster) reset() map[string]int {
	c.requests.Store(0)
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.kinds
	c.kinds = map[string]int{}
	return k
}

func (c *syntheticCluster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(c.Latency)
	p := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api2/json"), "/"), "/")
	c.count(requestKind(p))
	w.Header().Set("Content-Type", "application/json")
	var body string
	switch {
	case len(p) == 2 && p[1] == "status":
		var parts []string
		parts = append(parts, `{"type":"cluster","name":"bench","quorate":1}`)
		for n := range c.Nodes {
			parts = append(parts, fmt.Sprintf(`{"type":"node","name":"n%d","online":1,"ip":"10.0.%d.1"}`, n, n))
		}
		body = "[" + strings.Join(parts, ",") + "]"
	case len(p) == 2 && p[1] == "resources":
		var parts []string
		for n := range c.Nodes {
			parts = append(parts, fmt.Sprintf(`{"type":"node","id":"node/n%d","node":"n%d","status":"online"}`, n, n))
		}
		for i := range c.Guests {
			id := 100 + i
			n, typ := c.guestAt(id)
			parts = append(parts, fmt.Sprintf(`{"type":%q,"id":"%s/%d","vmid":%d,"name":"g%d","node":"n%d","status":"running","maxcpu":2,"maxmem":2147483648,"tags":"a;b"}`,
				typ, typ, id, id, id, n))
		}
		body = "[" + strings.Join(parts, ",") + "]"
	case len(p) == 3 && p[2] == "version":
		body = `{"release":"8.4","version":"8.4-1"}`
	case len(p) == 3 && p[2] == "network":
		n := strings.TrimPrefix(p[1], "n")
		body = `[{"iface":"eno1","type":"eth"},{"iface":"eno2","type":"eth"},{"iface":"bond0","type":"bond","slaves":"eno1 eno2","active":1},` +
			`{"iface":"vmbr0","type":"bridge","bridge_ports":"bond0","cidr":"10.0.` + n + `.1/16","active":1}]`
	case len(p) >= 5:
		id, err := strconv.Atoi(p[3])
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mac := func(nic int) string { return fmt.Sprintf("bc:24:11:%02x:%02x:%02x", id>>8&0xff, id&0xff, nic) }
		switch strings.Join(p[4:], "/") {
		case "config":
			if p[2] == "qemu" {
				body = fmt.Sprintf(`{"name":"g%d","agent":"1","cores":2,"sockets":1,"memory":"2048","scsi0":"local-lvm:vm-%d-disk-0,size=32G","scsi1":"local-lvm:vm-%d-disk-1,size=100G","net0":"virtio=%s,bridge=vmbr0,tag=10","net1":"virtio=%s,bridge=vmbr0"}`,
					id, id, id, mac(0), mac(1))
			} else {
				body = fmt.Sprintf(`{"hostname":"g%d","cores":1,"memory":512,"rootfs":"local-lvm:subvol-%d-disk-0,size=8G","mp0":"local-lvm:subvol-%d-disk-1,mp=/data,size=16G","net0":"name=eth0,bridge=vmbr0,hwaddr=%s,ip=dhcp","net1":"name=eth1,bridge=vmbr0,hwaddr=%s,ip=dhcp"}`,
					id, id, id, mac(0), mac(1))
			}
		case "agent/network-get-interfaces":
			body = fmt.Sprintf(`{"result":[{"name":"lo","hardware-address":"00:00:00:00:00:00","ip-addresses":[{"ip-address-type":"ipv4","ip-address":"127.0.0.1","prefix":8}]},`+
				`{"name":"eth0","hardware-address":%q,"ip-addresses":[{"ip-address-type":"ipv4","ip-address":"10.1.%d.%d","prefix":16}]},`+
				`{"name":"eth1","hardware-address":%q,"ip-addresses":[{"ip-address-type":"ipv4","ip-address":"10.2.%d.%d","prefix":16}]}]}`,
				mac(0), id>>8, id&0xff, mac(1), id>>8, id&0xff)
		case "interfaces":
			body = fmt.Sprintf(`[{"name":"eth0","hwaddr":%q,"inet":"10.1.%d.%d/16"},{"name":"eth1","hwaddr":%q,"inet":"10.2.%d.%d/16"}]`,
				mac(0), id>>8, id&0xff, mac(1), id>>8, id&0xff)
		}
	}
	if body == "" {
		w.WriteHeader(http.StatusNotImplemented)
		return
	}
	if _, err := fmt.Fprintf(w, `{"data":%s}`, body); err != nil {
		c.writeErrors.Add(1)
	}
}

// BenchmarkDiscover reports guests/s, API requests per guest, records and
// the size of the last heartbeat for a synthetic cluster.
func BenchmarkDiscover(b *testing.B) {
	for _, bc := range []struct {
		nodes, guests, concurrency int
		latency                    time.Duration
	}{
		{4, 200, 4, 2 * time.Millisecond},
		{4, 200, 16, 2 * time.Millisecond},
		{8, 2000, 4, 0},
	} {
		name := fmt.Sprintf("guests=%d/latency=%s/concurrency=%d", bc.guests, bc.latency, bc.concurrency)
		b.Run(name, func(b *testing.B) {
			c := &syntheticCluster{Nodes: bc.nodes, Guests: bc.guests, Latency: bc.latency}
			srv := httptest.NewServer(c)
			defer srv.Close()
			src, _ := newSource(b, "bench", srv.URL, "concurrency: "+strconv.Itoa(bc.concurrency))
			var records, heartbeat int
			b.ResetTimer()
			start := time.Now()
			c.reset()
			for b.Loop() {
				p := &sourcetest.Progress{}
				snap, err := src.Discover(context.Background(), p)
				require.NoError(b, err)
				records, heartbeat = len(snap.Records), len(p.Last())
			}
			elapsed := time.Since(start)
			require.Zero(b, c.writeErrors.Load())
			b.ReportMetric(float64(c.guests()*b.N)/elapsed.Seconds(), "guests/s")
			b.ReportMetric(float64(c.requests.Load())/float64(c.guests()*b.N), "requests/guest")
			b.ReportMetric(float64(records), "records")
			b.ReportMetric(float64(heartbeat), "heartbeat-bytes")
		})
	}
}

// BenchmarkDiscoverCluster measures what a discovery of a large cluster
// costs: 3,000 guests on 16 nodes, every answer 20 ms late, at the default
// concurrency and others. Run it once per case:
//
//	go test -run '^$' -bench DiscoverCluster -benchtime 1x ./activities/source/proxmox/
func BenchmarkDiscoverCluster(b *testing.B) {
	const nodes, guests, latency = 16, 3000, 20 * time.Millisecond
	for _, conc := range []int{DefaultConcurrency, 8, 16, 32, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			c := &syntheticCluster{Nodes: nodes, Guests: guests, Latency: latency}
			srv := httptest.NewServer(c)
			defer srv.Close()
			src, _ := newSource(b, "bench", srv.URL, "concurrency: "+strconv.Itoa(conc))
			c.reset()
			var wall time.Duration
			for b.Loop() {
				start := time.Now()
				_, err := src.Discover(context.Background(), &sourcetest.Progress{})
				require.NoError(b, err)
				wall += time.Since(start)
			}
			require.Zero(b, c.writeErrors.Load())
			kinds := c.reset()
			total := 0
			for _, n := range kinds {
				total += n
			}
			b.ReportMetric(float64(total)/float64(guests*b.N), "requests/guest")
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
			b.Logf("concurrency %d: %d requests a run: %v", conc, total/b.N, kinds)
		})
	}
}
