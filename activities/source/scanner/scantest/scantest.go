// Package scantest holds what tests of the scanner share: TCP listeners on
// loopback addresses and a small DNS server on loopback that answers PTR
// queries from a table, so that a scan meets real sockets and real DNS
// without leaving the machine.
package scantest

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"
)

// Listen opens a TCP listener on addr (a loopback address, port 0) that
// accepts and closes connections until the test ends, and returns its port.
func Listen(t *testing.T, addr string) int {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() }) //nolint:errcheck // the test is over
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// ServeDNS answers PTR queries on a loopback UDP port from names (address
// -> name) and NXDOMAIN for every other question; it returns the server's
// address and a count of the queries it got.
func ServeDNS(t *testing.T, names map[string]string) (string, *atomic.Int64) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	ptr := map[string]string{}
	for a, n := range names {
		arpa, err := dnsmessage.NewName(reverseZone(netip.MustParseAddr(a)))
		require.NoError(t, err)
		ptr[strings.ToLower(arpa.String())] = n
	}
	queries := new(atomic.Int64)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			queries.Add(1)
			if out, ok := answer(buf[:n], ptr); ok {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	return pc.LocalAddr().String(), queries
}

// answer builds the reply to one query.
func answer(q []byte, ptr map[string]string) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil, false
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 {
		return nil, false
	}
	resp := dnsmessage.Message{Header: dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired},
		Questions: qs}
	name, ok := ptr[strings.ToLower(qs[0].Name.String())]
	if ok && qs[0].Type == dnsmessage.TypePTR {
		target, err := dnsmessage.NewName(name)
		if err != nil {
			return nil, false
		}
		resp.Answers = []dnsmessage.Resource{{Header: dnsmessage.ResourceHeader{Name: qs[0].Name, Type: dnsmessage.TypePTR, Class: dnsmessage.ClassINET, TTL: 60},
			Body: &dnsmessage.PTRResource{PTR: target}}}
	} else if !ok {
		resp.RCode = dnsmessage.RCodeNameError
	}
	out, err := resp.Pack()
	return out, err == nil
}

// reverseZone is the in-addr.arpa or ip6.arpa name of a.
func reverseZone(a netip.Addr) string {
	b := a.AsSlice()
	var parts []string
	if a.Is4() {
		for i := len(b) - 1; i >= 0; i-- {
			parts = append(parts, strconv.Itoa(int(b[i])))
		}
		return strings.Join(parts, ".") + ".in-addr.arpa."
	}
	const hex = "0123456789abcdef"
	for i := len(b) - 1; i >= 0; i-- {
		parts = append(parts, string(hex[b[i]&0xf]), string(hex[b[i]>>4]))
	}
	return strings.Join(parts, ".") + ".ip6.arpa."
}
