package scanner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// neighbourConn is a raw socket on one interface that asks which MAC holds
// an address: ARP for IPv4, NDP for IPv6.
type neighbourConn interface {
	// ask sends one request for a.
	ask(a netip.Addr) error
	// answer reads the next packet: the address and MAC it answers for, ok
	// false when it is no answer.
	answer() (a netip.Addr, mac net.HardwareAddr, ok bool, err error)
	SetReadDeadline(t time.Time) error
	Close() error
}

// linkMethod is a method that asks the hosts of directly attached networks
// for their MACs: arp or ndp.
type linkMethod struct {
	name   string                                      // the method, in errors and warnings
	proto  string                                      // ARP or NDP, in the description of the hosts it alone finds
	family func(netip.Addr) bool                       // the addresses it asks
	dial   func(*net.Interface) (neighbourConn, error) // opens the socket
	mark   func(*host)                                 // marks a host only it found
}

// link is one interface of the worker and the scanned addresses on its
// networks.
type link struct {
	ifi   net.Interface
	addrs []netip.Addr
}

// links groups the addresses of the method's family by the interface with
// a network that holds them; addresses on no attached network are not
// asked, nor the worker's own.
func (m linkMethod) links(addrs []netip.Addr) ([]link, error) {
	ifis, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	var links []link
	taken := map[netip.Addr]bool{}
	for _, ifi := range ifis {
		if ifi.Flags&net.FlagUp == 0 || ifi.Flags&net.FlagLoopback != 0 || len(ifi.HardwareAddr) != 6 {
			continue
		}
		nets, err := ifi.Addrs()
		if err != nil {
			return nil, fmt.Errorf("addresses of %s: %w", ifi.Name, err)
		}
		l := link{ifi: ifi}
		for _, n := range nets {
			ipn, ok := n.(*net.IPNet)
			if !ok {
				continue
			}
			p, err := netip.ParsePrefix(ipn.String())
			if err != nil || !m.family(p.Addr()) {
				continue
			}
			for _, a := range addrs {
				if m.family(a) && !taken[a] && p.Masked().Contains(a) && a != p.Addr() {
					taken[a] = true
					l.addrs = append(l.addrs, a)
				}
			}
		}
		if len(l.addrs) > 0 {
			links = append(links, l)
		}
	}
	return links, nil
}

// probe asks every address of links, at most one request per wait, and
// returns the MACs that answered within timeout after the last request.
func (m linkMethod) probe(ctx context.Context, links []link, timeout time.Duration, wait func(context.Context) error) (map[netip.Addr]string, error) {
	found := map[netip.Addr]string{}
	var mu sync.Mutex
	for _, l := range links {
		c, err := m.dial(&l.ifi)
		if err != nil {
			if errors.Is(err, os.ErrPermission) {
				return nil, fmt.Errorf("%s on %s needs CAP_NET_RAW: %w", m.name, l.ifi.Name, err)
			}
			return nil, fmt.Errorf("%s on %s: %w", m.name, l.ifi.Name, err)
		}
		want := make(map[netip.Addr]bool, len(l.addrs))
		for _, a := range l.addrs {
			want[a] = true
		}
		read := make(chan struct{})
		go func() {
			defer close(read)
			for {
				a, hw, ok, err := c.answer()
				if err != nil {
					return // the deadline set below, or the socket closed
				}
				if !ok || !want[a] {
					continue
				}
				if mac, ok := inventory.NormalizeMAC(hw.String()); ok {
					mu.Lock()
					found[a] = mac
					mu.Unlock()
				}
			}
		}()
		err = m.askAll(ctx, c, l.addrs, wait)
		if err == nil {
			select {
			case <-time.After(timeout):
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		_ = c.SetReadDeadline(time.Now()) // ends the reader; nothing is lost by a failure here, Close follows
		<-read
		if cerr := c.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("%s on %s: close: %w", m.name, l.ifi.Name, cerr)
		}
		if err != nil {
			return nil, err
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return found, nil
}

// askAll sends one request to each address, each once wait lets it.
func (m linkMethod) askAll(ctx context.Context, c neighbourConn, addrs []netip.Addr, wait func(context.Context) error) error {
	for _, a := range addrs {
		if err := wait(ctx); err != nil {
			return err
		}
		if err := c.ask(a); err != nil {
			return fmt.Errorf("%s request %s: %w", m.name, a, err)
		}
	}
	return nil
}

// add runs the method after the probes: it gives the hosts found the MACs
// that answered, and adds the addresses that answered it alone. A failure
// (no CAP_NET_RAW) is a warning, and the run goes on without.
func (m linkMethod) add(ctx context.Context, hosts []*host, addrs []netip.Addr, timeout time.Duration, wait func(context.Context) error) ([]*host, []string, error) {
	skipped := "; no " + m.proto + " requests this run"
	links, err := m.links(addrs)
	if err != nil {
		return hosts, []string{m.name + ": " + err.Error() + skipped}, nil
	}
	found, err := m.probe(ctx, links, timeout, wait)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return hosts, []string{err.Error() + skipped}, nil
	}
	byAddr := make(map[netip.Addr]*host, len(hosts))
	for _, h := range hosts {
		byAddr[h.addr] = h
	}
	for a, mac := range found {
		if h, ok := byAddr[a]; ok {
			h.mac = mac
			continue
		}
		h := &host{addr: a, mac: mac}
		m.mark(h)
		hosts = append(hosts, h)
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].addr.Less(hosts[j].addr) })
	return hosts, nil, nil
}
