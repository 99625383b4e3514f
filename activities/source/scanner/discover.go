package scanner

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Progress is the heartbeat of a scan ({"addresses_done": 140,
// "addresses_total": 254, "cursor": "192.0.2.140", "live": 12}): the
// addresses done in scan order up to the cursor, the live hosts found and
// the probes sent. Run names the scan, for a retry to resume.
type Progress struct {
	Step           string `json:"step"` // probe, arp, ndp, neighbours, dns, done
	Run            string `json:"run"`
	AddressesDone  int    `json:"addresses_done"`
	AddressesTotal int    `json:"addresses_total"`
	Cursor         string `json:"cursor,omitempty"`
	Live           int    `json:"live"`
	ProbesSent     int64  `json:"probes_sent"`
}

// The steps a Progress names.
const (
	StepProbe      = "probe"
	StepARP        = "arp"
	StepNDP        = "ndp"
	StepNeighbours = "neighbours"
	StepDNS        = "dns"
	StepDone       = "done"
)

// host is what the probes found of one address.
type host struct {
	addr    netip.Addr
	open    []int // TCP ports that accepted a connection, sorted
	udpOpen []int // UDP ports that answered, sorted
	refused bool  // some port answered with a reset or an ICMP port unreachable
	echo    bool  // it answered ICMP echo
	mac     string
	arpOnly bool // only the neighbour table knows it
	ndpOnly bool // only NDP found it
	name    string
	// detected names the services nmap's service detection found, by port.
	detected map[int]string
}

// Discover scans the configured networks, counting silent addresses from
// the state the last Discover of this Source left in memory. The discover
// activity takes DiscoverFrom instead, whose state is durable.
func (s *Source) Discover(ctx context.Context, p source.Progress) (*source.Snapshot, error) {
	s.lastMu.Lock()
	defer s.lastMu.Unlock()
	snap, next, err := s.DiscoverFrom(ctx, p, s.last)
	if err != nil {
		return nil, err
	}
	s.last = next
	return snap, nil
}

// DiscoverFrom scans the configured networks from the state the last run
// left: which addresses answered before and how many runs in a row each
// has been silent since. The probe step resumes from the cursor of a
// previous attempt on this worker; the neighbour table and the reverse
// lookups are read again on every attempt.
func (s *Source) DiscoverFrom(ctx context.Context, p source.Progress, state json.RawMessage) (*source.Snapshot, json.RawMessage, error) {
	var warnings []string
	hist, err := readHistory(state)
	if err != nil {
		warnings = append(warnings, err.Error()+"; silent addresses are counted from this run on")
	}
	hosts, hb, w, err := s.scanHosts(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	warnings = append(warnings, w...)
	snap, next := s.snapshot(hosts, warnings, hist)
	out, err := json.Marshal(next)
	if err != nil {
		return nil, nil, fmt.Errorf("encode the scanner's state: %w", err)
	}
	hb.Update(func(p *Progress) { p.Step, p.Live = StepDone, len(hosts) })
	s.Log.Info("scan finished", zap.Int("addresses", hb.State().AddressesTotal), zap.Int("live", len(hosts)),
		zap.Int64("probes_sent", hb.State().ProbesSent), zap.Int("records", len(snap.Records)), zap.Int("warnings", len(snap.Warnings)))
	return snap, out, nil
}

// scanHosts runs the probes, reads the neighbour table and looks up the
// names: the live hosts found, in address order, and what could not be done.
func (s *Source) scanHosts(ctx context.Context, p source.Progress) ([]*host, *source.Heartbeat[Progress], []string, error) {
	addrs := s.opts.targets.list()
	prev, resumed := source.Resume[Progress](p)
	r := s.runs.begin(prev.Run, resumed)
	hb := source.NewHeartbeat(p, Progress{Step: StepProbe, Run: r.id, AddressesTotal: len(addrs), AddressesDone: r.cursor, Live: len(r.hosts)})
	var warnings []string
	if s.opts.Engine == EngineNmap {
		hosts, err := runNmap(ctx, s.opts, addrs, func() { hb.Update(func(*Progress) {}) })
		if err != nil {
			return nil, nil, nil, fmt.Errorf("scan: %w", err)
		}
		hb.Update(func(p *Progress) { p.AddressesDone, p.Live = len(addrs), len(hosts) })
		limiter := rate.NewLimiter(rate.Limit(s.opts.Rate), 1)
		return s.afterProbes(ctx, hosts, addrs, hb, limiter.Wait, warnings)
	}
	icmp := s.opts.methods[MethodICMP]
	if icmp {
		if ok, why := pingAllowed(s.opts.pingGroupRange); !ok {
			icmp = false
			warnings = append(warnings, why)
			s.icmpOff.Do(func() { s.Log.Warn("icmp echo off", zap.String("why", why)) })
		}
	}
	sc := &scan{opts: s.opts, icmp: icmp, run: r, addrs: addrs, hb: hb,
		limiter: rate.NewLimiter(rate.Limit(s.opts.Rate), 1)}
	if s.opts.methods[MethodUDP] && slices.Contains(s.opts.udp, snmpPort) {
		var err error
		if sc.community, err = s.community(); err != nil {
			return nil, nil, nil, fmt.Errorf("scan: %w", err)
		}
	}
	if err := sc.probeAll(ctx); err != nil {
		return nil, nil, nil, err
	}
	warnings = append(warnings, sc.warnings()...)
	return s.afterProbes(ctx, r.list(), addrs, hb, sc.wait, warnings)
}

// afterProbes reads the neighbour table and looks up the names of the
// hosts the probes found, whichever engine probed.
func (s *Source) afterProbes(ctx context.Context, hosts []*host, addrs []netip.Addr, hb *source.Heartbeat[Progress],
	wait func(context.Context) error, warnings []string) ([]*host, *source.Heartbeat[Progress], []string, error) {
	for _, m := range []linkMethod{arpMethod(), ndpMethod()} {
		if !s.opts.methods[m.name] {
			continue
		}
		hb.Update(func(p *Progress) { p.Step = m.name })
		var w []string
		var err error
		// Each ARP request and Neighbor Solicitation is a probe sent,
		// counted as it goes out.
		request := func(ctx context.Context) error {
			if err := wait(ctx); err != nil {
				return err
			}
			hb.Update(func(p *Progress) { p.ProbesSent++ })
			return nil
		}
		if hosts, w, err = m.add(ctx, hosts, addrs, s.opts.Timeout, request); err != nil {
			return nil, nil, nil, err
		}
		warnings = append(warnings, w...)
	}
	if s.opts.methods[MethodNeighbours] {
		hb.Update(func(p *Progress) { p.Step = StepNeighbours })
		var err error
		if hosts, err = s.addNeighbours(hosts, &warnings); err != nil {
			return nil, nil, nil, err
		}
	}
	if s.opts.methods[MethodDNS] {
		hb.Update(func(p *Progress) { p.Step = StepDNS })
		w, err := s.lookupNames(ctx, hosts)
		if err != nil {
			return nil, nil, nil, err
		}
		warnings = append(warnings, w...)
	}
	return hosts, hb, warnings, nil
}

// scan is one run of the probe step.
type scan struct {
	opts options
	// community is what a 161/udp GetRequest carries, resolved for this
	// run; it never goes into a log, an error or the progress.
	community string
	icmp      bool
	run       *run
	addrs     []netip.Addr
	hb        *source.Heartbeat[Progress]
	limiter   *rate.Limiter
	sent      atomic.Int64

	mu      sync.Mutex
	done    []bool
	slots   chan struct{} // one per probe in flight
	icmpErr error         // the first ICMP failure that turned it off for the run
	icmpOff atomic.Bool
}

// probeAll probes the addresses after the run's cursor with at most
// Concurrency probes in flight and at most Rate sent per second.
func (sc *scan) probeAll(ctx context.Context) error {
	sc.done = make([]bool, len(sc.addrs))
	sc.slots = make(chan struct{}, sc.opts.Concurrency)
	start := sc.run.cursor
	next := make(chan int)
	g, gctx := errgroup.WithContext(ctx)
	workers := min(sc.opts.Concurrency, max(len(sc.addrs)-start, 1))
	for range workers {
		g.Go(func() error {
			for i := range next {
				h, err := sc.probeHost(gctx, sc.addrs[i])
				if err != nil {
					return err
				}
				sc.finish(i, h)
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(next)
		for i := start; i < len(sc.addrs); i++ {
			select {
			case next <- i:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	return ctx.Err()
}

// finish records address i as done and moves the cursor past every done
// address in order.
func (sc *scan) finish(i int, h *host) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	r := sc.run
	r.mu.Lock()
	if h != nil {
		r.hosts[i] = h
	}
	sc.done[i] = true
	for r.cursor < len(sc.done) && sc.done[r.cursor] {
		r.cursor++
	}
	cursor, live := r.cursor, len(r.hosts)
	r.mu.Unlock()
	sc.hb.Update(func(p *Progress) {
		p.AddressesDone, p.Live, p.ProbesSent = cursor, live, sc.sent.Load()
		if cursor > 0 {
			p.Cursor = sc.addrs[cursor-1].String()
		}
	})
}

// probeHost runs the probes of one address at once, each in its own slot
// of the Concurrency bound; nil when nothing answered.
func (sc *scan) probeHost(ctx context.Context, a netip.Addr) (*host, error) {
	h := &host{addr: a}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	if sc.icmp && !sc.icmpOff.Load() {
		g.Go(func() error {
			return sc.probe(gctx, func() {
				ok, err := probeICMP(gctx, a, sc.opts.Timeout)
				if err != nil && gctx.Err() == nil {
					sc.turnICMPOff(err)
				}
				mu.Lock()
				h.echo = ok
				mu.Unlock()
			})
		})
	}
	if sc.opts.methods[MethodTCP] {
		for _, port := range sc.opts.tcp {
			g.Go(func() error {
				return sc.probe(gctx, func() {
					ans := probeTCP(gctx, a, port, sc.opts.Timeout)
					mu.Lock()
					defer mu.Unlock()
					switch ans {
					case tcpOpen:
						h.open = append(h.open, port)
					case tcpRefused:
						h.refused = true
					}
				})
			})
		}
	}
	if sc.opts.methods[MethodUDP] {
		for _, port := range sc.opts.udp {
			g.Go(func() error { return sc.probeUDPPort(gctx, h, &mu, port) })
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Ints(h.open)
	sort.Ints(h.udpOpen)
	if !h.echo && !h.refused && len(h.open) == 0 && len(h.udpOpen) == 0 {
		return nil, nil
	}
	return h, nil
}

// probeUDPPort sends one UDP probe to port of h's address and records
// what came back under mu.
func (sc *scan) probeUDPPort(ctx context.Context, h *host, mu *sync.Mutex, port int) error {
	req, err := newUDPRequest(port, sc.community, rand.Int32())
	if err != nil {
		return fmt.Errorf("udp %d: %w", port, err)
	}
	return sc.probe(ctx, func() {
		ans := probeUDP(ctx, h.addr, port, req, sc.opts.Timeout)
		mu.Lock()
		defer mu.Unlock()
		switch ans {
		case udpOpen:
			h.udpOpen = append(h.udpOpen, port)
		case udpRefused:
			h.refused = true
		}
	})
}

// probe runs one probe in a slot of the Concurrency bound, once the rate
// limiter lets it.
func (sc *scan) probe(ctx context.Context, do func()) error {
	select {
	case sc.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-sc.slots }()
	if err := sc.wait(ctx); err != nil {
		return err
	}
	do()
	return nil
}

// wait takes one probe from the rate limiter.
func (sc *scan) wait(ctx context.Context) error {
	if err := sc.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("rate limit: %w", err)
	}
	sc.sent.Add(1)
	return nil
}

// turnICMPOff stops ICMP probes for the rest of the run after a failure
// that is not the host's silence (no ping socket).
func (sc *scan) turnICMPOff(err error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.icmpErr == nil {
		sc.icmpErr = err
	}
	sc.icmpOff.Store(true)
}

// warnings says what the probe step could not do.
func (sc *scan) warnings() []string {
	if sc.icmpErr == nil {
		return nil
	}
	return []string{fmt.Sprintf("icmp echo failed and is off for this run (%s); hosts are found by the other methods only", sc.icmpErr.Error())}
}

// list returns the hosts found, in scan order.
func (r *run) list() []*host {
	r.mu.Lock()
	defer r.mu.Unlock()
	idx := make([]int, 0, len(r.hosts))
	for i := range r.hosts {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]*host, 0, len(idx))
	for _, i := range idx {
		c := *r.hosts[i]
		out = append(out, &c)
	}
	return out
}

// addNeighbours gives the hosts the MACs the kernel's neighbour table
// holds for them, and adds the addresses it holds that nothing else
// answered for. Only addresses the scan covers are taken.
func (s *Source) addNeighbours(hosts []*host, warnings *[]string) ([]*host, error) {
	f, err := os.Open(s.opts.NeighbourTable)
	if err != nil {
		*warnings = append(*warnings, fmt.Sprintf("neighbour table %s: %s; no MAC addresses this run", s.opts.NeighbourTable, err.Error()))
		return hosts, nil
	}
	defer f.Close() //nolint:errcheck // read only
	neigh, bad, err := parseARP(f)
	if err != nil {
		*warnings = append(*warnings, fmt.Sprintf("neighbour table %s: %s; no MAC addresses this run", s.opts.NeighbourTable, err.Error()))
		return hosts, nil
	}
	if bad > 0 {
		*warnings = append(*warnings, fmt.Sprintf("neighbour table %s: %d lines did not read and were skipped", s.opts.NeighbourTable, bad))
	}
	byAddr := make(map[netip.Addr]*host, len(hosts))
	for _, h := range hosts {
		byAddr[h.addr] = h
	}
	for _, n := range neigh {
		if !s.opts.targets.contains(n.addr) {
			continue
		}
		if h, ok := byAddr[n.addr]; ok {
			h.mac = n.mac
			continue
		}
		h := &host{addr: n.addr, mac: n.mac, arpOnly: true}
		byAddr[n.addr] = h
		hosts = append(hosts, h)
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].addr.Less(hosts[j].addr) })
	return hosts, nil
}

// lookupNames finds the reverse DNS name of every host, Concurrency at a
// time. A lookup that fails (not a missing name) leaves the host's name
// unknown, which keeps what NetBox has; the failures are counted in one
// warning.
func (s *Source) lookupNames(ctx context.Context, hosts []*host) ([]string, error) {
	res := newResolver(s.opts.resolver, s.opts.Timeout)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Concurrency)
	var failed atomic.Int64
	var mu sync.Mutex
	var last error
	for _, h := range hosts {
		g.Go(func() error {
			name, err := reverseName(gctx, res, h.addr, s.opts.Timeout)
			if err != nil {
				failed.Add(1)
				mu.Lock()
				last = err
				mu.Unlock()
				return nil
			}
			h.name = name
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("reverse dns: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if n := failed.Load(); n > 0 {
		return []string{fmt.Sprintf("reverse dns failed for %d of %d addresses (%s); their dns_name is left as NetBox has it", n, len(hosts), last.Error())}, nil
	}
	return nil, nil
}
