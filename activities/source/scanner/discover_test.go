package scanner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/scanner/scantest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// Every test here probes only 127.77.0.0/29 on the loopback interface,
// where each address answers a connect to a closed port with a reset, and
// listeners the test opens accept.

// lab is a scan target on loopback: listeners on .2 and .3, a PTR zone on
// a loopback DNS server, and a neighbour table fixture.
type lab struct {
	portA, portB int
	dns          string
	settings     string
}

func newLab(t *testing.T, extra string) lab {
	t.Helper()
	l := lab{portA: scantest.Listen(t, "127.77.0.2:0"), portB: scantest.Listen(t, "127.77.0.3:0")}
	l.dns, _ = scantest.ServeDNS(t, map[string]string{"127.77.0.2": "printer.lab.example.", "127.77.0.3": "nas.lab.example."})
	arp, err := filepath.Abs("testdata/arp")
	require.NoError(t, err)
	l.settings = fmt.Sprintf("cidrs: [127.77.0.0/29]\nports: [%d, %d]\nresolver: %q\nneighbour_table: %s\ntimeout: 2s\n%s",
		l.portA, l.portB, l.dns, arp, extra)
	return l
}

func newSource(t *testing.T, settings string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	src, logs := sourcetest.New(t, SourceType, "lab", settings, "", "")
	s := src.(*Source)
	// The worker's real sysctl may or may not allow ping sockets; these
	// tests pin it to "off" and test ICMP on its own.
	off := filepath.Join(t.TempDir(), "ping_group_range")
	require.NoError(t, os.WriteFile(off, []byte("1\t0\n"), 0o600))
	s.opts.pingGroupRange = off
	return s, logs
}

func TestDiscoverLoopback(t *testing.T) {
	l := newLab(t, "")
	s, logs := newSource(t, l.settings)
	snap, err := s.Discover(context.Background(), nil)
	require.NoError(t, err)
	sourcetest.CheckStructure(t, SourceType, "lab", snap)

	ips := sourcetest.RecordsOf(snap, inventory.KindIPAddress, "")
	require.Len(t, ips, 6, "every loopback address answers: .1 to .6")
	printer := sourcetest.Find(snap, "scanner/lab/ip/127.77.0.2")
	require.NotNil(t, printer)
	assert.Equal(t, "127.77.0.2/32", printer.String("address"))
	assert.Equal(t, "active", printer.String("status"))
	assert.Equal(t, "printer.lab.example", printer.String("dns_name"))
	assert.Equal(t, fmt.Sprintf("scanner: open tcp %d", l.portA), printer.String("description"))
	assert.Equal(t, "scanner/lab/ip/127.77.0.2/mac", printer.Refs["interface"], "on the interface that carries its MAC, which the merge finds")
	svc := sourcetest.Find(snap, fmt.Sprintf("scanner/lab/ip/127.77.0.2/service/tcp/%d", l.portA))
	require.NotNil(t, svc, "a service per open port")
	assert.Equal(t, fmt.Sprintf("tcp-%d", l.portA), svc.String("name"))
	assert.Equal(t, "tcp", svc.String("protocol"))
	assert.Equal(t, []int64{int64(l.portA)}, svc.Attrs["ports"])
	assert.Equal(t, "scanner/lab/ip/127.77.0.2", svc.Refs["parent"], "on the holder of the address, which the merge finds")
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindService, ""), 2)
	nas := sourcetest.Find(snap, "scanner/lab/ip/127.77.0.3")
	require.NotNil(t, nas)
	assert.Equal(t, "nas.lab.example", nas.String("dns_name"))
	assert.Equal(t, fmt.Sprintf("scanner: open tcp %d", l.portB), nas.String("description"))
	plain := sourcetest.Find(snap, "scanner/lab/ip/127.77.0.4")
	require.NotNil(t, plain)
	assert.Empty(t, plain.String("dns_name"), "NXDOMAIN: no name")
	assert.Empty(t, plain.String("description"), "refused everything: no open port")

	macs := sourcetest.RecordsOf(snap, inventory.KindMACAddress, "")
	require.Len(t, macs, 2, "complete neighbour entries inside cidrs only")
	assert.Equal(t, "52:54:00:aa:00:02", sourcetest.Find(snap, "scanner/lab/ip/127.77.0.2/mac").String("mac_address"))
	assert.Equal(t, "52:54:00:aa:00:05", sourcetest.Find(snap, "scanner/lab/ip/127.77.0.5/mac").String("mac_address"))
	assert.Nil(t, sourcetest.Find(snap, "scanner/lab/ip/10.9.9.9"), "a neighbour outside cidrs is not reported")

	require.Len(t, snap.Warnings, 2, "%q", snap.Warnings)
	assert.Contains(t, snap.Warnings[0], "net.ipv4.ping_group_range (1 0)")
	assert.Contains(t, snap.Warnings[1], "1 lines did not read")
	assert.Equal(t, 1, logs.FilterMessage("icmp echo off").Len())
	_, err = s.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, logs.FilterMessage("icmp echo off").Len(), "said once")
}

