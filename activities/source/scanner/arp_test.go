package scanner

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/scanner/scantest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// pairLab is a lab of two namespaces linked by a veth, a0 in a (the
// scanner) and b0 in b (the hosts), for one address family.
type pairLab struct {
	name   string   // the namespaces' prefix
	sysctl []string // set in both namespaces before the veth is made
	a      string   // a0's address
	b      []string // b0's addresses
	addr   []string // added to each "ip addr add"
	quiet  string   // the sysctl that makes b ignore ICMP echo
}

// build makes the lab, or skips when namespaces cannot be made. b's hosts
// listen on nothing and ignore ICMP echo: only ARP or NDP finds them.
func (p pairLab) build(t *testing.T) netnsLab {
	t.Helper()
	l := netnsLab{Netns: scantest.NewNetns(t, p.name, []string{"a", "b"}, p.sysctl...)}
	l.Veth(t, "a", "a0", "b", "b0")
	l.Run(t, "a", append([]string{"ip", "addr", "add", p.a, "dev", "a0"}, p.addr...)...)
	for _, a := range p.b {
		l.Run(t, "b", append([]string{"ip", "addr", "add", a, "dev", "b0"}, p.addr...)...)
	}
	l.Run(t, "b", "sysctl", "-qw", p.quiet)
	l.Run(t, "a", "ip", "link", "set", "a0", "up")
	l.Run(t, "b", "ip", "link", "set", "b0", "up")
	l.Run(t, "a", "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
	return l
}

// newARPLab builds namespace a (10.214.0.1/24 on a0) linked by veth to
// namespace b, whose 10.214.0.2 and .3 listen on nothing and ignore ICMP
// echo (net.ipv4.icmp_echo_ignore_all=1 in b): only ARP finds them.
func newARPLab(t *testing.T) netnsLab {
	return pairLab{
		name:   "nbarp",
		sysctl: []string{"net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"},
		a:      "10.214.0.1/24",
		b:      []string{"10.214.0.2/24", "10.214.0.3/24"},
		quiet:  "net.ipv4.icmp_echo_ignore_all=1",
	}.build(t)
}

// newNDPLab builds namespace a (fd00:214::1/64 on a0) linked by veth to
// namespace b, whose fd00:214::2 and ::3 listen on nothing and ignore
// ICMPv6 echo (net.ipv6.icmp.echo_ignore_all=1 in b): only NDP finds them.
// Duplicate address detection is off, so that the addresses, and a0's
// link-local address NDP speaks from, are usable at once.
func newNDPLab(t *testing.T) netnsLab {
	return pairLab{
		name: "nbndp",
		sysctl: []string{"net.ipv6.conf.all.disable_ipv6=0", "net.ipv6.conf.default.disable_ipv6=0",
			"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"},
		a:     "fd00:214::1/64",
		b:     []string{"fd00:214::2/64", "fd00:214::3/64"},
		addr:  []string{"nodad"},
		quiet: "net.ipv6.icmp.echo_ignore_all=1",
	}.build(t)
}

// assertLinkOnly asserts the scan found each of addrs as answering proto
// alone, with mac, and nothing else but the scanner's own address.
func assertLinkOnly(t *testing.T, l netnsLab, settings, proto string, addrs []string, absent string) Progress {
	t.Helper()
	mac, ok := inventory.NormalizeMAC(strings.TrimSpace(l.Run(t, "b", "cat", "/sys/class/net/b0/address")))
	require.True(t, ok)
	snap, prog, _ := l.scan(t, settings)
	assert.Empty(t, snap.Warnings)
	assert.Equal(t, StepDone, prog.Step)
	for _, a := range addrs {
		ip := sourcetest.Find(snap, "scanner/lab/ip/"+a)
		if !assert.NotNil(t, ip, a) {
			continue
		}
		assert.Equal(t, "scanner: answers "+proto+" only", ip.String("description"))
		m := sourcetest.Find(snap, "scanner/lab/ip/"+a+"/mac")
		if assert.NotNil(t, m, a) {
			assert.Equal(t, mac, m.String("mac_address"))
		}
	}
	assert.Nil(t, sourcetest.Find(snap, "scanner/lab/ip/"+absent), "no host there")
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""), len(addrs)+1, "the hosts and the scanner's own address")
	return prog
}

// TestNetnsARP: with methods [icmp, arp], the hosts that ignore ping and
// listen on nothing are found by their ARP answers, with their MACs; ICMP
// alone finds only the scanner's own address.
func TestNetnsARP(t *testing.T) {
	l := newARPLab(t)
	snap, _, _ := l.scan(t, "cidrs: [10.214.0.0/28]\nmethods: [icmp]\ntimeout: 500ms\n")
	require.Len(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""), 1, "ICMP alone: the scanner's own address only")

	prog := assertLinkOnly(t, l, "cidrs: [10.214.0.0/28]\nmethods: [icmp, arp]\ntimeout: 500ms\n",
		"ARP", []string{"10.214.0.2", "10.214.0.3"}, "10.214.0.4")
	assert.Equal(t, int64(14+13), prog.ProbesSent, "one echo per address, and one ARP request per address but the scanner's own")
}

// TestNetnsNDP: with methods [icmp, ndp], the IPv6 hosts that ignore ping
// and listen on nothing are found by their Neighbor Advertisements, with
// their MACs; ICMP alone finds only the scanner's own address.
func TestNetnsNDP(t *testing.T) {
	l := newNDPLab(t)
	snap, _, _ := l.scan(t, "cidrs: [\"fd00:214::/125\"]\nmethods: [icmp]\ntimeout: 500ms\n")
	require.Len(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""), 1, "ICMP alone: the scanner's own address only")

	prog := assertLinkOnly(t, l, "cidrs: [\"fd00:214::/125\"]\nmethods: [icmp, ndp]\ntimeout: 500ms\n",
		"NDP", []string{"fd00:214::2", "fd00:214::3"}, "fd00:214::4")
	assert.Equal(t, int64(7+6), prog.ProbesSent, "one echo per address but the anycast ::0, and one solicitation per address but the scanner's own")

	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("the run without CAP_NET_RAW needs util-linux's setpriv")
	}
	snap, prog, _ = l.scan(t, "cidrs: [\"fd00:214::/125\"]\nmethods: [icmp, ndp]\ntimeout: 500ms\n",
		"setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", "--")
	require.Len(t, snap.Warnings, 1, "without CAP_NET_RAW: one warning")
	assert.Contains(t, snap.Warnings[0], "ndp on a0 needs CAP_NET_RAW")
	assert.Contains(t, snap.Warnings[0], "no NDP requests this run")
	assert.Equal(t, StepDone, prog.Step, "the run goes on")
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""), 1, "ICMP alone: the scanner's own address only")
	assert.Equal(t, int64(7), prog.ProbesSent, "the echoes only: no solicitation went out")
}
