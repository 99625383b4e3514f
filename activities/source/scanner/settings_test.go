package scanner

import (
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

func validSettings() Settings {
	s := DefaultSettings()
	s.CIDRs = []string{"192.0.2.0/24", "2001:db8::/120"}
	s.Exclude = []string{"192.0.2.1", "192.0.2.128/28"}
	return s
}

func TestSettingsValidation(t *testing.T) {
	sourcetest.CheckSettings(t, validSettings, Settings.validate, []sourcetest.SettingsCase[Settings]{
		{Name: "no cidrs", Change: func(s *Settings) { s.CIDRs = nil; s.Exclude = nil }, Setting: "cidrs"},
		{Name: "malformed cidr", Change: func(s *Settings) { s.CIDRs[1] = "192.0.2.0/33" }, Setting: "cidrs[1]"},
		{Name: "not an address", Change: func(s *Settings) { s.CIDRs[0] = "lan" }, Setting: "cidrs[0]"},
		{Name: "host bits set", Change: func(s *Settings) { s.CIDRs[0] = "192.0.2.7/24" }, Setting: "cidrs[0]"},
		{Name: "overlapping cidrs", Change: func(s *Settings) { s.CIDRs = append(s.CIDRs, "192.0.2.64/26") }, Setting: "cidrs[2]"},
		{Name: "same cidr twice", Change: func(s *Settings) { s.CIDRs[1] = s.CIDRs[0] }, Setting: "cidrs[1]"},
		{Name: "multicast", Change: func(s *Settings) { s.CIDRs[1] = "239.1.0.0/24" }, Setting: "cidrs[1]"},
		{Name: "wide network holding multicast", Change: func(s *Settings) { s.CIDRs = []string{"192.0.0.0/2"}; s.Exclude = nil }, Setting: "cidrs[0]"},
		{Name: "link-local v6", Change: func(s *Settings) { s.CIDRs[1] = "fe80::/120" }, Setting: "cidrs[1]"},
		{Name: "zoned address", Change: func(s *Settings) { s.CIDRs[1] = "fe80::1%eth0" }, Setting: "cidrs[1]"},
		{Name: "mapped v4", Change: func(s *Settings) { s.CIDRs[1] = "::ffff:198.51.100.0/120" }, Setting: "cidrs[1]"},
		{Name: "exclude outside cidrs", Change: func(s *Settings) { s.Exclude[1] = "198.51.100.0/24" }, Setting: "exclude[1]"},
		{Name: "exclude wider than its cidr", Change: func(s *Settings) { s.Exclude = []string{"192.0.0.0/16"} }, Setting: "exclude[0]"},
		{Name: "overlapping excludes", Change: func(s *Settings) { s.Exclude[1] = "192.0.2.0/30" }, Setting: "exclude[1]"},
		{Name: "malformed exclude", Change: func(s *Settings) { s.Exclude[0] = "192.0.2.300" }, Setting: "exclude[0]"},
		{Name: "too many addresses", Change: func(s *Settings) { s.CIDRs[0] = "10.0.0.0/16"; s.Exclude = nil }, Setting: "cidrs"},
		{Name: "a v6 /64", Change: func(s *Settings) { s.CIDRs[1] = "2001:db8::/64" }, Setting: "cidrs"},
		{Name: "raised max_addresses", Change: func(s *Settings) { s.CIDRs[0] = "10.0.0.0/16"; s.Exclude = nil; s.MaxAddresses = 70000 }},
		{Name: "max_addresses zero", Change: func(s *Settings) { s.MaxAddresses = 0 }, Setting: "max_addresses"},
		{Name: "port out of range", Change: func(s *Settings) { s.Ports = []Port{"22", "70000"} }, Setting: "ports[1]"},
		{Name: "port zero", Change: func(s *Settings) { s.Ports = []Port{"0"} }, Setting: "ports[0]"},
		{Name: "port twice", Change: func(s *Settings) { s.Ports = []Port{"22", "80", "22"} }, Setting: "ports[2]"},
		{Name: "no ports with tcp", Change: func(s *Settings) { s.Ports = []Port{} }, Setting: "ports"},
		{Name: "no ports without tcp", Change: func(s *Settings) { s.Ports = []Port{}; s.Methods = []string{"icmp", "dns"} }},
		{Name: "udp port", Change: func(s *Settings) { s.Ports = append(s.Ports, "161/udp", "5353/UDP") }},
		{Name: "tcp suffix", Change: func(s *Settings) { s.Ports = []Port{"22/tcp", "443"} }},
		{Name: "same number tcp and udp", Change: func(s *Settings) { s.Ports = []Port{"161", "161/udp"} }},
		{Name: "unknown protocol", Change: func(s *Settings) { s.Ports = []Port{"22", "161/icmp"} }, Setting: "ports[1]"},
		{Name: "port not a number", Change: func(s *Settings) { s.Ports = []Port{"ssh"} }, Setting: "ports[0]"},
		{Name: "udp port out of range", Change: func(s *Settings) { s.Ports = []Port{"22", "0/udp"} }, Setting: "ports[1]"},
		{Name: "port twice with its protocol", Change: func(s *Settings) { s.Ports = []Port{"22", "22/TCP"} }, Setting: "ports[1]"},
		{Name: "udp port twice", Change: func(s *Settings) { s.Ports = []Port{"22", "161/udp", " 161/udp"} }, Setting: "ports[2]"},
		{Name: "udp port without udp", Change: func(s *Settings) {
			s.Ports, s.Methods = []Port{"22", "161/udp"}, []string{"icmp", "tcp", "dns"}
		}, Setting: "ports[1]"},
		{Name: "only udp", Change: func(s *Settings) { s.Ports, s.Methods = []Port{"161/udp"}, []string{"udp", "dns"} }},
		{Name: "only udp without udp ports", Change: func(s *Settings) { s.Methods = []string{"udp", "dns"} }, Setting: "ports"},
		{Name: "nmap with a udp port", Change: func(s *Settings) { s.Engine = "nmap"; s.Ports = []Port{"22", "161/udp"} }, Setting: "engine"},
		{Name: "rate zero", Change: func(s *Settings) { s.Rate = 0 }, Setting: "rate"},
		{Name: "negative rate", Change: func(s *Settings) { s.Rate = -5 }, Setting: "rate"},
		{Name: "concurrency zero", Change: func(s *Settings) { s.Concurrency = 0 }, Setting: "concurrency"},
		{Name: "negative timeout", Change: func(s *Settings) { s.Timeout = -time.Second }, Setting: "timeout"},
		{Name: "missed_runs zero", Change: func(s *Settings) { s.MissedRuns = 0 }, Setting: "missed_runs"},
		{Name: "unknown method", Change: func(s *Settings) { s.Methods = []string{"tcp", "syn"} }, Setting: "methods[1]"},
		{Name: "method twice", Change: func(s *Settings) { s.Methods = []string{"tcp", "TCP"} }, Setting: "methods[1]"},
		{Name: "only dns", Change: func(s *Settings) { s.Methods = []string{"dns"} }, Setting: "methods"},
		{Name: "ndp and dns", Change: func(s *Settings) { s.Methods = []string{"ndp", "dns"} }},
		{Name: "ndp twice", Change: func(s *Settings) { s.Methods = []string{"ndp", "arp", "NDP"} }, Setting: "methods[2]"},
		{Name: "resolver hostname", Change: func(s *Settings) { s.Resolver = "dns.example.com" }, Setting: "resolver"},
		{Name: "resolver port zero", Change: func(s *Settings) { s.Resolver = "192.0.2.53:0" }, Setting: "resolver"},
		{Name: "resolver with port", Change: func(s *Settings) { s.Resolver = "[2001:db8::53]:5353" }},
		{Name: "unknown engine", Change: func(s *Settings) { s.Engine = "masscan" }, Setting: "engine"},
		{Name: "service detection builtin", Change: func(s *Settings) { s.ServiceDetection = true }, Setting: "service_detection"},
		{Name: "nmap without tcp or icmp", Change: func(s *Settings) { s.Engine, s.Methods = "nmap", []string{"neighbours"} }, Setting: "engine"},
		{Name: "discovered role and site", Change: func(s *Settings) { s.DiscoveredRole, s.DiscoveredSite = "Discovered", "Home" }},
		{Name: "discovered role without site", Change: func(s *Settings) { s.DiscoveredRole = "Discovered" }, Setting: "discovered_site"},
		{Name: "discovered site without role", Change: func(s *Settings) { s.DiscoveredSite = "Home" }, Setting: "discovered_site"},
	})
}

func TestDefaults(t *testing.T) {
	o, err := validSettings().validate("")
	require.NoError(t, err)
	assert.Equal(t, DefaultPorts(), o.Ports)
	assert.Equal(t, []int{22, 23, 80, 443, 3389, 5900, 5985, 8006, 8080, 8123, 8443, 9100}, o.tcp)
	assert.Empty(t, o.udp, "no UDP port by default: 161/udp is off unless named")
	assert.Equal(t, 4096, o.MaxAddresses)
	assert.Equal(t, time.Second, o.Timeout)
	assert.False(t, o.methods[MethodARP], "arp needs a raw socket: off unless named")
	assert.False(t, o.methods[MethodNDP], "ndp needs a raw socket: off unless named")
	for _, m := range defaultMethods {
		assert.True(t, o.methods[m], m)
	}
	assert.Empty(t, o.resolver, "the system's resolver by default")

	s := validSettings()
	s.Resolver = "192.0.2.53"
	o, err = s.validate("")
	require.NoError(t, err)
	assert.Equal(t, "192.0.2.53:53", o.resolver)
}

func TestMaxAddressesMessage(t *testing.T) {
	s := validSettings()
	s.CIDRs, s.Exclude = []string{"10.0.0.0/19"}, nil
	_, err := s.validate("")
	sourcetest.RequireError(t, err, source.ErrConfig, "cidrs: 8190 addresses to scan, more than max_addresses (4096)", "raise max_addresses")
}

func TestTargets(t *testing.T) {
	cases := []struct {
		name           string
		cidrs, exclude []string
		size           uint64
		first, last    string
	}{
		{"v4 /24 without network and broadcast", []string{"192.0.2.0/24"}, nil, 254, "192.0.2.1", "192.0.2.254"},
		{"v4 /31 both", []string{"192.0.2.0/31"}, nil, 2, "192.0.2.0", "192.0.2.1"},
		{"one address", []string{"192.0.2.9"}, nil, 1, "192.0.2.9", "192.0.2.9"},
		{"exclude a host and a block", []string{"192.0.2.0/24"}, []string{"192.0.2.1", "192.0.2.240/28"}, 238, "192.0.2.2", "192.0.2.239"},
		{"exclude that holds the broadcast", []string{"192.0.2.0/28"}, []string{"192.0.2.8/29"}, 7, "192.0.2.1", "192.0.2.7"},
		{"v6 /124 without the anycast address", []string{"2001:db8::/124"}, nil, 15, "2001:db8::1", "2001:db8::f"},
		{"two networks in order", []string{"198.51.100.8/30", "192.0.2.4/30"}, nil, 4, "198.51.100.9", "192.0.2.6"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := parseTargets(tc.cidrs, tc.exclude)
			require.NoError(t, err)
			list := tg.list()
			assert.Equal(t, tc.size, tg.size())
			require.Len(t, list, int(tc.size), "size counts what each walks")
			assert.Equal(t, tc.first, list[0].String())
			assert.Equal(t, tc.last, list[len(list)-1].String())
			for _, a := range list {
				assert.True(t, tg.contains(a), a.String())
			}
		})
	}
	tg, err := parseTargets([]string{"192.0.2.0/24"}, []string{"192.0.2.1"})
	require.NoError(t, err)
	for _, a := range []string{"192.0.2.0", "192.0.2.255", "192.0.2.1", "192.0.3.1", "2001:db8::1"} {
		assert.False(t, tg.contains(netip.MustParseAddr(a)), a)
	}
	huge, err := parseTargets([]string{"2001:db8::/48"}, nil)
	require.NoError(t, err)
	assert.Equal(t, ^uint64(0), huge.size(), "saturates")
}

