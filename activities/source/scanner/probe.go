package scanner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	probing "github.com/prometheus-community/pro-bing"
)

// tcpAnswer is what one TCP connect found.
type tcpAnswer int

const (
	tcpSilent  tcpAnswer = iota // no answer within the timeout, or unreachable
	tcpOpen                     // the connection was accepted
	tcpRefused                  // a reset: the host is there, the port closed
)

// probeTCP connects to addr:port and closes the connection at once; it
// sends nothing over it.
func probeTCP(ctx context.Context, addr netip.Addr, port int, timeout time.Duration) tcpAnswer {
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", netip.AddrPortFrom(addr, uint16(port)).String())
	if err == nil {
		_ = c.Close() // nothing was written: a failed close loses nothing
		return tcpOpen
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return tcpRefused
	}
	return tcpSilent
}

// probeICMP sends one echo request through an unprivileged ping socket and
// reports whether a reply came back within the timeout.
func probeICMP(ctx context.Context, addr netip.Addr, timeout time.Duration) (bool, error) {
	p := probing.New(addr.String())
	if err := p.Resolve(); err != nil {
		return false, fmt.Errorf("icmp %s: %w", addr, err)
	}
	p.SetPrivileged(false)
	p.Count = 1
	p.Timeout = timeout
	if err := p.RunWithContext(ctx); err != nil {
		return false, fmt.Errorf("icmp %s: %w", addr, err)
	}
	return p.Statistics().PacketsRecv > 0, nil
}

// pingAllowed reads net.ipv4.ping_group_range from file and reports
// whether this process's groups may open ping sockets, with a sentence
// saying why not. A missing file (not Linux) allows the attempt.
func pingAllowed(file string) (bool, string) {
	b, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return true, ""
		}
		return false, fmt.Sprintf("cannot read %s: %s", file, err.Error())
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return false, fmt.Sprintf("%s holds %q, not a range", file, strings.TrimSpace(string(b)))
	}
	lo, err1 := strconv.ParseUint(f[0], 10, 32)
	hi, err2 := strconv.ParseUint(f[1], 10, 32)
	if err1 != nil || err2 != nil {
		return false, fmt.Sprintf("%s holds %q, not a range", file, strings.TrimSpace(string(b)))
	}
	groups, err := os.Getgroups()
	if err != nil {
		groups = nil
	}
	groups = append(groups, os.Getgid())
	for _, g := range groups {
		if uint64(g) >= lo && uint64(g) <= hi {
			return true, ""
		}
	}
	return false, fmt.Sprintf("net.ipv4.ping_group_range (%d %d) holds none of the worker's groups %v; "+
		"ICMP echo is off and hosts are found by TCP and the neighbour table only "+
		"(sysctl -w net.ipv4.ping_group_range=\"%d %d\" allows group %d)", lo, hi, groups, os.Getgid(), os.Getgid(), os.Getgid())
}

// newResolver is the resolver reverse lookups use: the system's, or one
// that sends every query to server (host:port).
func newResolver(server string, timeout time.Duration) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		d := net.Dialer{Timeout: timeout}
		return d.DialContext(ctx, network, server)
	}}
}

// reverseName looks up addr's name; "" when it has none. An error is a
// lookup that failed for another reason than the name not existing.
func reverseName(ctx context.Context, r *net.Resolver, addr netip.Addr, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	names, err := r.LookupAddr(ctx, addr.String())
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return "", nil
		}
		return "", fmt.Errorf("reverse lookup %s: %w", addr, err)
	}
	if len(names) == 0 {
		return "", nil
	}
	return strings.TrimSuffix(names[0], "."), nil
}
