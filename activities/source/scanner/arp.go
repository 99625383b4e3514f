package scanner

import (
	"net"
	"net/netip"

	"github.com/mdlayher/arp"
)

// MethodARP sends an ARP request to each IPv4 address on a directly
// attached network and takes the replies: it finds hosts that drop every
// IP packet, and their MACs. It needs a raw socket (CAP_NET_RAW) and is
// off unless methods names it.
const MethodARP = "arp"

// arpMethod is the arp method: IPv4 addresses, asked by ARP.
func arpMethod() linkMethod {
	return linkMethod{
		name:   MethodARP,
		proto:  "ARP",
		family: netip.Addr.Is4,
		dial:   dialARP,
		mark:   func(h *host) { h.arpOnly = true },
	}
}

// arpConn asks by ARP.
type arpConn struct{ *arp.Client }

// dialARP opens an ARP socket on ifi.
func dialARP(ifi *net.Interface) (neighbourConn, error) {
	c, err := arp.Dial(ifi)
	if err != nil {
		return nil, err
	}
	return arpConn{c}, nil
}

func (c arpConn) ask(a netip.Addr) error { return c.Request(a) }

func (c arpConn) answer() (netip.Addr, net.HardwareAddr, bool, error) {
	p, _, err := c.Read()
	if err != nil {
		return netip.Addr{}, nil, false, err
	}
	if p.Operation != arp.OperationReply {
		return netip.Addr{}, nil, false, nil
	}
	return p.SenderIP, p.SenderHardwareAddr, true, nil
}
