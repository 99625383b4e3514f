package scanner

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// targets are the networks to scan and the parts of them to leave out.
type targets struct {
	cidrs   []netip.Prefix
	exclude []netip.Prefix
}

// parseTargets reads cidrs and exclude: well-formed networks (no host bits
// set), no two overlapping, no multicast or link-local ones, each exclude
// inside one of cidrs. Errors name the entry (cidrs[2]).
func parseTargets(cidrs, exclude []string) (targets, error) {
	var t targets
	if len(cidrs) == 0 {
		return t, source.SettingError("cidrs", "is required: the networks to scan")
	}
	var err error
	if t.cidrs, err = parsePrefixes("cidrs", cidrs); err != nil {
		return t, err
	}
	if t.exclude, err = parsePrefixes("exclude", exclude); err != nil {
		return t, err
	}
	for i, e := range t.exclude {
		inside := false
		for _, c := range t.cidrs {
			if c.Overlaps(e) {
				if c.Bits() > e.Bits() {
					return t, source.SettingError(fmt.Sprintf("exclude[%d]", i), "%s is wider than cidr %s it overlaps", e, c)
				}
				inside = true
			}
		}
		if !inside {
			return t, source.SettingError(fmt.Sprintf("exclude[%d]", i), "%s is in none of cidrs", e)
		}
	}
	return t, nil
}

// parsePrefixes reads one list of networks, named key in errors.
func parsePrefixes(key string, list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		k := fmt.Sprintf("%s[%d]", key, i)
		p, err := parsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, source.SettingError(k, "%s", err.Error())
		}
		for j, q := range out {
			if p.Overlaps(q) {
				return nil, source.SettingError(k, "%s overlaps %s[%d] %s", p, key, j, q)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// parsePrefix reads one network or bare address.
func parsePrefix(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return p, fmt.Errorf("%q has a zone; link-local networks are not scanned", s)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	} else {
		p, err = netip.ParsePrefix(s)
		if err != nil {
			return p, fmt.Errorf("%q is not a network in CIDR form (192.0.2.0/24, 2001:db8::/120)", s)
		}
		if m := p.Masked(); m != p {
			return p, fmt.Errorf("%q has host bits set; the network is %s", s, m)
		}
	}
	a := p.Addr()
	if a.Is4In6() {
		return p, fmt.Errorf("%q is an IPv4-mapped IPv6 network; write the IPv4 network", s)
	}
	if a.IsMulticast() || a.IsLinkLocalUnicast() || a.IsUnspecified() && p.Bits() == a.BitLen() ||
		p.Overlaps(multicast4) || p.Overlaps(multicast6) || p.Overlaps(linkLocal6) {
		return p, fmt.Errorf("%q holds multicast, link-local or unspecified addresses, which are not scanned", s)
	}
	return p, nil
}

var (
	multicast4 = netip.MustParsePrefix("224.0.0.0/4")
	multicast6 = netip.MustParsePrefix("ff00::/8")
	linkLocal6 = netip.MustParsePrefix("fe80::/10")
)

// size is how many addresses the scan probes, 2^64-1 when more.
func (t targets) size() uint64 {
	var n uint64
	for _, c := range t.cidrs {
		n = addSat(n, hostCount(c))
		for _, e := range t.exclude {
			if c.Overlaps(e) {
				n -= excludedCount(c, e)
			}
		}
	}
	return n
}

// span is the number of addresses in p, 2^64-1 when more.
func span(p netip.Prefix) uint64 {
	host := p.Addr().BitLen() - p.Bits()
	if host >= 64 {
		return ^uint64(0)
	}
	return 1 << host
}

// hostCount is how many of p's addresses are probed: an IPv4 network
// shorter than /31 loses its network and broadcast addresses, an IPv6 one
// shorter than /127 its subnet-router anycast address.
func hostCount(p netip.Prefix) uint64 {
	n := span(p)
	if n == ^uint64(0) {
		return n
	}
	return n - uint64(skippedIn(p))
}

// skippedIn is how many of p's own addresses are never probed.
func skippedIn(p netip.Prefix) int {
	switch {
	case p.Addr().Is4() && p.Bits() < 31:
		return 2
	case p.Addr().Is6() && p.Bits() < 127:
		return 1
	}
	return 0
}

// excludedCount is how many probed addresses of c the exclude e (inside c) removes.
func excludedCount(c, e netip.Prefix) uint64 {
	n := span(e)
	for _, a := range reservedOf(c) {
		if e.Contains(a) {
			n--
		}
	}
	return n
}

// reservedOf lists the addresses of c that are never probed.
func reservedOf(c netip.Prefix) []netip.Addr {
	switch skippedIn(c) {
	case 2:
		return []netip.Addr{c.Addr(), lastOf(c)}
	case 1:
		return []netip.Addr{c.Addr()}
	}
	return nil
}

// lastOf is the last address of p.
func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func addSat(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return ^uint64(0)
	}
	return s
}

// each calls fn with every address to probe, in order: cidrs as listed,
// each from its first address up, without the excluded and reserved ones.
// It stops when fn returns false.
func (t targets) each(fn func(netip.Addr) bool) {
	for _, c := range t.cidrs {
		reserved := reservedOf(c)
		last := lastOf(c)
		for a := c.Addr(); ; a = a.Next() {
			if !t.skipped(a, reserved) && !fn(a) {
				return
			}
			if a == last {
				break
			}
		}
	}
}

func (t targets) skipped(a netip.Addr, reserved []netip.Addr) bool {
	for _, r := range reserved {
		if a == r {
			return true
		}
	}
	for _, e := range t.exclude {
		if e.Contains(a) {
			return true
		}
	}
	return false
}

// contains reports whether a is an address the scan probes.
func (t targets) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, c := range t.cidrs {
		if c.Contains(a) {
			return !t.skipped(a, reservedOf(c))
		}
	}
	return false
}

// list returns the addresses to probe, in order.
func (t targets) list() []netip.Addr {
	var out []netip.Addr
	t.each(func(a netip.Addr) bool { out = append(out, a); return true })
	return out
}
