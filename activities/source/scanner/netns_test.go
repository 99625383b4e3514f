package scanner

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/scanner/scantest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// The network namespace tests build their own network and probe nothing
// else. Namespace "a" runs the scan (a re-run of this test binary under
// ip netns exec), namespace "b" holds the hosts, namespace "c" is a sink:
//
//	a: veth a0 10.213.0.1/22 ---- b: veth b0, 10.213.0.10-29 (listeners), .50, .60
//	a: veth a1 10.213.8.1/24 ---- c: veth c0 10.213.8.2/24
//
// In b, policy rules drop the TCP resets of .50 (it answers ping and
// nothing else) and every reply of .60 (it answers ARP only). The scan of
// 10.213.0.0/22 must put no packet on a1. On UDP, .10 is an SNMP agent of
// community public, .11 one of community labCommunity, and .12 an echo
// service on port 7.

// helperEnv names what a re-run of the test binary does inside a namespace.
const helperEnv = "SCANNER_NETNS_HELPER"

// labCommunity is the community of the SNMP agent at 10.213.0.11: a
// configured one, a secret no output may show.
const labCommunity = "lab-c0mmunity-7f3a9e51"

// netnsLab is a built topology.
type netnsLab struct {
	scantest.Netns
	ports []int
}

// seenLine is how the serving helper reports the community of one SNMP
// request an agent got.
const seenLine = "snmp request to "

// snmpSeen collects, by agent address, the communities the lab's SNMP
// agents were asked with.
type snmpSeen struct {
	mu   sync.Mutex
	seen map[string][]string
}

// add reads one line of the serving helper.
func (s *snmpSeen) add(line string) {
	rest, ok := strings.CutPrefix(line, seenLine)
	if !ok {
		return
	}
	addr, quoted, ok := strings.Cut(rest, " community ")
	if !ok {
		return
	}
	community, err := strconv.Unquote(quoted)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[addr] = append(s.seen[addr], community)
}

// communities returns what the agent at addr was asked with so far.
func (s *snmpSeen) communities(addr string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen[addr])
}

