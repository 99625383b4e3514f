package scanner

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

var update = flag.Bool("update", false, "rewrite testdata/nmap/parsed.golden")

// nmapHostView is a host as the golden file shows it.
type nmapHostView struct {
	Addr     string         `json:"addr"`
	MAC      string         `json:"mac,omitempty"`
	Name     string         `json:"name,omitempty"`
	Open     []int          `json:"open,omitempty"`
	Refused  bool           `json:"refused,omitempty"`
	ARPOnly  bool           `json:"arp_only,omitempty"`
	Detected map[int]string `json:"detected,omitempty"`
}

// TestParseNmap reads the recorded reports (testdata/nmap/README.md) and
// compares the hosts with parsed.golden.
func TestParseNmap(t *testing.T) {
	out := map[string][]nmapHostView{}
	for _, name := range []string{"connect.xml", "service-detection.xml"} {
		f, err := os.Open(filepath.Join("testdata", "nmap", name))
		require.NoError(t, err)
		hosts, err := parseNmap(f, name == "service-detection.xml")
		require.NoError(t, f.Close())
		require.NoError(t, err, name)
		for _, h := range hosts {
			out[name] = append(out[name], nmapHostView{Addr: h.addr.String(), MAC: h.mac, Name: h.name, Open: h.open,
				Refused: h.refused, ARPOnly: h.arpOnly, Detected: h.detected})
		}
		sort.Slice(out[name], func(i, j int) bool { return out[name][i].Addr < out[name][j].Addr })
	}
	got, err := json.MarshalIndent(out, "", "  ")
	require.NoError(t, err)
	golden := filepath.Join("testdata", "nmap", "parsed.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, append(got, '\n'), 0o600))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))

	c := out["connect.xml"]
	require.Len(t, c, 4, "the four hosts up; .13 is down and not reported")
	assert.Equal(t, nmapHostView{Addr: "10.213.0.10", MAC: "aa:1f:79:69:e7:d7", Open: []int{22, 80}, Refused: true}, c[0])
	assert.True(t, c[3].ARPOnly, "10.213.0.50 answered ARP only: %+v", c[3])
}

func TestParseNmapErrors(t *testing.T) {
	for _, tc := range []struct{ name, xml, err string }{
		{"not xml", "nmap: command failed", "read nmap's report"},
		{"bad address", `<nmaprun><host><status state="up"/><address addr="10.0.0.300" addrtype="ipv4"/></host></nmaprun>`, `host 1: address "10.0.0.300"`},
		{"no address", `<nmaprun><host><status state="up"/><address addr="AA:BB:CC:DD:EE:FF" addrtype="mac"/></host></nmaprun>`, "host 1: no IP address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseNmap(strings.NewReader(tc.xml), false)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
	hosts, err := parseNmap(strings.NewReader(`<nmaprun><host><status state="down"/><address addr="10.0.0.3" addrtype="ipv4"/></host></nmaprun>`), false)
	require.NoError(t, err)
	assert.Empty(t, hosts, "a host down is no host")
}

func TestNmapArgs(t *testing.T) {
	s := validSettings()
	s.Ports, s.Rate, s.Engine, s.ServiceDetection = []Port{"22", "443"}, 250, EngineBuiltin, false
	o, err := s.validate("")
	require.NoError(t, err)
	o.ServiceDetection = true
	assert.Equal(t, []string{"-oX", "-", "-sT", "-p", "22,443", "--max-rate", "250", "--max-rtt-timeout", "1000ms", "-sV", "-n", "-6", "-iL", "-"},
		nmapArgs(o, true))
	o.ServiceDetection = false
	o.methods = map[string]bool{MethodTCP: true}
	assert.Equal(t, []string{"-oX", "-", "-sT", "-p", "22,443", "--max-rate", "250", "--max-rtt-timeout", "1000ms", "-iL", "-"}, nmapArgs(o, false))
}

// requireNmap skips without nmap on PATH, except under CI=1, where it
// must be there (.ci/run installs it).
func requireNmap(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("nmap"); err != nil {
		if os.Getenv("CI") == "1" {
			t.Fatalf("nmap is not on PATH under CI=1 (.ci/run installs it): %s", err.Error())
		}
		t.Skip("nmap is not on PATH (apt-get install -y nmap); the nmap engine is not tested")
	}
}

// TestNetnsNmapScan scans the namespace hosts with the real nmap: the
// same addresses, open ports and names as the built-in engine, MACs from
// nmap's ARP discovery, and no packet outside cidrs.
func TestNetnsNmapScan(t *testing.T) {
	requireNmap(t)
	l := newNetnsLab(t)
	l.serve(t)
	before := l.txPackets(t, "a", "a1")
	snap, _, secs := l.scan(t, fmt.Sprintf("engine: nmap\ncidrs: [10.213.0.0/26]\nports: [%s]\nresolver: DNS\ntimeout: 500ms\n", joinInts(l.ports)))
	assert.Equal(t, before, l.txPackets(t, "a", "a1"), "nothing was sent outside cidrs")
	t.Logf("nmap scanned 62 addresses in %.1fs", secs)
	addrs := map[string]inventory.Record{}
	for _, r := range sourcetest.RecordsOf(snap, inventory.KindIPAddress, "") {
		addrs[r.String("address")] = r
	}
	for i := 0; i < 20; i++ {
		r, ok := addrs[fmt.Sprintf("10.213.0.%d/32", 10+i)]
		if !assert.True(t, ok, "host %d: %v", 10+i, keysOf(addrs)) {
			continue
		}
		assert.Equal(t, fmt.Sprintf("host%d.lab.example", 10+i), r.String("dns_name"))
		want := []int{l.ports[i%len(l.ports)], l.ports[(i+1)%len(l.ports)]}
		sort.Ints(want)
		assert.Equal(t, fmt.Sprintf("scanner: open tcp %d, %d", want[0], want[1]), r.String("description"))
		assert.Contains(t, r.Refs["interface"], "/mac", "nmap's ARP discovery gave its MAC")
	}
	assert.Contains(t, addrs, "10.213.0.50/32", "the host whose TCP replies are dropped answers nmap's ARP discovery")
	assert.Contains(t, addrs, "10.213.0.60/32", "the host that answers ARP only")
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindService, ""), 40, "two open ports on each of 20 hosts")
}
