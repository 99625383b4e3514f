package scanner

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/scanner/scantest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// tlv writes one BER element by hand (short or one-byte long length), so
// that the expected packets do not come from encoding/asn1.
func tlv(tag byte, parts ...[]byte) []byte {
	var body []byte
	for _, p := range parts {
		body = append(body, p...)
	}
	if len(body) < 0x80 {
		return append([]byte{tag, byte(len(body))}, body...)
	}
	return append([]byte{tag, 0x81, byte(len(body))}, body...)
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

// TestSNMPGetRequest: the GetRequest of sysDescr.0 is the packet
// net-snmp's snmpget -v2c sends, byte for byte.
func TestSNMPGetRequest(t *testing.T) {
	for _, tc := range []struct {
		community string
		id        int32
		want      string
	}{
		{"public", 1, "30 26 02 01 01 04 06 7075626c6963 a0 19 02 01 01 02 01 00 02 01 00 30 0e 30 0c 06 08 2b 06 01 02 01 01 01 00 05 00"},
		{"public", 0x12345678, "30 29 02 01 01 04 06 7075626c6963 a0 1c 02 04 12345678 02 01 00 02 01 00 30 0e 30 0c 06 08 2b 06 01 02 01 01 01 00 05 00"},
		{"lab", -1, "30 23 02 01 01 04 03 6c6162 a0 19 02 01 ff 02 01 00 02 01 00 30 0e 30 0c 06 08 2b 06 01 02 01 01 01 00 05 00"},
	} {
		got, err := snmpGetRequest(tc.community, tc.id)
		require.NoError(t, err)
		assert.Equal(t, hex.EncodeToString(unhex(t, tc.want)), hex.EncodeToString(got), "%s %d", tc.community, tc.id)
	}
}

// TestSNMPAnswers: only a well-formed v2c GetResponse with the request's
// ID counts; the request echoed back, another ID, SNMPv1, a cut or padded
// packet, and noise do not.
func TestSNMPAnswers(t *testing.T) {
	oid := unhex(t, "06 08 2b 06 01 02 01 01 01 00")
	varbinds := func(value []byte) []byte { return tlv(0x30, tlv(0x30, oid, value)) }
	msg := func(version byte, pduTag byte, id []byte, value []byte) []byte {
		return tlv(0x30, []byte{0x02, 0x01, version}, tlv(0x04, []byte("public")),
			tlv(pduTag, tlv(0x02, id), []byte{0x02, 0x01, 0x00, 0x02, 0x01, 0x00}, varbinds(value)))
	}
	descr := tlv(0x04, []byte("Linux lab 6.1.0 x86_64"))
	long := tlv(0x04, []byte(strings.Repeat("a switch that says a lot about itself. ", 4)))
	request, err := snmpGetRequest("public", 7)
	require.NoError(t, err)
	cases := []struct {
		name  string
		reply []byte
		want  bool
	}{
		{"get response", msg(1, 0xa2, []byte{7}, descr), true},
		{"long form length", msg(1, 0xa2, []byte{7}, long), true},
		{"noSuchObject is an answer", msg(1, 0xa2, []byte{7}, []byte{0x80, 0x00}), true},
		{"the request echoed", request, false},
		{"another request id", msg(1, 0xa2, []byte{8}, descr), false},
		{"snmpv1", msg(0, 0xa2, []byte{7}, descr), false},
		{"a trap", msg(1, 0xa7, []byte{7}, descr), false},
		{"cut short", msg(1, 0xa2, []byte{7}, descr)[:20], false},
		{"trailing bytes", append(msg(1, 0xa2, []byte{7}, descr), 0x00), false},
		{"empty", nil, false},
		{"noise", []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, snmpAnswers(tc.reply, 7), tc.name)
	}
}

// TestProbeUDP probes loopback ports: an SNMP agent of the right community
// answers (open), of another community stays silent, an echo service
// answers an empty datagram but not as SNMP, and a closed port answers
// with an ICMP port unreachable (refused).
func TestProbeUDP(t *testing.T) {
	ctx := context.Background()
	port := func(addr string) int { return int(netip.MustParseAddrPort(addr).Port()) }
	lo := netip.MustParseAddr("127.0.0.1")
	agent := port(scantest.ServeSNMP(t, "127.0.0.1:0", "public", "Linux lab"))
	private := port(scantest.ServeSNMP(t, "127.0.0.1:0", "private", "Linux lab"))
	echo := port(scantest.ServeUDPEcho(t, "127.0.0.1:0"))
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := port(pc.LocalAddr().String())
	require.NoError(t, pc.Close())

	snmp := func(t *testing.T) udpRequest {
		req, err := newUDPRequest(snmpPort, "public", 42)
		require.NoError(t, err)
		return req
	}(t)
	empty, err := newUDPRequest(9, "public", 1)
	require.NoError(t, err)
	assert.Empty(t, empty.payload, "a port other than 161 gets an empty datagram")

	cases := []struct {
		name string
		port int
		req  udpRequest
		want udpAnswer
	}{
		{"snmp agent", agent, snmp, udpOpen},
		{"another community", private, snmp, udpSilent},
		{"echo asked snmp", echo, snmp, udpSilent},
		{"echo asked empty", echo, empty, udpOpen},
		{"closed", closed, empty, udpRefused},
	}
	for _, tc := range cases {
		start := time.Now()
		got := probeUDP(ctx, lo, tc.port, tc.req, 300*time.Millisecond)
		assert.Equal(t, tc.want, got, tc.name)
		assert.Less(t, time.Since(start), time.Second, "%s: one timeout at most", tc.name)
	}

	cancelled, cancel := context.WithCancel(ctx)
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	assert.Equal(t, udpSilent, probeUDP(cancelled, lo, private, snmp, 10*time.Second))
	assert.Less(t, time.Since(start), 2*time.Second, "a cancelled probe stops at once")
}

// TestUDPOnLoopback scans 127.77.0.0/29 on two UDP ports only, at 40
// probes a second: the echo service at .3 is open on its port; every
// address answers the closed port with an ICMP port unreachable (loopback
// is never rate-limited), so all are live. Each datagram is a probe under
// the rate, and the cursor goes through the addresses as with TCP.
func TestUDPOnLoopback(t *testing.T) {
	echo := int(netip.MustParseAddrPort(scantest.ServeUDPEcho(t, "127.77.0.3:0")).Port())
	pc, err := net.ListenPacket("udp", "127.77.0.3:0")
	require.NoError(t, err)
	closed := int(netip.MustParseAddrPort(pc.LocalAddr().String()).Port())
	require.NoError(t, pc.Close())
	settings := fmt.Sprintf("cidrs: [127.77.0.0/29]\nports: [%d/udp, %d/udp]\nmethods: [udp]\nrate: 40\nconcurrency: 8\ntimeout: 500ms\n", echo, closed)
	s, _ := newSource(t, settings)
	snap, last, elapsed := timedDiscover(t, s)
	assert.Equal(t, int64(12), last.ProbesSent, "6 addresses, 2 UDP ports")
	assert.Equal(t, 6, last.AddressesDone)
	assert.Equal(t, "127.77.0.6", last.Cursor)
	assert.GreaterOrEqual(t, elapsed, 11*25*time.Millisecond, "the rate is honoured")

	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""), 6, "a port unreachable shows the host")
	ip := sourcetest.Find(snap, "scanner/lab/ip/127.77.0.3")
	require.NotNil(t, ip)
	assert.Equal(t, fmt.Sprintf("scanner: open udp %d", echo), ip.String("description"))
	assert.Empty(t, sourcetest.Find(snap, "scanner/lab/ip/127.77.0.2").String("description"), "refused is no open port")
	services := sourcetest.RecordsOf(snap, inventory.KindService, "")
	require.Len(t, services, 1)
	assert.Equal(t, fmt.Sprintf("scanner/lab/ip/127.77.0.3/service/udp/%d", echo), services[0].Key)
	assert.Equal(t, "udp", services[0].String("protocol"))
	assert.Equal(t, fmt.Sprintf("udp-%d", echo), services[0].String("name"))
}