// newNetnsLab builds the topology, or skips when namespaces cannot be made.
func newNetnsLab(t testing.TB) netnsLab {
	t.Helper()
	l := netnsLab{ports: []int{22, 80, 443, 8006, 9100}}
	l.Netns = scantest.NewNetns(t, "nbscan", []string{"a", "b", "c"}, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
	l.Veth(t, "a", "a0", "b", "b0")
	l.Veth(t, "a", "a1", "c", "c0")
	l.Run(t, "a", "ip", "addr", "add", "10.213.0.1/22", "dev", "a0")
	l.Run(t, "a", "ip", "addr", "add", "10.213.8.1/24", "dev", "a1")
	l.Run(t, "c", "ip", "addr", "add", "10.213.8.2/24", "dev", "c0")
	for i := 10; i < 30; i++ {
		l.Run(t, "b", "ip", "addr", "add", fmt.Sprintf("10.213.0.%d/22", i), "dev", "b0")
	}
	l.Run(t, "b", "ip", "addr", "add", "10.213.0.50/22", "dev", "b0")
	l.Run(t, "b", "ip", "addr", "add", "10.213.0.60/22", "dev", "b0")
	l.Run(t, "b", "ip", "rule", "add", "from", "10.213.0.50", "ipproto", "tcp", "blackhole")
	l.Run(t, "b", "ip", "rule", "add", "from", "10.213.0.60", "blackhole")
	for _, p := range []string{"a0", "a1"} {
		l.Run(t, "a", "ip", "link", "set", p, "up")
	}
	l.Run(t, "b", "ip", "link", "set", "b0", "up")
	l.Run(t, "c", "ip", "link", "set", "c0", "up")
	l.Run(t, "a", "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
	return l
}

// serve starts listeners in b: on host 10.213.0.(10+i), the ports i and i+1
// (mod len(ports)), so that every host has two open ports. It returns
// the communities the SNMP agents are asked with, as they are.
func (l netnsLab) serve(t testing.TB) *snmpSeen {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", l.Name("b"), os.Args[0], "-test.run=^TestNetnsHelper$")
	cmd.Env = append(os.Environ(), helperEnv+"=serve", "SCANNER_NETNS_PORTS="+joinInts(l.ports))
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	seen := &snmpSeen{seen: map[string][]string{}}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if sc.Text() == "ready" {
			go func() {
				for sc.Scan() {
					seen.add(sc.Text())
				}
			}()
			return seen
		}
	}
	t.Fatal("the listeners in namespace b did not start")
	return nil
}

// scanned is what a scan in namespace a left: its snapshot, its last
// and every progress report, every log line as JSON, the seconds it
// took, and the helper's own output.
type scanned struct {
	Snap     source.Snapshot
	Progress Progress
	Reports  []json.RawMessage
	Logs     []string
	Seconds  float64
	Output   string `json:"-"`
}

// scan runs a scan in a with settings and returns its snapshot and the
// seconds it took; wrap, when given, is the command the scan runs under
// (setpriv, to drop a capability).
func (l netnsLab) scan(t testing.TB, settings string, wrap ...string) (*source.Snapshot, Progress, float64) {
	t.Helper()
	res := l.scanAll(t, settings, wrap...)
	return &res.Snap, res.Progress, res.Seconds
}

// scanAll is scan with everything the scan left.
func (l netnsLab) scanAll(t testing.TB, settings string, wrap ...string) scanned {
	t.Helper()
	out := filepath.Join(t.TempDir(), "snap.json")
	args := append(append([]string{"netns", "exec", l.Name("a")}, wrap...), os.Args[0], "-test.run=^TestNetnsHelper$")
	cmd := exec.Command("ip", args...)
	cmd.Env = append(os.Environ(), helperEnv+"=scan", "SCANNER_NETNS_SETTINGS="+settings, "SCANNER_NETNS_OUT="+out)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	var res scanned
	raw, err := os.ReadFile(out)
	require.NoError(t, err, "%s", b)
	require.NoError(t, json.Unmarshal(raw, &res))
	res.Output = string(b)
	return res
}

func (l netnsLab) txPackets(t testing.TB, n, dev string) int {
	t.Helper()
	v, err := strconv.Atoi(strings.TrimSpace(l.Run(t, n, "cat", "/sys/class/net/"+dev+"/statistics/tx_packets")))
	require.NoError(t, err)
	return v
}

// TestNetnsHelper is what the re-runs of this binary do inside a
// namespace; run directly, it does nothing.
func TestNetnsHelper(t *testing.T) {
	switch os.Getenv(helperEnv) {
	case "serve":
		var ports []int
		for _, p := range strings.Split(os.Getenv("SCANNER_NETNS_PORTS"), ",") {
			n, err := strconv.Atoi(p)
			require.NoError(t, err)
			ports = append(ports, n)
		}
		for i := 0; i < 20; i++ {
			for _, k := range []int{i, i + 1} {
				scantest.Listen(t, fmt.Sprintf("10.213.0.%d:%d", 10+i, ports[k%len(ports)]))
			}
		}
		var mu sync.Mutex
		seen := func(addr string) func(string) {
			return func(community string) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Printf("%s%s community %q\n", seenLine, addr, community)
			}
		}
		for addr, community := range map[string]string{"10.213.0.10": "public", "10.213.0.11": labCommunity} {
			scantest.ServeSNMPSeen(t, addr+":161", community, "Linux "+addr+" 6.1.0 x86_64", seen(addr))
		}
		scantest.ServeUDPEcho(t, "10.213.0.12:7")
		fmt.Println("ready")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	case "scan":
		names := map[string]string{}
		for i := 0; i < 20; i++ {
			names[fmt.Sprintf("10.213.0.%d", 10+i)] = fmt.Sprintf("host%d.lab.example.", 10+i)
		}
		dns, _ := scantest.ServeDNS(t, names)
		settings := strings.ReplaceAll(os.Getenv("SCANNER_NETNS_SETTINGS"), "DNS", dns)
		src, logs := sourcetest.New(t, SourceType, "lab", settings, "", "")
		var p sourcetest.Progress
		start := time.Now()
		snap, err := src.Discover(context.Background(), &p)
		require.NoError(t, err)
		res := scanned{Snap: *snap, Seconds: time.Since(start).Seconds()}
		require.NoError(t, json.Unmarshal(p.Last(), &res.Progress))
		for _, r := range p.Reports() {
			res.Reports = append(res.Reports, r)
		}
		enc := zapcore.NewJSONEncoder(zapcore.EncoderConfig{MessageKey: "msg", LevelKey: "level", EncodeLevel: zapcore.LowercaseLevelEncoder})
		for _, e := range logs.All() {
			line, err := enc.EncodeEntry(e.Entry, e.Context)
			require.NoError(t, err)
			res.Logs = append(res.Logs, line.String())
		}
		b, err := json.Marshal(res)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(os.Getenv("SCANNER_NETNS_OUT"), b, 0o600))
	}
}

