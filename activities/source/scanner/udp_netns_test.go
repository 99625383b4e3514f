package scanner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// TestNetnsUDP scans 10.213.0.0/26 on UDP only (161/udp and 7/udp): the
// SNMP agent of community public at .10 is open on 161, the echo service
// at .12 on 7; the agent of labCommunity at .11 drops the request
// (of community public, as both agents see) and is not; every other host of b answers with ICMP port unreachable
// (rate limiting is off in b, so that each one does), which makes it live
// with no open port, and .60, which drops every reply, stays unseen. One
// datagram per port and address, none outside cidrs.
func TestNetnsUDP(t *testing.T) {
	l := newNetnsLab(t)
	l.Run(t, "b", "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
	seen := l.serve(t)
	before := l.txPackets(t, "a", "a1")
	snap, prog, secs := l.scan(t, "cidrs: [10.213.0.0/26]\nports: [161/udp, 7/udp]\nmethods: [udp, dns]\nresolver: DNS\ntimeout: 500ms\n")
	for _, agent := range []string{"10.213.0.10", "10.213.0.11"} {
		assert.Eventually(t, func() bool { return len(seen.communities(agent)) > 0 }, 2*time.Second, 10*time.Millisecond, agent)
		assert.Equal(t, []string{"public"}, seen.communities(agent), "%s: no community set is public", agent)
	}
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

// TestNetnsSNMPCommunity scans with the community in
// snmp_community_file: the agent of that community at .11 answers and
// the agent of community public at .10 does not; both were asked with
// the configured community and nothing else. The community is in none of
// what the scan left: records, progress reports, logs at debug level, the
// helper's output, nor in --print-config's form of the config.
func TestNetnsSNMPCommunity(t *testing.T) {
	l := newNetnsLab(t)
	seen := l.serve(t)
	file := filepath.Join(t.TempDir(), "snmp.community")
	require.NoError(t, os.WriteFile(file, []byte(labCommunity+"\n"), 0o600))
	settings := "cidrs: [10.213.0.8/29]\nports: [161/udp]\nmethods: [udp]\ntimeout: 500ms\nsnmp_community_file: " + file + "\n"
	res := l.scanAll(t, settings)

	for _, agent := range []string{"10.213.0.10", "10.213.0.11"} {
		assert.Eventually(t, func() bool { return len(seen.communities(agent)) > 0 }, 2*time.Second, 10*time.Millisecond, agent)
		assert.Equal(t, []string{labCommunity}, seen.communities(agent), "%s was asked with the configured community", agent)
	}
	assert.NotNil(t, sourcetest.Find(&res.Snap, "scanner/lab/ip/10.213.0.11/service/udp/161"), "the agent of the configured community answered")
	assert.Nil(t, sourcetest.Find(&res.Snap, "scanner/lab/ip/10.213.0.10/service/udp/161"), "the agent of community public did not")
	assert.Equal(t, "scanner: open udp 161", sourcetest.Find(&res.Snap, "scanner/lab/ip/10.213.0.11").String("description"))

	snap, err := json.Marshal(res.Snap)
	require.NoError(t, err)
	places := map[string]string{
		"records":      string(snap),
		"progress":     fmt.Sprintf("%s", res.Reports),
		"logs":         strings.Join(res.Logs, "\n"),
		"output":       res.Output,
		"print-config": redactedConfig(t, settings),
	}
	require.NotEmpty(t, res.Reports, "progress was reported")
	require.Contains(t, places["logs"], "scan finished", "the logs were captured")
	require.Contains(t, places["print-config"], "snmp_community_file", "the config was printed")
	for where, text := range places {
		assert.NotContains(t, text, labCommunity, "the community is in the %s", where)
	}
}