// TestExampleConfig builds the scanner the example config shows, with its
// comments taken off, as the worker would.
func TestExampleConfig(t *testing.T) {
	b, err := os.ReadFile("../../../netbox-agent.example.yaml")
	require.NoError(t, err)
	text := string(b)
	i := strings.Index(text, "  # - name: lan\n  #   type: scanner\n")
	require.Positive(t, i, "the example shows a scanner")
	var lines []string
	for _, l := range strings.Split(text[i:], "\n")[2:] {
		if !strings.HasPrefix(l, "  #   ") {
			break
		}
		lines = append(lines, strings.TrimPrefix(l, "  #   "))
	}
	require.NotEmpty(t, lines)
	src, _ := sourcetest.New(t, SourceType, "lan", strings.Join(lines, "\n"), "", "")
	o := src.(*Source).opts
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("127.0.0.1")}, o.targets.list(), "the example scans loopback only")
	assert.Equal(t, DefaultPorts(), o.Ports)
}

// TestEngineNmapNeedsNmap: engine nmap without nmap on PATH is refused,
// naming the key.
func TestEngineNmapNeedsNmap(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	s := validSettings()
	s.Engine = EngineNmap
	_, err := s.validate("")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "engine")
	assert.Contains(t, err.Error(), "not on the worker's PATH")
}