func TestNetnsScan(t *testing.T) {
	l := newNetnsLab(t)
	l.serve(t)
	before := l.txPackets(t, "a", "a1")
	snap, prog, secs := l.scan(t, fmt.Sprintf("cidrs: [10.213.0.0/24]\nports: [%s]\nresolver: DNS\ntimeout: 500ms\n", joinInts(l.ports)))
	assert.Equal(t, before, l.txPackets(t, "a", "a1"), "nothing was sent outside cidrs")
	t.Logf("scanned 254 addresses in %.1fs, %d probes", secs, prog.ProbesSent)
	sourcetest.CheckStructure(t, SourceType, "lab", snap)
	assert.Empty(t, snap.Warnings, "ping sockets are allowed in namespace a")

	ips := sourcetest.RecordsOf(snap, inventory.KindIPAddress, "")
	addrs := map[string]inventory.Record{}
	for _, r := range ips {
		addrs[r.String("address")] = r
	}
	assert.Len(t, addrs, 23, "20 hosts with listeners, the ping-only one, the silent one and the scanner's own: %v", keysOf(addrs))
	for i := 0; i < 20; i++ {
		r, ok := addrs[fmt.Sprintf("10.213.0.%d/32", 10+i)]
		if !assert.True(t, ok, i) {
			continue
		}
		assert.Equal(t, fmt.Sprintf("host%d.lab.example", 10+i), r.String("dns_name"))
		want := []int{l.ports[i%len(l.ports)], l.ports[(i+1)%len(l.ports)]}
		if want[0] > want[1] {
			want[0], want[1] = want[1], want[0]
		}
		assert.Equal(t, fmt.Sprintf("scanner: open tcp %d, %d", want[0], want[1]), r.String("description"))
	}
	ping, ok := addrs["10.213.0.50/32"]
	if assert.True(t, ok, "the host that answers ping only") {
		assert.Empty(t, ping.String("description"))
	}
	silent, ok := addrs["10.213.0.60/32"]
	if assert.True(t, ok, "the host that answers ARP only") {
		assert.Equal(t, "scanner: answers ARP only", silent.String("description"))
	}
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindService, ""), 40, "two open ports on each of 20 hosts")
	macs := sourcetest.RecordsOf(snap, inventory.KindMACAddress, "")
	assert.Len(t, macs, 22, "every other host is on-link: the neighbour table knows them all")
	own := sourcetest.Find(snap, "scanner/lab/ip/10.213.0.1")
	if assert.NotNil(t, own, "the worker's own address answers, as it does on a real network") {
		assert.Nil(t, sourcetest.Find(snap, "scanner/lab/ip/10.213.0.1/mac"), "no neighbour entry for itself")
	}
	assert.Nil(t, sourcetest.Find(snap, "scanner/lab/ip/10.213.8.2"), "outside cidrs")
	assert.Equal(t, int64(254*(1+len(l.ports))), prog.ProbesSent, "one echo and one connect per port, per address")
}

func keysOf(m map[string]inventory.Record) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// BenchmarkNetnsScan measures whole scans in the namespaces (the figures
// in docs/PERFORMANCE.md): a /24 with 20 live hosts and 10 ports, and a
// /22 at the default settings. Run with -benchtime=1x.
func BenchmarkNetnsScan(b *testing.B) {
	l := newNetnsLab(b)
	l.serve(b)
	cases := []struct{ name, settings string }{
		{"24-20hosts-10ports", "cidrs: [10.213.0.0/24]\nports: [22, 23, 80, 443, 3389, 5900, 8006, 8080, 8443, 9100]\nresolver: DNS\n"},
		{"22-defaults", "cidrs: [10.213.0.0/22]\nresolver: DNS\n"},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				before := l.txPackets(b, "a", "a1")
				snap, prog, secs := l.scan(b, tc.settings)
				if after := l.txPackets(b, "a", "a1"); after != before {
					b.Fatalf("%d packets sent outside cidrs", after-before)
				}
				b.ReportMetric(secs, "s/scan")
				b.ReportMetric(float64(prog.ProbesSent), "probes/scan")
				b.ReportMetric(float64(len(sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""))), "live/scan")
			}
		})
	}
}