func TestDiscoverAgainIsTheSame(t *testing.T) {
	l := newLab(t, "")
	s, _ := newSource(t, l.settings)
	first, err := s.Discover(context.Background(), nil)
	require.NoError(t, err)
	second, err := s.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, first.Records, second.Records)
	assert.Empty(t, second.Gaps)
}

// timedDiscover runs one discovery of s and returns its snapshot, its
// last progress report and how long it took.
func timedDiscover(t *testing.T, s *Source) (*source.Snapshot, Progress, time.Duration) {
	t.Helper()
	var p sourcetest.Progress
	start := time.Now()
	snap, err := s.Discover(context.Background(), &p)
	require.NoError(t, err)
	elapsed := time.Since(start)
	var last Progress
	require.NoError(t, json.Unmarshal(p.Last(), &last))
	return snap, last, elapsed
}

func TestRateAndProbesSent(t *testing.T) {
	l := newLab(t, "rate: 40\nconcurrency: 8\nmethods: [tcp]\n")
	s, _ := newSource(t, l.settings)
	snap, last, elapsed := timedDiscover(t, s)
	assert.Equal(t, int64(12), last.ProbesSent, "6 addresses, 2 ports")
	assert.Equal(t, 6, last.AddressesDone)
	assert.Equal(t, "127.77.0.6", last.Cursor)
	assert.Equal(t, StepDone, last.Step)
	// 12 probes at 40 a second with a burst of one: 11 intervals of 25 ms.
	assert.GreaterOrEqual(t, elapsed, 11*25*time.Millisecond, "the rate is honoured")
	assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindMACAddress, ""), "neighbours not read")
	assert.Empty(t, sourcetest.Find(snap, "scanner/lab/ip/127.77.0.2").String("dns_name"), "no dns method")
}

// cancelAfter cancels a scan once it reported done addresses.
type cancelAfter struct {
	sourcetest.Progress
	done   int
	cancel context.CancelFunc
}

func (c *cancelAfter) Report(v any) {
	c.Progress.Report(v)
	if p, ok := v.(Progress); ok && p.AddressesDone >= c.done {
		c.cancel()
	}
}

func TestResumeFromCursor(t *testing.T) {
	l := newLab(t, "rate: 1000\nconcurrency: 1\nmethods: [tcp, dns]\n")
	s, _ := newSource(t, l.settings)
	ctx, cancel := context.WithCancel(context.Background())
	first := &cancelAfter{done: 3, cancel: cancel}
	_, err := s.Discover(ctx, first)
	sourcetest.RequireError(t, err, context.Canceled)
	assert.NotErrorIs(t, err, source.ErrUnreachable)
	var stopped Progress
	require.NoError(t, json.Unmarshal(first.Last(), &stopped))
	require.GreaterOrEqual(t, stopped.AddressesDone, 3)
	require.Less(t, stopped.AddressesDone, 6)

	retry := &sourcetest.Progress{ResumeState: first.Last()}
	snap, err := s.Discover(context.Background(), retry)
	require.NoError(t, err)
	var done Progress
	require.NoError(t, json.Unmarshal(retry.Last(), &done))
	assert.Equal(t, stopped.Run, done.Run, "the same run goes on")
	assert.Equal(t, int64(2*(6-stopped.AddressesDone)), done.ProbesSent, "only the addresses after the cursor are probed again")
	fresh, _ := newSource(t, l.settings)
	want, err := fresh.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, want.Records, snap.Records, "a resumed scan reports what a whole one does")

	// Another worker has no hosts of the run: it starts over.
	other, _ := newSource(t, l.settings)
	elsewhere := &sourcetest.Progress{ResumeState: first.Last()}
	snap, err = other.Discover(context.Background(), elsewhere)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(elsewhere.Last(), &done))
	assert.Equal(t, int64(12), done.ProbesSent)
	assert.Equal(t, want.Records, snap.Records)
}

