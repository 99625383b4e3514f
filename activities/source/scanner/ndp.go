package scanner

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/mdlayher/ndp"
)

// MethodNDP sends an NDP Neighbor Solicitation for each IPv6 address on a
// directly attached network and takes the Neighbor Advertisements: the
// IPv6 counterpart of arp. It needs a raw socket (CAP_NET_RAW) and is off
// unless methods names it.
const MethodNDP = "ndp"

// ndpMethod is the ndp method: IPv6 addresses, asked by NDP.
func ndpMethod() linkMethod {
	return linkMethod{
		name:   MethodNDP,
		proto:  "NDP",
		family: func(a netip.Addr) bool { return a.Is6() && !a.Is4In6() },
		dial:   dialNDP,
		mark:   func(h *host) { h.ndpOnly = true },
	}
}

// ndpConn asks by NDP, from the interface's link-local address.
type ndpConn struct {
	*ndp.Conn
	mac net.HardwareAddr
}

// dialNDP opens an ICMPv6 socket on ifi's link-local address.
func dialNDP(ifi *net.Interface) (neighbourConn, error) {
	c, _, err := ndp.Listen(ifi, ndp.LinkLocal)
	if err != nil {
		return nil, err
	}
	return ndpConn{Conn: c, mac: ifi.HardwareAddr}, nil
}

// ask sends a Neighbor Solicitation for a to its solicited-node multicast
// address, with the worker's MAC as the source link-layer address.
func (c ndpConn) ask(a netip.Addr) error {
	dst, err := ndp.SolicitedNodeMulticast(a)
	if err != nil {
		return fmt.Errorf("solicited-node address: %w", err)
	}
	m := &ndp.NeighborSolicitation{
		TargetAddress: a,
		Options:       []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: c.mac}},
	}
	return c.WriteTo(m, nil, dst)
}

// answer reads a Neighbor Advertisement: its target address and target
// link-layer address; one without the latter is no answer.
func (c ndpConn) answer() (netip.Addr, net.HardwareAddr, bool, error) {
	m, _, _, err := c.ReadFrom()
	if err != nil {
		return netip.Addr{}, nil, false, err
	}
	na, ok := m.(*ndp.NeighborAdvertisement)
	if !ok {
		return netip.Addr{}, nil, false, nil
	}
	for _, o := range na.Options {
		if lla, ok := o.(*ndp.LinkLayerAddress); ok && lla.Direction == ndp.Target {
			return na.TargetAddress, lla.Addr, true, nil
		}
	}
	return netip.Addr{}, nil, false, nil
}
