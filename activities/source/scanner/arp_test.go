package scanner

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// newARPLab builds namespace a (10.214.0.1/24 on a0) linked by veth to
// namespace b, whose 10.214.0.2 and .3 listen on nothing and ignore ICMP
// echo (net.ipv4.icmp_echo_ignore_all=1 in b): only ARP finds them.
func newARPLab(t *testing.T) netnsLab {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("network namespace tests need root (ip netns add); run as root, as CI does")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("network namespace tests need iproute2's ip")
	}
	l := netnsLab{prefix: fmt.Sprintf("nbarp%d", os.Getpid()%100000)}
	for _, n := range []string{"a", "b"} {
		if out, err := exec.Command("ip", "netns", "add", l.ns(n)).CombinedOutput(); err != nil {
			t.Skipf("cannot make a network namespace here: %s", strings.TrimSpace(string(out)))
		}
		name := l.ns(n)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
		l.inNS(t, n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
		l.inNS(t, n, "ip", "link", "set", "lo", "up")
	}
	runCmd(t, "ip", "link", "add", "a0", "netns", l.ns("a"), "type", "veth", "peer", "name", "b0", "netns", l.ns("b"))
	l.inNS(t, "a", "ip", "addr", "add", "10.214.0.1/24", "dev", "a0")
	l.inNS(t, "b", "ip", "addr", "add", "10.214.0.2/24", "dev", "b0")
	l.inNS(t, "b", "ip", "addr", "add", "10.214.0.3/24", "dev", "b0")
	l.inNS(t, "b", "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1")
	l.inNS(t, "a", "ip", "link", "set", "a0", "up")
	l.inNS(t, "b", "ip", "link", "set", "b0", "up")
	l.inNS(t, "a", "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
	return l
}

// TestNetnsARP: with methods [icmp, arp], the hosts that ignore ping and
// listen on nothing are found by their ARP answers, with their MACs; ICMP
// alone finds only the scanner's own address.
func TestNetnsARP(t *testing.T) {
	l := newARPLab(t)
	mac, ok := inventory.NormalizeMAC(strings.TrimSpace(l.inNS(t, "b", "cat", "/sys/class/net/b0/address")))
	require.True(t, ok)

	snap, prog, _ := l.scan(t, "cidrs: [10.214.0.0/28]\nmethods: [icmp]\ntimeout: 500ms\n")
	require.Len(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""), 1, "ICMP alone: the scanner's own address only")

	snap, prog, _ = l.scan(t, "cidrs: [10.214.0.0/28]\nmethods: [icmp, arp]\ntimeout: 500ms\n")
	assert.Empty(t, snap.Warnings)
	assert.Equal(t, StepDone, prog.Step)
	for _, a := range []string{"10.214.0.2", "10.214.0.3"} {
		ip := sourcetest.Find(snap, "scanner/lab/ip/"+a)
		if !assert.NotNil(t, ip, a) {
			continue
		}
		assert.Equal(t, "scanner: answers ARP only", ip.String("description"))
		m := sourcetest.Find(snap, "scanner/lab/ip/"+a+"/mac")
		if assert.NotNil(t, m, a) {
			assert.Equal(t, mac, m.String("mac_address"))
		}
	}
	assert.Nil(t, sourcetest.Find(snap, "scanner/lab/ip/10.214.0.4"), "no host there")
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""), 3)
	assert.Equal(t, int64(14+13), prog.ProbesSent, "one echo per address, and one ARP request per address but the scanner's own")
}
