package scanner

import (
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Settings are the options of one scanner instance, as written under the
// instance in the config file.
type Settings struct {
	// CIDRs are the networks to scan, IPv4 and IPv6 ("192.0.2.0/24",
	// "2001:db8::/120"); a bare address is one host. Nothing outside them
	// is ever probed.
	CIDRs []string `yaml:"cidrs" json:"cidrs"`
	// Exclude are addresses or networks inside CIDRs that are never probed.
	Exclude []string `yaml:"exclude" json:"exclude"`
	// Ports are the ports probed on each address (DefaultPorts): a TCP
	// port a connect is tried on (22, or "22/tcp"), or a UDP port ("161/udp",
	// none by default) a datagram is sent to: an SNMPv2c GetRequest of
	// sysDescr.0 on 161, with the community of cfg.Secret("snmp_community")
	// or else "public", an empty datagram on any other. A UDP port counts
	// as open only when it answers.
	Ports []Port `yaml:"ports" json:"ports"`
	// Rate is the most probes sent to scanned addresses per second, ICMP
	// echoes, TCP connects, UDP datagrams, ARP requests and NDP
	// solicitations together;
	// reverse lookups go to the resolver and are bounded by Concurrency
	// only.
	Rate float64 `yaml:"rate" json:"rate"`
	// Concurrency is the most probes waiting for an answer at once.
	Concurrency int `yaml:"concurrency" json:"concurrency"`
	// Timeout is how long one probe waits for its answer.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// MaxAddresses bounds how many addresses CIDRs less Exclude may hold;
	// a larger set is refused, so that a typo (/16 for /24) does not
	// start a scan of 65,534 addresses.
	MaxAddresses int `yaml:"max_addresses" json:"max_addresses"`
	// Resolver is the DNS server reverse lookups ask ("192.0.2.53",
	// "[2001:db8::53]:53"); empty is the system's resolver.
	Resolver string `yaml:"resolver" json:"resolver"`
	// Methods are the probes that run (MethodTCP, MethodICMP, MethodUDP,
	// MethodNeighbours, MethodDNS by default, udp sending nothing until
	// Ports names a UDP port; MethodARP and MethodNDP when named).
	Methods []string `yaml:"methods" json:"methods"`
	// NeighbourTable is the kernel's IPv4 neighbour table (/proc/net/arp).
	NeighbourTable string `yaml:"neighbour_table" json:"neighbour_table"`
	// MissedRuns is how many runs in a row an address that answered before
	// may stay silent before the scanner stops reporting it as seen; until
	// then NetBox keeps it as it is. 1 reports it gone at the first silent
	// run (it is then orphaned, not deleted, as everything else is).
	MissedRuns int `yaml:"missed_runs" json:"missed_runs"`
	// DiscoveredRole is the device role a live host that no other source
	// reports becomes a device of, named after its reverse DNS name or
	// else its address, with its address and MAC on an interface; empty
	// leaves such a host a bare IP address. The merge drops the device
	// when another source reports the address or its MAC.
	DiscoveredRole string `yaml:"discovered_role" json:"discovered_role"`
	// DiscoveredSite is the site those devices are at; required with
	// DiscoveredRole.
	DiscoveredSite string `yaml:"discovered_site" json:"discovered_site"`
	// Engine is what probes: "builtin" (the scanner's own ICMP echo and TCP
	// connects) or "nmap" (nmap's host discovery and TCP connect scan of
	// ports, at most rate packets per second; nmap must be on the worker's
	// PATH). The neighbour table and reverse DNS are read after either.
	Engine string `yaml:"engine" json:"engine"`
	// ServiceDetection runs nmap's service detection (-sV) and names each
	// open port's service as nmap found it; only with engine nmap.
	ServiceDetection bool `yaml:"service_detection" json:"service_detection"`
}

// The probes, as methods names them.
const (
	// MethodTCP connects to each port; an answer of either kind (accepted
	// or refused) shows the host is there.
	MethodTCP = "tcp"
	// MethodICMP sends one ICMP echo request through an unprivileged ping socket.
	MethodICMP = "icmp"
	// MethodNeighbours reads the kernel's neighbour table for MAC addresses
	// of hosts on a directly attached network, and the hosts that answered
	// ARP but nothing else.
	MethodNeighbours = "neighbours"
	// MethodDNS looks up the reverse DNS name of each live address.
	MethodDNS = "dns"
	// MethodUDP sends one datagram to each UDP port of ports (none by
	// default); an answer shows the port open, an ICMP port unreachable
	// the host there.
	MethodUDP = "udp"
)

// allMethods are the methods known, in the order they run.
var allMethods = []string{MethodICMP, MethodTCP, MethodUDP, MethodARP, MethodNDP, MethodNeighbours, MethodDNS}

// defaultMethods are the methods that run unless methods says otherwise:
// all but arp and ndp, which need a raw socket. udp is among them and
// sends nothing until ports names a UDP port.
var defaultMethods = []string{MethodICMP, MethodTCP, MethodUDP, MethodNeighbours, MethodDNS}

// DefaultPorts are common management and service ports, all TCP: SSH,
// Telnet, HTTP, HTTPS, RDP, VNC, WinRM, Proxmox VE, an alternative HTTP and
// HTTPS, Home Assistant, and printers' and node exporters' 9100. UDP (SNMP
// on 161/udp) is off unless named: an unanswered datagram tells nothing,
// so a UDP port costs a full timeout on every silent address.
func DefaultPorts() []Port {
	return []Port{"22", "23", "80", "443", "3389", "5900", "5985", "8006", "8080", "8123", "8443", "9100"}
}

// SecretSNMPCommunity is the secret setting that holds the SNMPv2c
// community a 161/udp probe carries, public when it is set nowhere
// (NETBOX_AGENT_SOURCES_<NAME>_SNMP_COMMUNITY or snmp_community_file).
// An agent drops a request of another community without an answer, so
// the port looks closed.
const SecretSNMPCommunity = "snmp_community"

// DefaultSNMPCommunity is the community a 161/udp probe carries when the
// secret snmp_community is set nowhere: the well-known default, no secret.
const DefaultSNMPCommunity = "public"

// Defaults of the settings.
const (
	DefaultRate           = 500
	DefaultConcurrency    = 512
	DefaultTimeout        = time.Second
	DefaultMaxAddresses   = 4096
	DefaultNeighbourTable = "/proc/net/arp"
	DefaultMissedRuns     = 3
)

// DefaultSettings are the settings a config starts from.
func DefaultSettings() Settings {
	return Settings{
		Ports:          DefaultPorts(),
		Rate:           DefaultRate,
		Concurrency:    DefaultConcurrency,
		Timeout:        DefaultTimeout,
		MaxAddresses:   DefaultMaxAddresses,
		Methods:        slices.Clone(defaultMethods),
		NeighbourTable: DefaultNeighbourTable,
		MissedRuns:     DefaultMissedRuns,
		Engine:         EngineBuiltin,
	}
}

// options are the validated settings in the form the scan uses.
type options struct {
	Settings
	targets  targets
	methods  map[string]bool
	tcp      []int  // the TCP ports of Ports, in their order
	udp      []int  // the UDP ports of Ports, in their order
	resolver string // host:port, or "" for the system's
	// pingGroupRange is the sysctl file the ICMP probe checks; tests point
	// it elsewhere.
	pingGroupRange string
}

// validate checks every setting.
func (s Settings) validate(_ string) (options, error) {
	o := options{Settings: s, pingGroupRange: "/proc/sys/net/ipv4/ping_group_range"}
	var err error
	if o.targets, err = parseTargets(s.CIDRs, s.Exclude); err != nil {
		return o, err
	}
	if s.MaxAddresses <= 0 {
		return o, source.SettingError("max_addresses", "%d is not a positive number", s.MaxAddresses)
	}
	if n := o.targets.size(); n > uint64(s.MaxAddresses) {
		return o, source.SettingError("cidrs", "%s addresses to scan, more than max_addresses (%d); narrow cidrs, add exclude, or raise max_addresses",
			sizeString(n), s.MaxAddresses)
	}
	if o.methods, err = parseMethods(s.Methods); err != nil {
		return o, err
	}
	if o.tcp, o.udp, err = parsePorts(s.Ports, o.methods); err != nil {
		return o, err
	}
	switch {
	case s.Rate <= 0:
		return o, source.SettingError("rate", "%g is not a positive number of probes per second", s.Rate)
	case s.Concurrency <= 0:
		return o, source.SettingError("concurrency", "%d is not a positive number", s.Concurrency)
	case s.MissedRuns <= 0:
		return o, source.SettingError("missed_runs", "%d is not a positive number of runs", s.MissedRuns)
	}
	if o.Timeout, err = source.Timeout("timeout", s.Timeout, DefaultTimeout); err != nil {
		return o, err
	}
	if o.resolver, err = parseResolver(s.Resolver); err != nil {
		return o, err
	}
	o.NeighbourTable = source.OrDefault(s.NeighbourTable, DefaultNeighbourTable)
	if err = o.checkEngine(); err != nil {
		return o, err
	}
	o.DiscoveredRole, o.DiscoveredSite = strings.TrimSpace(s.DiscoveredRole), strings.TrimSpace(s.DiscoveredSite)
	switch {
	case o.DiscoveredRole != "" && o.DiscoveredSite == "":
		return o, source.SettingError("discovered_site", "is empty while discovered_role is %q: the devices of hosts no source knows need a site", o.DiscoveredRole)
	case o.DiscoveredRole == "" && o.DiscoveredSite != "":
		return o, source.SettingError("discovered_site", "is %q while discovered_role is empty: no device is made", o.DiscoveredSite)
	}
	return o, nil
}

// sizeString writes an address count, or "more than 2^64" when it saturated.
func sizeString(n uint64) string {
	if n == ^uint64(0) {
		return "2^64 or more"
	}
	return strconv.FormatUint(n, 10)
}

// parseMethods reads methods: known names, none twice, at least one that
// finds hosts.
func parseMethods(list []string) (map[string]bool, error) {
	out := map[string]bool{}
	for i, m := range list {
		m = strings.ToLower(strings.TrimSpace(m))
		key := fmt.Sprintf("methods[%d]", i)
		if !slices.Contains(allMethods, m) {
			return nil, source.SettingError(key, "%q is not a method (%s)", list[i], strings.Join(allMethods, ", "))
		}
		if out[m] {
			return nil, source.SettingError(key, "%q is named twice", m)
		}
		out[m] = true
	}
	if !findsHosts(out, "") {
		return nil, source.SettingError("methods", "none of tcp, udp, icmp, arp, ndp, neighbours: nothing would find a host")
	}
	return out, nil
}

// hostFinders are the methods that can find a host (dns only names one).
var hostFinders = []string{MethodTCP, MethodICMP, MethodUDP, MethodNeighbours, MethodARP, MethodNDP}

// findsHosts reports whether methods hold a method of hostFinders other
// than except ("" for none).
func findsHosts(methods map[string]bool, except string) bool {
	for _, m := range hostFinders {
		if m != except && methods[m] {
			return true
		}
	}
	return false
}

// parsePorts reads ports: each a number (TCP) or a number with /tcp or
// /udp, in 1-65535, none twice; some TCP port when tcp runs, a UDP port
// only when udp runs. It returns the TCP and the UDP ports.
func parsePorts(ports []Port, methods map[string]bool) (tcp, udp []int, err error) {
	seen := map[Port]bool{}
	for i, p := range ports {
		key := fmt.Sprintf("ports[%d]", i)
		n, proto, err := p.parse()
		if err != nil {
			return nil, nil, source.SettingError(key, "%s", err.Error())
		}
		canon := Port(fmt.Sprintf("%d/%s", n, proto))
		if seen[canon] {
			return nil, nil, source.SettingError(key, "%s is named twice", canon)
		}
		seen[canon] = true
		if proto == protoUDP {
			if !methods[MethodUDP] {
				return nil, nil, source.SettingError(key, "%s is a UDP port while methods has no udp", canon)
			}
			udp = append(udp, n)
			continue
		}
		tcp = append(tcp, n)
	}
	if methods[MethodTCP] && len(tcp) == 0 {
		return nil, nil, source.SettingError("ports", "has no TCP port while methods has tcp")
	}
	if len(udp) == 0 && !findsHosts(methods, MethodUDP) {
		return nil, nil, source.SettingError("ports", "has no UDP port while udp is the only method that finds hosts")
	}
	return tcp, udp, nil
}

// parseResolver reads the DNS server: an IP address, with a port or not.
func parseResolver(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return net.JoinHostPort(a.String(), "53"), nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 {
		return "", source.SettingError("resolver", "%q is not an IP address or address:port of a DNS server", s)
	}
	return ap.String(), nil
}

// checkEngine reads engine: a known one, nmap on PATH when it is nmap.
func (o *options) checkEngine() error {
	o.Engine = strings.ToLower(strings.TrimSpace(source.OrDefault(o.Engine, EngineBuiltin)))
	switch o.Engine {
	case EngineBuiltin:
		if o.ServiceDetection {
			return source.SettingError("service_detection", "needs engine: nmap; the built-in engine detects no services")
		}
	case EngineNmap:
		if _, err := exec.LookPath("nmap"); err != nil {
			return source.SettingError("engine", "is nmap, which is not on the worker's PATH (%s); install nmap or use engine: builtin", err.Error())
		}
		if !o.methods[MethodTCP] && !o.methods[MethodICMP] {
			return source.SettingError("engine", "is nmap while methods has neither tcp nor icmp: nmap would not run")
		}
		if len(o.udp) > 0 {
			return source.SettingError("engine", "is nmap while ports has UDP ports: nmap scans TCP here (its UDP scan needs root); use engine: builtin to probe %d/udp", o.udp[0])
		}
	default:
		return source.SettingError("engine", "%q is not an engine (builtin, nmap)", o.Engine)
	}
	return nil
}
