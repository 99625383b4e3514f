package scantest

import (
	"encoding/asn1"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// snmpMessage is an SNMP message as an agent reads it: version,
// community, and the PDU with its context tag.
type snmpMessage struct {
	Version   int
	Community []byte
	PDU       asn1.RawValue
}

// snmpPDU is a request or response PDU under a SEQUENCE tag.
type snmpPDU struct {
	RequestID   int64
	ErrorStatus int
	ErrorIndex  int
	VarBinds    []snmpVarBind
}

type snmpVarBind struct {
	Name  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// ServeSNMP answers SNMPv2c GetRequests on UDP addr (port 161 in a
// namespace the test made, or a loopback port 0) as an agent with
// community does: a GetResponse carrying descr for every object asked;
// requests of another community, or that do not decode, get no answer,
// like a real agent. It returns the address it serves, closed when the
// test ends.
func ServeSNMP(t testing.TB, addr, community, descr string) string {
	t.Helper()
	return ServeSNMPSeen(t, addr, community, descr, func(string) {})
}

// ServeSNMPSeen is ServeSNMP that calls seen with the community of every
// SNMPv2c message it decodes, answered or not, so that a test can tell
// which community a probe carried.
func ServeSNMPSeen(t testing.TB, addr, community, descr string, seen func(community string)) string {
	t.Helper()
	return serveUDP(t, addr, func(req []byte) ([]byte, bool) {
		var m snmpMessage
		if _, err := asn1.Unmarshal(req, &m); err == nil && m.Version == 1 {
			seen(string(m.Community))
		}
		return snmpReply(req, community, descr)
	})
}

// serveUDP answers each datagram on UDP addr with what answer gives, or
// not at all; it returns the address it serves, closed when the test ends.
func serveUDP(t testing.TB, addr string, answer func(req []byte) ([]byte, bool)) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out, ok := answer(buf[:n]); ok {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// snmpReply is the GetResponse to one GetRequest.
func snmpReply(req []byte, community, descr string) ([]byte, bool) {
	var m snmpMessage
	if _, err := asn1.Unmarshal(req, &m); err != nil || m.Version != 1 || string(m.Community) != community {
		return nil, false
	}
	if m.PDU.Class != asn1.ClassContextSpecific || m.PDU.Tag != 0 {
		return nil, false
	}
	seq := append([]byte{0x30}, m.PDU.FullBytes[1:]...)
	var p snmpPDU
	if _, err := asn1.Unmarshal(seq, &p); err != nil {
		return nil, false
	}
	value, err := asn1.Marshal([]byte(descr))
	if err != nil {
		return nil, false
	}
	for i := range p.VarBinds {
		p.VarBinds[i].Value = asn1.RawValue{FullBytes: value}
	}
	pdu, err := asn1.Marshal(p)
	if err != nil {
		return nil, false
	}
	pdu[0] = 0xa2 // GetResponse
	out, err := asn1.Marshal(snmpMessage{Version: 1, Community: m.Community, PDU: asn1.RawValue{FullBytes: pdu}})
	return out, err == nil
}

// ServeUDPEcho sends every datagram it gets on UDP addr back to where it
// came from, as the echo service does; it returns the address it serves,
// closed when the test ends.
func ServeUDPEcho(t testing.TB, addr string) string {
	t.Helper()
	return serveUDP(t, addr, func(req []byte) ([]byte, bool) { return req, true })
}
