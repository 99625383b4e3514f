package scanner

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/netip"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// The engines that probe.
const (
	// EngineBuiltin is the scanner's own probes (ICMP echo, TCP connects).
	EngineBuiltin = "builtin"
	// EngineNmap runs nmap's host discovery and TCP connect scan instead.
	EngineNmap = "nmap"
)

// nmapArgs is the command line of one nmap run: a TCP connect scan
// (-sT, no raw sockets needed) of ports at most rate packets per second,
// the XML report on stdout, the targets read from stdin (-iL -), one per
// line, so that nothing but the addresses the built-in engine would probe
// is scanned. -n leaves reverse lookups to the dns method when it runs.
func nmapArgs(o options, v6 bool) []string {
	args := []string{"-oX", "-", "-sT", "-p", joinInts(o.tcp), "--max-rate", strconv.FormatFloat(o.Rate, 'f', -1, 64),
		"--max-rtt-timeout", strconv.FormatInt(o.Timeout.Milliseconds(), 10) + "ms"}
	if o.ServiceDetection {
		args = append(args, "-sV")
	}
	if o.methods[MethodDNS] {
		args = append(args, "-n")
	}
	if v6 {
		args = append(args, "-6")
	}
	return append(args, "-iL", "-")
}

// runNmap scans the addresses with nmap and returns the live hosts. nmap
// scans one address family per run: a mixed target list runs it twice.
func runNmap(ctx context.Context, o options, addrs []netip.Addr, beat func()) ([]*host, error) {
	var v4, v6 bytes.Buffer
	for _, a := range addrs {
		if a.Is4() {
			fmt.Fprintln(&v4, a)
		} else {
			fmt.Fprintln(&v6, a)
		}
	}
	var hosts []*host
	for _, list := range []*bytes.Buffer{&v4, &v6} {
		if list.Len() == 0 {
			continue
		}
		out, err := execNmap(ctx, nmapArgs(o, list == &v6), list, beat)
		if err != nil {
			return nil, err
		}
		found, err := parseNmap(bytes.NewReader(out), o.ServiceDetection)
		if err != nil {
			return nil, err
		}
		for _, h := range found {
			if o.targets.contains(h.addr) {
				hosts = append(hosts, h)
			}
		}
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].addr.Less(hosts[j].addr) })
	return hosts, nil
}

// execNmap runs nmap with args and the targets on stdin, calling beat
// every few seconds while it runs; its output is the XML report.
func execNmap(ctx context.Context, args []string, targets io.Reader, beat func()) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "nmap", args...)
	cmd.Stdin = targets
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nmap: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err != nil {
				return nil, fmt.Errorf("nmap %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
			}
			return stdout.Bytes(), nil
		case <-tick.C:
			beat()
		}
	}
}

// nmapRun is the part of nmap's XML report (-oX) the scanner reads.
type nmapRun struct {
	XMLName xml.Name   `xml:"nmaprun"`
	Hosts   []nmapHost `xml:"host"`
}

type nmapHost struct {
	Status struct {
		State  string `xml:"state,attr"`
		Reason string `xml:"reason,attr"`
	} `xml:"status"`
	Addresses []struct {
		Addr string `xml:"addr,attr"`
		Type string `xml:"addrtype,attr"`
	} `xml:"address"`
	Hostnames []struct {
		Name string `xml:"name,attr"`
		Type string `xml:"type,attr"`
	} `xml:"hostnames>hostname"`
	Ports []struct {
		Protocol string `xml:"protocol,attr"`
		Port     int    `xml:"portid,attr"`
		State    struct {
			State string `xml:"state,attr"`
		} `xml:"state"`
		Service struct {
			Name   string `xml:"name,attr"`
			Method string `xml:"method,attr"`
		} `xml:"service"`
	} `xml:"ports>port"`
	ExtraPorts []struct {
		State string `xml:"state,attr"`
		Count int    `xml:"count,attr"`
	} `xml:"ports>extraports"`
}

// parseNmap reads nmap's XML report into the hosts it found up, as the
// built-in engine finds them: open TCP ports, whether one was closed (a
// reset), the MAC when nmap saw it (a privileged run on a directly
// attached network) and the reverse DNS name. With detected, the names
// nmap's service detection (-sV, method "probed") gave open ports are kept.
func parseNmap(r io.Reader, detected bool) ([]*host, error) {
	var run nmapRun
	if err := xml.NewDecoder(r).Decode(&run); err != nil {
		return nil, fmt.Errorf("read nmap's report: %w", err)
	}
	var out []*host
	for i, nh := range run.Hosts {
		if nh.Status.State != "up" {
			continue
		}
		h, err := nmapHostOf(nh, detected)
		if err != nil {
			return nil, fmt.Errorf("read nmap's report: host %d: %w", i+1, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// nmapHostOf maps one host that is up.
func nmapHostOf(nh nmapHost, detected bool) (*host, error) {
	h := &host{echo: nh.Status.Reason == "echo-reply"}
	for _, a := range nh.Addresses {
		switch a.Type {
		case "ipv4", "ipv6":
			addr, err := netip.ParseAddr(a.Addr)
			if err != nil {
				return nil, fmt.Errorf("address %q: %w", a.Addr, err)
			}
			h.addr = addr.Unmap()
		case "mac":
			if mac, ok := inventory.NormalizeMAC(a.Addr); ok {
				h.mac = mac
			}
		}
	}
	if !h.addr.IsValid() {
		return nil, fmt.Errorf("no IP address")
	}
	for _, n := range nh.Hostnames {
		if n.Type == "PTR" && h.name == "" {
			h.name = strings.TrimSuffix(n.Name, ".")
		}
	}
	for _, p := range nh.Ports {
		if p.Protocol != "tcp" {
			continue
		}
		switch p.State.State {
		case "open":
			h.open = append(h.open, p.Port)
			if detected && p.Service.Method == "probed" && p.Service.Name != "" && p.Service.Name != "tcpwrapped" && p.Service.Name != "unknown" {
				if h.detected == nil {
					h.detected = map[int]string{}
				}
				h.detected[p.Port] = p.Service.Name
			}
		case "closed":
			h.refused = true
		}
	}
	for _, e := range nh.ExtraPorts {
		if e.State == "closed" && e.Count > 0 {
			h.refused = true
		}
	}
	sort.Ints(h.open)
	// Up by an ARP answer alone, with no port answering: as the built-in
	// engine says of a host only the neighbour table knows.
	h.arpOnly = nh.Status.Reason == "arp-response" && len(h.open) == 0 && !h.refused
	return h, nil
}

// joinInts writes ports as nmap's -p takes them: "22,80,443".
func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}
