package scanner

import (
	"bytes"
	"context"
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// udpAnswer is what one UDP probe found.
type udpAnswer int

const (
	udpSilent  udpAnswer = iota // nothing came back within the timeout
	udpOpen                     // the port answered (SNMP: a well-formed GetResponse)
	udpRefused                  // an ICMP port unreachable: the host is there, the port closed
)

// udpRequest is the datagram one UDP probe sends and how it tells an
// answer from other traffic.
type udpRequest struct {
	payload []byte
	answers func([]byte) bool
}

// newUDPRequest is the probe of port: an SNMPv2c GetRequest of sysDescr.0
// on 161, whose answer must be its GetResponse; an empty datagram on any
// other port, answered by any datagram.
func newUDPRequest(port int, community string, requestID int32) (udpRequest, error) {
	if port != snmpPort {
		return udpRequest{payload: []byte{}, answers: func([]byte) bool { return true }}, nil
	}
	b, err := snmpGetRequest(community, requestID)
	if err != nil {
		return udpRequest{}, err
	}
	return udpRequest{payload: b, answers: func(reply []byte) bool { return snmpAnswers(reply, requestID) }}, nil
}

// probeUDP sends req to addr:port from a connected socket and waits for an
// answer until the timeout: the kernel hands the socket only datagrams
// from that address and port, and an ICMP port unreachable as
// ECONNREFUSED. Datagrams that are not an answer are read past.
func probeUDP(ctx context.Context, addr netip.Addr, port int, req udpRequest, timeout time.Duration) udpAnswer {
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "udp", netip.AddrPortFrom(addr, uint16(port)).String())
	if err != nil {
		return udpSilent
	}
	defer c.Close() //nolint:errcheck // nothing buffered to lose
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Now()) })
	defer stop()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return udpSilent
	}
	if _, err := c.Write(req.payload); err != nil {
		return udpError(err)
	}
	// A GetResponse of sysDescr.0 (at most 255 characters) fits with room
	// to spare; a longer datagram is cut and, on 161, fails to decode.
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return udpError(err)
		}
		if req.answers(buf[:n]) {
			return udpOpen
		}
	}
}

// udpError is what a failed write or read of a probe shows.
func udpError(err error) udpAnswer {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return udpRefused
	}
	return udpSilent
}

// SNMP's BER tags: the message and the varbinds are universal SEQUENCEs,
// the PDUs context-specific constructed types.
const (
	berSequence       = 0x30
	pduGetRequest     = 0xa0
	snmpVersion2c     = 1
	asn1ClassContext  = 2
	getResponseNumber = 2
)

// oidSysDescr is SNMPv2-MIB::sysDescr.0, the agent's description of itself.
var oidSysDescr = asn1.ObjectIdentifier{1, 3, 6, 1, 2, 1, 1, 1, 0}

// snmpMessage is the SNMPv2c message (RFC 3416, RFC 1901): the version
// (1 for v2c), the community and one PDU.
type snmpMessage struct {
	Version   int
	Community []byte
	PDU       asn1.RawValue
}

// snmpPDU is a GetRequest or GetResponse PDU with its tag taken off.
type snmpPDU struct {
	RequestID   int32
	ErrorStatus int
	ErrorIndex  int
	VarBinds    []snmpVarBind
}

// snmpVarBind is one name and value; a request's values are NULL.
type snmpVarBind struct {
	Name  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// snmpGetRequest encodes an SNMPv2c GetRequest of sysDescr.0.
func snmpGetRequest(community string, requestID int32) ([]byte, error) {
	pdu, err := asn1.Marshal(snmpPDU{RequestID: requestID, VarBinds: []snmpVarBind{{Name: oidSysDescr, Value: asn1.NullRawValue}}})
	if err != nil {
		return nil, fmt.Errorf("encode snmp get request: %w", err)
	}
	// The PDU is a SEQUENCE under the implicit tag [0].
	pdu[0] = pduGetRequest
	b, err := asn1.Marshal(snmpMessage{Version: snmpVersion2c, Community: []byte(community), PDU: asn1.RawValue{FullBytes: pdu}})
	if err != nil {
		return nil, fmt.Errorf("encode snmp get request: %w", err)
	}
	return b, nil
}

// snmpAnswers reports whether reply is a well-formed SNMPv2c GetResponse
// to the request requestID: an agent answered, whatever it answered
// (sysDescr, or an error status).
func snmpAnswers(reply []byte, requestID int32) bool {
	var m snmpMessage
	rest, err := asn1.Unmarshal(reply, &m)
	if err != nil || len(rest) > 0 || m.Version != snmpVersion2c {
		return false
	}
	if m.PDU.Class != asn1ClassContext || m.PDU.Tag != getResponseNumber || !m.PDU.IsCompound {
		return false
	}
	pdu := bytes.Clone(m.PDU.FullBytes)
	pdu[0] = berSequence
	var p snmpPDU
	if rest, err := asn1.Unmarshal(pdu, &p); err != nil || len(rest) > 0 {
		return false
	}
	return p.RequestID == requestID
}