func TestEngineNmapWithNmap(t *testing.T) {
	requireNmap(t)
	s := validSettings()
	s.Engine, s.ServiceDetection = "NMAP", true
	o, err := s.validate("")
	require.NoError(t, err)
	assert.Equal(t, EngineNmap, o.Engine)
}

// TestPortsFromConfig reads ports as a config file writes them: numbers
// and protocols mixed, and a wrong one named by its place.
func TestPortsFromConfig(t *testing.T) {
	src, _ := sourcetest.New(t, SourceType, "lan", "cidrs: [192.0.2.0/28]\nports: [22, 443/tcp, 161/udp, 53/UDP]\n", "", "")
	o := src.(*Source).opts
	assert.Equal(t, []int{22, 443}, o.tcp)
	assert.Equal(t, []int{161, 53}, o.udp)
	community, err := src.(*Source).community()
	require.NoError(t, err)
	assert.Equal(t, "public", community, "161/udp with no community set asks as public")

	_, err = New(sourcetest.LoadConfig(t, SourceType, "lan", "cidrs: [192.0.2.0/28]\nports: [22, 161/icmp]\n", "", ""), nil)
	sourcetest.RequireError(t, err, source.ErrConfig, `ports[1]: "161/icmp" is not a port (22, 22/tcp or 161/udp)`)
	_, err = New(sourcetest.LoadConfig(t, SourceType, "lan", "cidrs: [192.0.2.0/28]\nports: [22, 161/udp]\nmethods: [tcp, dns]\n", "", ""), nil)
	sourcetest.RequireError(t, err, source.ErrConfig, "ports[1]: 161/udp is a UDP port while methods has no udp")
}
