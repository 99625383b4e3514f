package scanner

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeNeighbours is a neighbourConn whose hosts answer from a table: each
// request for an address the table holds is answered with its MAC, and an
// answer for an address never asked comes with every request.
type fakeNeighbours struct {
	mu      sync.Mutex
	hosts   map[netip.Addr]net.HardwareAddr
	stray   netip.Addr
	asked   []netip.Addr
	answers chan [2]any
	done    chan struct{}
	once    sync.Once
}

func newFakeNeighbours(hosts map[netip.Addr]net.HardwareAddr, stray netip.Addr) *fakeNeighbours {
	return &fakeNeighbours{hosts: hosts, stray: stray, answers: make(chan [2]any, 64), done: make(chan struct{})}
}

func (f *fakeNeighbours) ask(a netip.Addr) error {
	f.mu.Lock()
	f.asked = append(f.asked, a)
	f.mu.Unlock()
	f.answers <- [2]any{f.stray, net.HardwareAddr{2, 0, 0, 0, 0, 0x99}}
	if mac, ok := f.hosts[a]; ok {
		f.answers <- [2]any{a, mac}
	}
	return nil
}

func (f *fakeNeighbours) answer() (netip.Addr, net.HardwareAddr, bool, error) {
	select {
	case a := <-f.answers:
		return a[0].(netip.Addr), a[1].(net.HardwareAddr), true, nil
	case <-f.done:
		return netip.Addr{}, nil, false, os.ErrDeadlineExceeded
	}
}

func (f *fakeNeighbours) SetReadDeadline(time.Time) error {
	f.once.Do(func() { close(f.done) })
	return nil
}

func (f *fakeNeighbours) Close() error { return nil }

func TestLinkProbe(t *testing.T) {
	a2, a3, a4 := netip.MustParseAddr("fd00::2"), netip.MustParseAddr("fd00::3"), netip.MustParseAddr("fd00::4")
	stray := netip.MustParseAddr("fd00::99")
	fake := newFakeNeighbours(map[netip.Addr]net.HardwareAddr{a2: {2, 0, 0, 0, 0, 2}, a4: {2, 0, 0, 0, 0, 4}}, stray)
	m := ndpMethod()
	m.dial = func(*net.Interface) (neighbourConn, error) { return fake, nil }
	waits := 0
	wait := func(context.Context) error { waits++; return nil }

	found, err := m.probe(context.Background(), []link{{ifi: net.Interface{Name: "eth0"}, addrs: []netip.Addr{a2, a3, a4}}}, 50*time.Millisecond, wait)
	require.NoError(t, err)
	assert.Equal(t, map[netip.Addr]string{a2: "02:00:00:00:00:02", a4: "02:00:00:00:00:04"}, found, "the answers for addresses asked, not the stray one")
	assert.Equal(t, []netip.Addr{a2, a3, a4}, fake.asked, "each address asked once, in order")
	assert.Equal(t, 3, waits, "one token of the limiter per request")
}

func TestLinkProbeFails(t *testing.T) {
	l := []link{{ifi: net.Interface{Name: "eth0"}, addrs: []netip.Addr{netip.MustParseAddr("fd00::2")}}}
	noWait := func(context.Context) error { return nil }
	cases := []struct {
		name string
		dial error
		want string
	}{
		{"no privilege", syscall.EPERM, "ndp on eth0 needs CAP_NET_RAW: operation not permitted"},
		{"no link-local address", errors.New("no suitable IPv6 address"), "ndp on eth0: no suitable IPv6 address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := ndpMethod()
			m.dial = func(*net.Interface) (neighbourConn, error) { return nil, c.dial }
			_, err := m.probe(context.Background(), l, time.Millisecond, noWait)
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		m := arpMethod()
		m.dial = func(*net.Interface) (neighbourConn, error) { return newFakeNeighbours(nil, netip.Addr{}), nil }
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := m.probe(ctx, l, time.Hour, func(ctx context.Context) error { return ctx.Err() })
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestLinkFamilies(t *testing.T) {
	v4, v6, mapped := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::ffff:192.0.2.1")
	assert.True(t, arpMethod().family(v4))
	assert.False(t, arpMethod().family(v6))
	assert.True(t, ndpMethod().family(v6))
	assert.False(t, ndpMethod().family(v4))
	assert.False(t, ndpMethod().family(mapped))

	h := &host{}
	ndpMethod().mark(h)
	assert.Equal(t, "scanner: answers NDP only", describe(h))
	h = &host{}
	arpMethod().mark(h)
	assert.Equal(t, "scanner: answers ARP only", describe(h))
}
