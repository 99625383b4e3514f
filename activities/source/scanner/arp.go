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

	"github.com/mdlayher/arp"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// MethodARP sends an ARP request to each IPv4 address on a directly
// attached network and takes the replies: it finds hosts that drop every
// IP packet, and their MACs. It needs a raw socket (CAP_NET_RAW) and is
// off unless methods names it.
const MethodARP = "arp"

// arpLink is one interface of the worker and the scanned IPv4 addresses
// on its networks.
type arpLink struct {
	ifi   net.Interface
	addrs []netip.Addr
}

// arpLinks groups the IPv4 addresses by the interface with a network that
// holds them; addresses on no attached network are not asked.
func arpLinks(addrs []netip.Addr) ([]arpLink, error) {
	ifis, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	var links []arpLink
	taken := map[netip.Addr]bool{}
	for _, ifi := range ifis {
		if ifi.Flags&net.FlagUp == 0 || ifi.Flags&net.FlagLoopback != 0 || len(ifi.HardwareAddr) != 6 {
			continue
		}
		nets, err := ifi.Addrs()
		if err != nil {
			return nil, fmt.Errorf("addresses of %s: %w", ifi.Name, err)
		}
		l := arpLink{ifi: ifi}
		for _, n := range nets {
			ipn, ok := n.(*net.IPNet)
			if !ok {
				continue
			}
			p, err := netip.ParsePrefix(ipn.String())
			if err != nil || !p.Addr().Is4() {
				continue
			}
			for _, a := range addrs {
				if a.Is4() && !taken[a] && p.Masked().Contains(a) && a != p.Addr() {
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

// probeARP asks every address of links, at most one request per wait, and
// returns the MACs that answered within timeout after the last request.
func probeARP(ctx context.Context, links []arpLink, timeout time.Duration, wait func(context.Context) error) (map[netip.Addr]string, error) {
	found := map[netip.Addr]string{}
	var mu sync.Mutex
	for _, l := range links {
		c, err := arp.Dial(&l.ifi)
		if err != nil {
			if errors.Is(err, os.ErrPermission) {
				return nil, fmt.Errorf("arp on %s needs CAP_NET_RAW: %w", l.ifi.Name, err)
			}
			return nil, fmt.Errorf("arp on %s: %w", l.ifi.Name, err)
		}
		want := make(map[netip.Addr]bool, len(l.addrs))
		for _, a := range l.addrs {
			want[a] = true
		}
		read := make(chan struct{})
		go func() {
			defer close(read)
			for {
				p, _, err := c.Read()
				if err != nil {
					return // the deadline set below, or the socket closed
				}
				if p.Operation != arp.OperationReply || !want[p.SenderIP] {
					continue
				}
				if mac, ok := inventory.NormalizeMAC(p.SenderHardwareAddr.String()); ok {
					mu.Lock()
					found[p.SenderIP] = mac
					mu.Unlock()
				}
			}
		}()
		err = askAll(ctx, c, l.addrs, wait)
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
			err = fmt.Errorf("arp on %s: close: %w", l.ifi.Name, cerr)
		}
		if err != nil {
			return nil, err
		}
	}
	return found, nil
}

// askAll sends one request to each address, each once wait lets it.
func askAll(ctx context.Context, c *arp.Client, addrs []netip.Addr, wait func(context.Context) error) error {
	for _, a := range addrs {
		if err := wait(ctx); err != nil {
			return err
		}
		if err := c.Request(a); err != nil {
			return fmt.Errorf("arp request %s: %w", a, err)
		}
	}
	return nil
}

// addARP runs the arp method after the probes: it gives the hosts found
// the MACs that answered, and adds the addresses that answered ARP alone.
// A failure (no CAP_NET_RAW) is a warning, and the run goes on without.
func (s *Source) addARP(ctx context.Context, hosts []*host, addrs []netip.Addr, wait func(context.Context) error) ([]*host, []string, error) {
	links, err := arpLinks(addrs)
	if err != nil {
		return hosts, []string{"arp: " + err.Error() + "; no ARP requests this run"}, nil
	}
	found, err := probeARP(ctx, links, s.opts.Timeout, wait)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return hosts, []string{err.Error() + "; no ARP requests this run"}, nil
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
		hosts = append(hosts, &host{addr: a, mac: mac, arpOnly: true})
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].addr.Less(hosts[j].addr) })
	return hosts, nil, nil
}
