package scanner

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// TestNetnsUDP scans 10.213.0.0/26 on UDP only (161/udp and 7/udp): the
// SNMP agent of community public at .10 is open on 161, the echo service
// at .12 on 7; the agent of community private at .11 drops the request
// and is not; every other host of b answers with ICMP port unreachable
// (rate limiting is off in b, so that each one does), which makes it live
// with no open port, and .60, which drops every reply, stays unseen. One
// datagram per port and address, none outside cidrs.
func TestNetnsUDP(t *testing.T) {
	l := newNetnsLab(t)
	l.Run(t, "b", "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
	l.serve(t)
	before := l.txPackets(t, "a", "a1")
	snap, prog, secs := l.scan(t, "cidrs: [10.213.0.0/26]\nports: [161/udp, 7/udp]\nmethods: [udp, dns]\nresolver: DNS\ntimeout: 500ms\n")
	assert.Equal(t, before, l.txPackets(t, "a", "a1"), "nothing was sent outside cidrs")
	t.Logf("scanned 62 addresses on 2 UDP ports in %.1fs, %d probes", secs, prog.ProbesSent)
	sourcetest.CheckStructure(t, SourceType, "lab", snap)
	assert.Equal(t, int64(62*2), prog.ProbesSent, "one datagram per UDP port, per address")

	addrs := map[string]inventory.Record{}
	for _, r := range sourcetest.RecordsOf(snap, inventory.KindIPAddress, "") {
		addrs[r.String("address")] = r
	}
	assert.Len(t, addrs, 22, "the 20 hosts, .50 and the scanner's own address; not .60: %v", keysOf(addrs))
	assert.NotContains(t, addrs, "10.213.0.60/32")
	for addr, want := range map[string]string{
		"10.213.0.10/32": "scanner: open udp 161",
		"10.213.0.11/32": "",
		"10.213.0.12/32": "scanner: open udp 7",
		"10.213.0.13/32": "",
		"10.213.0.50/32": "",
	} {
		r, ok := addrs[addr]
		if assert.True(t, ok, addr) {
			assert.Equal(t, want, r.String("description"), addr)
		}
	}
	agent := addrs["10.213.0.10/32"]
	assert.Equal(t, "host10.lab.example", agent.String("dns_name"))

	services := sourcetest.RecordsOf(snap, inventory.KindService, "")
	require.Len(t, services, 2, "snmp on .10, echo on .12")
	for key, want := range map[string][2]string{
		"scanner/lab/ip/10.213.0.10/service/udp/161": {"snmp", "161"},
		"scanner/lab/ip/10.213.0.12/service/udp/7":   {"echo", "7"},
	} {
		svc := sourcetest.Find(snap, key)
		if assert.NotNil(t, svc, key) {
			assert.Equal(t, want[0], svc.String("name"), key)
			assert.Equal(t, "udp", svc.String("protocol"), key)
			assert.Equal(t, "["+want[1]+"]", fmt.Sprint(svc.Attrs["ports"]), key)
		}
	}
}