func TestCanceled(t *testing.T) {
	l := newLab(t, "")
	s, _ := newSource(t, l.settings)
	sourcetest.CheckCanceled(t, s)
}

func TestSilentAddressKeptForMissedRuns(t *testing.T) {
	l := newLab(t, "missed_runs: 2\nmethods: [tcp, neighbours]\n")
	s, _ := newSource(t, l.settings)
	snap, err := s.Discover(context.Background(), nil)
	require.NoError(t, err)
	require.NotNil(t, sourcetest.Find(snap, "scanner/lab/ip/127.77.0.5"))

	// Nothing answers any more: loopback refuses every connect, so only
	// the neighbour table is read, and it is empty.
	s.opts.NeighbourTable = filepath.Join(t.TempDir(), "arp-empty")
	require.NoError(t, os.WriteFile(s.opts.NeighbourTable, []byte("IP address HW type Flags HW address Mask Device\n"), 0o600))
	s.opts.methods = map[string]bool{MethodNeighbours: true}
	snap, err = s.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""))
	require.Len(t, snap.Gaps, 6, "every address seen before is kept once")
	g := snap.Gaps[4]
	assert.Equal(t, "scanner/lab/ip/127.77.0.5", g.Under)
	assert.True(t, g.Covers(inventory.KindIPAddress, "scanner/lab/ip/127.77.0.5"))
	assert.True(t, g.Covers(inventory.KindMACAddress, "scanner/lab/ip/127.77.0.5/mac"))
	assert.True(t, g.Covers(inventory.KindService, "scanner/lab/ip/127.77.0.5/service/tcp/22"))
	assert.True(t, strings.Contains(g.Why, "did not answer in the last 1 of up to 2 runs"), g.Why)

	snap, err = s.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, snap.Gaps, "silent for missed_runs runs: reported gone")
}

