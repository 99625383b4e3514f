package e2e

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/activities/source/scanner/scantest"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// netnsHost is one host of the scanner's namespace lab: its own
// namespace, linked to the scanner's bridge by a veth whose MAC it sets.
type netnsHost struct {
	last  int    // the last octet of its address in 10.213.64.0/24
	mac   string // its veth's MAC
	name  string // its reverse DNS name, "" for none
	ports []int  // its TCP listeners
	snmp  bool   // it runs an SNMP agent of community public on 161/udp
}

// The lab's hosts. .11 and .12 carry the MACs the Proxmox fixture gives
// db01's net0 and build01's net1, VMs whose guest agent is not read, so
// that Proxmox reports their MACs and no address; .13 and .14 are hosts
// no source knows, .13 a printer with an SNMP agent, .14 answering ping
// only.
var netnsHosts = []netnsHost{
	{11, "bc:24:11:a0:00:01", "db01.lab.example.", []int{22, 80}, false},
	{12, "bc:24:11:b0:00:02", "build01.lab.example.", []int{443}, false},
	{13, "02:00:0a:d5:40:0d", "printer.lab.example.", []int{80, 9100}, true},
	{14, "02:00:0a:d5:40:0e", "", nil, false},
}

// scannerNetnsLab builds namespace scan (bridge br0, 10.213.64.1/24) with
// one namespace per host of netnsHosts on a veth in br0, starts the hosts'
// listeners and a DNS server in scan that names them, and returns the
// namespaces, the DNS server's address in scan and the address in scan
// that reaches the Temporal dev server. It skips without root or ip,
// except under CI=1. Nothing leaves the namespaces: 10.213.64.0/24 is on
// no link of the machine's own namespace and no route there changes.
func scannerNetnsLab(t *testing.T) (scantest.Netns, string, string) {
	t.Helper()
	names := []string{"scan"}
	for _, h := range netnsHosts {
		names = append(names, fmt.Sprintf("h%d", h.last))
	}
	lab := scantest.NewNetns(t, "nbe2e", names, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
	lab.Run(t, "scan", "ip", "link", "add", "br0", "type", "bridge")
	lab.Run(t, "scan", "ip", "addr", "add", "10.213.64.1/24", "dev", "br0")
	lab.Run(t, "scan", "ip", "link", "set", "br0", "up")
	lab.Run(t, "scan", "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
	dnsNames := map[string]string{}
	for _, h := range netnsHosts {
		ns, port := fmt.Sprintf("h%d", h.last), fmt.Sprintf("p%d", h.last)
		addr := fmt.Sprintf("10.213.64.%d", h.last)
		lab.Veth(t, "scan", port, ns, "eth0")
		lab.Run(t, "scan", "ip", "link", "set", port, "master", "br0", "up")
		lab.Run(t, ns, "ip", "link", "set", "eth0", "address", h.mac)
		lab.Run(t, ns, "ip", "addr", "add", addr+"/24", "dev", "eth0")
		lab.Run(t, ns, "ip", "link", "set", "eth0", "up")
		lab.Do(t, ns, func() {
			for _, p := range h.ports {
				scantest.Listen(t, fmt.Sprintf("%s:%d", addr, p))
			}
			if h.snmp {
				scantest.ServeSNMP(t, addr+":161", "public", "HP LaserJet lab")
			}
		})
		if h.name != "" {
			dnsNames[addr] = h.name
		}
	}
	var dns string
	lab.Do(t, "scan", func() { dns, _ = scantest.ServeDNS(t, dnsNames) })
	return lab, dns, lab.Forward(t, "scan", devServer.FrontendHostPort())
}

// startWorkerIn starts the worker binary bin in namespace ns of lab,
// serving only queue (`worker --task-queue`, as a worker inside the
// scanned network runs) and reaching Temporal at temporal; its log is
// shown when the test fails.
func startWorkerIn(t *testing.T, e *env, lab scantest.Netns, ns, bin, queue, temporal string) {
	t.Helper()
	proc := startWorkerCommand(t, e, []string{"ip", "netns", "exec", lab.Name(ns)}, bin,
		[]string{"--task-queue", queue}, "NETBOX_AGENT_TEMPORAL_ADDRESS="+temporal)
	t.Cleanup(func() {
		_ = proc.Process.Kill()
		_ = proc.Wait() // ip netns exec has ended with the worker
	})
}

// TestScannerNetnsMergesWithProxmox syncs the Proxmox fixture cluster and a
// scan of 10.213.64.0/24 in network namespaces the test builds: the scan
// runs on a worker inside the scanner's namespace, on the scanner's own
// task queue; the hosts are namespaces of their own with real listeners,
// MACs set on their veths, reverse DNS names from a server in the scanner's
// namespace. Live hosts become IP addresses with those names; the MACs
// come from the neighbour table; the open ports become services (the
// printer's SNMP agent on 161/udp among them); the hosts that carry the MAC of db01's and
// build01's NICs land on those VM interfaces, their open ports services of
// the VMs, with no second VM, IP or MAC. The hosts no source knows become
// devices of discovered_role (a NetBox service needs a device or VM) with
// their address, MAC and services. A second sync writes nothing.
func TestScannerNetnsMergesWithProxmox(t *testing.T) {
	lab, dns, temporal := scannerNetnsLab(t)
	pve := proxmoxtest.NewServer(t)
	queue := fmt.Sprintf("e2e-scan-netns-%d", os.Getpid())
	alpha, alphaSecret := proxmoxAlpha(pve.URL)
	e := newEnv(t, quickRetry+"sources:\n"+alpha+fmt.Sprintf(`  - name: lan
    type: scanner
    task_queue: %s
    cidrs: [10.213.64.0/24]
    ports: [22, 80, 443, 9100, 161/udp]
    resolver: %q
    timeout: 500ms
    discovered_role: Discovered
    discovered_site: Home Lab
`, queue, dns), alphaSecret)
	startWorkerIn(t, e, lab, "scan", buildWorker(t), queue, temporal)

	start := time.Now()
	_, res := e.sync(workflows.SyncRequest{})
	t.Logf("first sync in %s", time.Since(start).Round(time.Millisecond))
	require.Len(t, res.Sources, 2)
	for _, s := range res.Sources {
		require.Equal(t, activities.SourceOK, s.Status, "%s: %s", s.Name, s.Error)
	}
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)

	requireNetnsAddresses(t, e.nb)
	requireNetnsMACs(t, e.nb)
	requireNetnsServices(t, e.nb)
	vms := byName(e.nb.list(t, "virtualization/virtual-machines"))
	require.Len(t, vms, 5, "the fixture's five guests, none made for a scanned host: %v", vms)
	devices := byName(e.nb.list(t, "dcim/devices"))
	require.Len(t, devices, 5, "node1, node2 and a device per host no source knows: %v", devices)
	for _, name := range []string{"10.213.64.1", "printer.lab.example", "10.213.64.14"} {
		require.Equal(t, "Discovered", devices[name].str("role.name"), name)
		require.Equal(t, "Home Lab", devices[name].str("site.name"), name)
	}

	e.resetStats()
	start = time.Now()
	_, again := e.sync(workflows.SyncRequest{})
	t.Logf("second sync in %s", time.Since(start).Round(time.Millisecond))
	require.Zero(t, e.writes(), "an unchanged network re-scanned writes nothing: %v", e.stats().Requests)
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
}

// requireNetnsAddresses checks the lab's addresses in NetBox: one per live
// host, with its name and open ports, on the VM interface that carries its
// MAC or on the interface of the device made for it.
func requireNetnsAddresses(t *testing.T, nb *netbox) {
	t.Helper()
	byAddr := map[string]object{}
	for _, ip := range nb.list(t, "ipam/ip-addresses") {
		if a := ip.str("address"); strings.HasPrefix(a, "10.213.") {
			require.NotContains(t, byAddr, a, "one address per host")
			byAddr[a] = ip
		}
	}
	require.Len(t, byAddr, 5, "the four hosts and the scanner's own address: %v", byAddr)
	for _, c := range []struct {
		addr, dns, desc, iface, vm, device string
	}{
		{"10.213.64.1/32", "", "", "scan0", "", "10.213.64.1"},
		{"10.213.64.11/32", "db01.lab.example", "scanner: open tcp 22, 80", "net0", "db01", ""},
		{"10.213.64.12/32", "build01.lab.example", "scanner: open tcp 443", "net1", "build01", ""},
		{"10.213.64.13/32", "printer.lab.example", "scanner: open tcp 80, 9100; open udp 161", "scan0", "", "printer.lab.example"},
		{"10.213.64.14/32", "", "", "scan0", "", "10.213.64.14"},
	} {
		ip, ok := byAddr[c.addr]
		require.True(t, ok, "%s is live: %v", c.addr, byAddr)
		require.Equal(t, c.dns, ip.str("dns_name"), c.addr)
		require.Equal(t, c.desc, ip.str("description"), c.addr)
		require.Equal(t, "active", ip.str("status.value"), c.addr)
		require.Equal(t, c.iface, ip.str("assigned_object.name"), c.addr)
		require.Equal(t, c.vm, ip.str("assigned_object.virtual_machine.name"), c.addr)
		require.Equal(t, c.device, ip.str("assigned_object.device.name"), c.addr)
	}
	for _, vm := range []string{"db01", "build01"} {
		vms := nb.list(t, "virtualization/virtual-machines", "name", vm)
		require.Len(t, vms, 1, vm)
		require.Equal(t, 1, nb.count(t, "ipam/ip-addresses", "virtual_machine_id", idOf(vms[0])), "%s: the scanned address only, once", vm)
	}
}

// requireNetnsMACs checks the lab's MACs: the VMs' once each, on their
// interfaces; the other hosts' on the devices made for them; none for the
// scanner's own address.
func requireNetnsMACs(t *testing.T, nb *netbox) {
	t.Helper()
	macs := map[string][]object{}
	for _, m := range nb.list(t, "dcim/mac-addresses") {
		a := strings.ToLower(m.str("mac_address"))
		macs[a] = append(macs[a], m)
	}
	for _, c := range []struct{ mac, iface, vm, device string }{
		{"bc:24:11:a0:00:01", "net0", "db01", ""},
		{"bc:24:11:b0:00:02", "net1", "build01", ""},
		{"02:00:0a:d5:40:0d", "scan0", "", "printer.lab.example"},
		{"02:00:0a:d5:40:0e", "scan0", "", "10.213.64.14"},
	} {
		require.Len(t, macs[c.mac], 1, "%s once: %v", c.mac, macs)
		m := macs[c.mac][0]
		require.Equal(t, c.iface, m.str("assigned_object.name"), c.mac)
		require.Equal(t, c.vm, m.str("assigned_object.virtual_machine.name"), c.mac)
		require.Equal(t, c.device, m.str("assigned_object.device.name"), c.mac)
	}
}

// requireNetnsServices checks the open ports became services on the VM or
// device that holds each address.
func requireNetnsServices(t *testing.T, nb *netbox) {
	t.Helper()
	got := map[string][]string{}
	for _, s := range nb.list(t, "ipam/services") {
		got[s.str("parent.name")] = append(got[s.str("parent.name")], fmt.Sprintf("%s %s %v", s.str("name"), s.str("protocol.value"), s.get("ports")))
	}
	require.Equal(t, map[string][]string{
		"db01":                {"http tcp [80]", "ssh tcp [22]"},
		"build01":             {"https tcp [443]"},
		"printer.lab.example": {"http tcp [80]", "snmp udp [161]", "tcp-9100 tcp [9100]"},
	}, sortedValues(got))
	for _, s := range nb.list(t, "ipam/services") {
		want := "dcim.device"
		if n := s.str("parent.name"); n == "db01" || n == "build01" {
			want = "virtualization.virtualmachine"
		}
		require.Equal(t, want, s.str("parent_object_type"), s.str("parent.name"))
	}
}

// sortedValues sorts each list of m.
func sortedValues(m map[string][]string) map[string][]string {
	for _, v := range m {
		slices.Sort(v)
	}
	return m
}
