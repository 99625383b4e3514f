package scanner

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source/scanner/scantest"
)

func TestParseARP(t *testing.T) {
	f, err := os.Open("testdata/arp")
	require.NoError(t, err)
	defer f.Close()
	got, bad, err := parseARP(f)
	require.NoError(t, err)
	assert.Equal(t, 1, bad, "the line whose address does not read")
	assert.Equal(t, []neighbour{
		{addr: netip.MustParseAddr("127.77.0.2"), mac: "52:54:00:aa:00:02", device: "lo"},
		{addr: netip.MustParseAddr("127.77.0.5"), mac: "52:54:00:aa:00:05", device: "lo"},
		{addr: netip.MustParseAddr("10.9.9.9"), mac: "52:54:00:aa:09:09", device: "eth0"},
	}, got, "the incomplete entry is left out")
}

func TestPingAllowed(t *testing.T) {
	gid := os.Getgid()
	cases := []struct {
		name, content string
		ok            bool
		why           string
	}{
		{"off", "1\t0\n", false, "net.ipv4.ping_group_range (1 0)"},
		{"everyone", "0\t2147483647\n", true, ""},
		{"the worker's group", fmt.Sprintf("%d %d", gid, gid), true, ""},
		{"not a range", "garbage\n", false, "not a range"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "range")
			require.NoError(t, os.WriteFile(p, []byte(tc.content), 0o600))
			ok, why := pingAllowed(p)
			assert.Equal(t, tc.ok, ok)
			assert.Contains(t, why, tc.why)
		})
	}
	ok, why := pingAllowed(filepath.Join(t.TempDir(), "missing"))
	assert.True(t, ok, "no sysctl file: try")
	assert.Empty(t, why)
}

func TestProbeICMPLoopback(t *testing.T) {
	if ok, why := pingAllowed("/proc/sys/net/ipv4/ping_group_range"); !ok {
		t.Skip("no ping socket here: " + why)
	}
	ok, err := probeICMP(context.Background(), netip.MustParseAddr("127.0.0.1"), 2*time.Second)
	require.NoError(t, err)
	assert.True(t, ok, "loopback answers echo")
}

func TestProbeTCP(t *testing.T) {
	port := scantest.Listen(t, "127.77.0.2:0")
	a := netip.MustParseAddr("127.77.0.2")
	assert.Equal(t, tcpOpen, probeTCP(context.Background(), a, port, time.Second))
	closed := scantest.Listen(t, "127.77.0.4:0") // a port taken on .4 only: .3 has nothing on it
	assert.Equal(t, tcpRefused, probeTCP(context.Background(), netip.MustParseAddr("127.77.0.3"), closed, time.Second))
}

func TestReverseName(t *testing.T) {
	dns, queries := scantest.ServeDNS(t, map[string]string{"127.77.0.2": "printer.lab.example.", "::1": "localhost6.lab.example."})
	r := newResolver(dns, time.Second)
	for _, tc := range []struct{ addr, name string }{
		{"127.77.0.2", "printer.lab.example"}, {"::1", "localhost6.lab.example"}, {"127.77.0.9", ""},
	} {
		name, err := reverseName(context.Background(), r, netip.MustParseAddr(tc.addr), time.Second)
		require.NoError(t, err, tc.addr)
		assert.Equal(t, tc.name, name, tc.addr)
	}
	assert.Positive(t, queries.Load(), "the configured server was asked")
	// A server that does not answer is an error, not a missing name.
	_, err := reverseName(context.Background(), newResolver("127.0.0.1:9", 200*time.Millisecond), netip.MustParseAddr("127.77.0.2"), 300*time.Millisecond)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "reverse lookup 127.77.0.2"), err.Error())
}