// TestMissedRunsFromState: DiscoverFrom counts from the state it is given,
// not from the Source's memory: each run here is a new Source.
func TestMissedRunsFromState(t *testing.T) {
	l := newLab(t, "missed_runs: 2\nmethods: [neighbours]\n")
	s, _ := newSource(t, l.settings)
	_, state, err := s.DiscoverFrom(context.Background(), nil, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"misses":{"127.77.0.2":0,"127.77.0.5":0}}`, string(state))

	empty := filepath.Join(t.TempDir(), "arp-empty")
	require.NoError(t, os.WriteFile(empty, []byte("IP address HW type Flags HW address Mask Device\n"), 0o600))
	restarted := func() *Source {
		s, _ := newSource(t, l.settings)
		s.opts.NeighbourTable = empty
		return s
	}
	snap, state, err := restarted().DiscoverFrom(context.Background(), nil, state)
	require.NoError(t, err)
	require.Len(t, snap.Gaps, 2)
	assert.Contains(t, snap.Gaps[1].Why, "127.77.0.5 did not answer in the last 1 of up to 2 runs")
	snap, state, err = restarted().DiscoverFrom(context.Background(), nil, state)
	require.NoError(t, err)
	assert.Empty(t, snap.Gaps, "silent for missed_runs runs: reported gone")
	assert.JSONEq(t, `{"misses":{}}`, string(state))
}

func TestReadHistory(t *testing.T) {
	for _, tc := range []struct {
		name, state string
		want        map[string]int
		err         string
	}{
		{name: "none", state: "", want: map[string]int{}},
		{name: "null", state: "null", want: map[string]int{}},
		{name: "counts", state: `{"misses":{"192.0.2.1":0,"2001:db8::1":2}}`, want: map[string]int{"192.0.2.1": 0, "2001:db8::1": 2}},
		{name: "not json", state: `[1,2`, want: map[string]int{}, err: "decode the scanner's state"},
		{name: "no address", state: `{"misses":{"printer":1}}`, want: map[string]int{}, err: `"printer": 1 is no address`},
		{name: "negative", state: `{"misses":{"192.0.2.1":-1}}`, want: map[string]int{}, err: `"192.0.2.1": -1 is no address`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := readHistory([]byte(tc.state))
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.want, h.Misses)
		})
	}
}

// TestStateThatDoesNotDecodeIsAWarning: a state an older release wrote
// starts the count over, with a warning, instead of failing the scan.
func TestStateThatDoesNotDecodeIsAWarning(t *testing.T) {
	l := newLab(t, "methods: [neighbours]\n")
	s, _ := newSource(t, l.settings)
	snap, state, err := s.DiscoverFrom(context.Background(), nil, []byte(`{"misses":[]}`))
	require.NoError(t, err)
	assert.Contains(t, strings.Join(snap.Warnings, "\n"), "decode the scanner's state")
	assert.JSONEq(t, `{"misses":{"127.77.0.2":0,"127.77.0.5":0}}`, string(state))
}

// TestDiscoveredRole: with discovered_role, each live host also has a
// device of the role, named after its reverse DNS name or else its
// address, and an interface, both marked as standing in for the address;
// a silent host's gap covers them too.
func TestDiscoveredRole(t *testing.T) {
	l := newLab(t, "discovered_role: Discovered\ndiscovered_site: Lab\nmissed_runs: 2\n")
	s, _ := newSource(t, l.settings)
	snap, err := s.Discover(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, sourcetest.RecordsOf(snap, inventory.KindDevice, ""), 6, "one per live address")
	require.Len(t, sourcetest.RecordsOf(snap, inventory.KindInterface, ""), 6)

	for addr, name := range map[string]string{"127.77.0.2": "printer.lab.example", "127.77.0.5": "127.77.0.5"} {
		ip := "scanner/lab/ip/" + addr
		dev := sourcetest.Find(snap, ip+"/device")
		require.NotNil(t, dev, addr)
		assert.Equal(t, name, dev.String("name"))
		assert.Equal(t, "active", dev.String("status"))
		assert.Equal(t, ip, dev.StandIn)
		assert.Equal(t, inventory.SharedKey(inventory.KindDeviceRole, "Discovered"), dev.Refs["role"])
		assert.Equal(t, inventory.SharedKey(inventory.KindSite, "Lab"), dev.Refs["site"])
		assert.Equal(t, inventory.SharedKey(inventory.KindDeviceType, "Unknown Unknown"), dev.Refs["device_type"])
		iface := sourcetest.Find(snap, ip+"/device/iface/scan0")
		require.NotNil(t, iface, addr)
		assert.Equal(t, dev.Key, iface.Refs["device"])
		assert.Equal(t, ip, iface.StandIn)
		assert.NoError(t, dev.Validate())
		assert.NoError(t, iface.Validate())
	}
	assert.Equal(t, fmt.Sprintf("scanner: open tcp %d", l.portA), sourcetest.Find(snap, "scanner/lab/ip/127.77.0.2/device").String("description"))
	for _, kind := range []inventory.Kind{inventory.KindDeviceRole, inventory.KindSite, inventory.KindManufacturer, inventory.KindDeviceType} {
		assert.Len(t, sourcetest.RecordsOf(snap, kind, ""), 1, kind)
	}

	s.opts.NeighbourTable = filepath.Join(t.TempDir(), "arp-empty")
	require.NoError(t, os.WriteFile(s.opts.NeighbourTable, []byte("IP address HW type Flags HW address Mask Device\n"), 0o600))
	s.opts.methods = map[string]bool{MethodNeighbours: true}
	snap, err = s.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindDevice, ""))
	require.NotEmpty(t, snap.Gaps)
	g := snap.Gaps[0]
	assert.True(t, g.Covers(inventory.KindDevice, g.Under+"/device"))
	assert.True(t, g.Covers(inventory.KindInterface, g.Under+"/device/iface/scan0"))
}
