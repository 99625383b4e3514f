package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/scanner/scantest"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestScannerMergesWithInventory scans 127.77.1.0/29 on loopback (every
// address there answers a connect with a reset; .2 and .3 have a listener)
// beside an inventory file that knows nas01 at 127.77.1.2 with its MAC,
// and a VM gitea by its MAC only. The scanned .2 joins the file's address
// by address, and the MAC the neighbour table holds for it the file's MAC:
// NetBox gets one IP and one MAC for the NAS, on its interface, enriched
// with the reverse DNS name, and the open port as a service on the NAS.
// The scanned .3 lands on the VM interface that carries its MAC, its port
// as a service on the VM. The other live addresses become IP addresses on
// no interface, without services. A second sync writes nothing.
func TestScannerMergesWithInventory(t *testing.T) {
	cfg, port := scannerLab(t, 1, map[int]string{2: "nas01.lab.example.", 3: "gitea.lab.example."}, "")
	e := newEnv(t, cfg)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 2)
	for _, s := range res.Sources {
		require.Equal(t, activities.SourceOK, s.Status, s.Error)
	}
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)
	require.Positive(t, res.Merged)

	ips := e.nb.list(t, "ipam/ip-addresses")
	require.Len(t, ips, 6, "one address per live host, the NAS's once")
	byAddr := map[string]object{}
	for _, ip := range ips {
		byAddr[ip.str("address")] = ip
	}
	nas, ok := byAddr["127.77.1.2/24"]
	require.True(t, ok, "the file's prefix length wins over the scanner's /32: %v", byAddr)
	require.Equal(t, "nas01.lab.example", nas.str("dns_name"), "the scanner's reverse DNS name enriches it")
	require.Equal(t, fmt.Sprintf("scanner: open tcp %d", port), nas.str("description"))
	require.Equal(t, "eth0", nas.str("assigned_object.name"), "still on the NAS's interface")
	gitea, ok := byAddr["127.77.1.3/32"]
	require.True(t, ok)
	require.Equal(t, "gitea.lab.example", gitea.str("dns_name"))
	require.Equal(t, "active", gitea.str("status.value"))
	require.Equal(t, "net0", gitea.str("assigned_object.name"), "the VM's interface that carries the MAC the neighbour table gave")
	plain, ok := byAddr["127.77.1.4/32"]
	require.True(t, ok)
	require.Nil(t, plain["assigned_object"], "an address no source knows is on no interface")

	macs := e.nb.list(t, "dcim/mac-addresses")
	require.Len(t, macs, 3, "the NAS's and the VM's MACs once each, and the one only the neighbour table knows")
	require.Equal(t, 1, e.nb.count(t, "dcim/devices"), "the scanner makes no device")
	require.Equal(t, 1, e.nb.count(t, "virtualization/virtual-machines"))

	services := e.nb.list(t, "ipam/services")
	require.Len(t, services, 2, "the open port on the NAS and on the VM; none on addresses no host holds")
	byParent := map[string]object{}
	for _, s := range services {
		byParent[s.str("parent.name")] = s
	}
	require.Contains(t, byParent, "nas01")
	require.Contains(t, byParent, "gitea")
	require.Equal(t, fmt.Sprintf("tcp-%d", port), byParent["nas01"].str("name"))
	require.Equal(t, "tcp", byParent["nas01"].str("protocol.value"))
	require.Equal(t, "virtualization.virtualmachine", byParent["gitea"].str("parent_object_type"))

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged network re-scanned writes nothing: %v", e.stats().Requests)
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
}

// TestScannerDiscoveredRole scans 127.77.4.0/29 with discovered_role beside
// an inventory file that knows nas01 at 127.77.4.2 and a VM gitea by the
// MAC of 127.77.4.3. Those two are enriched as without the role: no
// device is made for them. Every other live address, which no source
// knows, becomes a device of the role at the site, named after its reverse
// DNS name (printer.lab.example at .4, with its open port as a service on
// it) or else its address, with the address, and the MAC the neighbour
// table holds for .5, on its interface. A second sync writes nothing.
func TestScannerDiscoveredRole(t *testing.T) {
	cfg, _ := scannerLab(t, 4, map[int]string{2: "nas01.lab.example.", 3: "gitea.lab.example.", 4: "printer.lab.example."},
		"    discovered_role: Discovered\n    discovered_site: Home\n")
	e := newEnv(t, cfg)

	_, res := e.sync(workflows.SyncRequest{})
	for _, s := range res.Sources {
		require.Equal(t, activities.SourceOK, s.Status, s.Error)
	}
	require.Empty(t, res.FailedBatches)
	require.Zero(t, res.Applied.Problems)

	devices := map[string]object{}
	for _, d := range e.nb.list(t, "dcim/devices") {
		devices[d.str("name")] = d
	}
	require.Len(t, devices, 5, "nas01 and one device per address no source knows: %v", devices)
	require.Equal(t, "Storage", devices["nas01"].str("role.name"), "the file's device keeps its role")
	for _, name := range []string{"127.77.4.1", "printer.lab.example", "127.77.4.5", "127.77.4.6"} {
		d, ok := devices[name]
		require.True(t, ok, "a device for %s: %v", name, devices)
		require.Equal(t, "Discovered", d.str("role.name"), name)
		require.Equal(t, "Home", d.str("site.name"), name)
		require.Equal(t, "Unknown", d.str("device_type.model"), name)
		require.Equal(t, "active", d.str("status.value"), name)
	}
	require.Equal(t, 1, e.nb.count(t, "virtualization/virtual-machines"))

	byAddr := map[string]object{}
	for _, ip := range e.nb.list(t, "ipam/ip-addresses") {
		byAddr[ip.str("address")] = ip
	}
	require.Len(t, byAddr, 6, "one address per live host")
	require.Equal(t, "eth0", byAddr["127.77.4.2/24"].str("assigned_object.name"), "enriched on the file's interface")
	require.Equal(t, "nas01.lab.example", byAddr["127.77.4.2/24"].str("dns_name"))
	require.Equal(t, "net0", byAddr["127.77.4.3/32"].str("assigned_object.name"), "on the VM's interface by its MAC")
	for addr, dev := range map[string]string{"127.77.4.1/32": "127.77.4.1", "127.77.4.4/32": "printer.lab.example", "127.77.4.5/32": "127.77.4.5"} {
		require.Equal(t, "scan0", byAddr[addr].str("assigned_object.name"), addr)
		require.Equal(t, dev, byAddr[addr].str("assigned_object.device.name"), addr)
	}

	macs := map[string]object{}
	for _, m := range e.nb.list(t, "dcim/mac-addresses") {
		macs[m.str("mac_address")] = m
	}
	require.Len(t, macs, 3)
	require.Equal(t, "scan0", macs["52:54:00:AA:04:05"].str("assigned_object.name"), "the MAC only the neighbour table knows, on the device made for it: %v", macs)
	require.Equal(t, "127.77.4.5", macs["52:54:00:AA:04:05"].str("assigned_object.device.name"))

	byParent := map[string]object{}
	for _, s := range e.nb.list(t, "ipam/services") {
		byParent[s.str("parent.name")] = s
	}
	require.Len(t, byParent, 3, "the open port on the NAS, the VM and the printer: %v", byParent)
	require.Contains(t, byParent, "printer.lab.example")

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, e.writes(), "an unchanged network re-scanned writes nothing: %v", e.stats().Requests)
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
}

// scannerLab is the loopback network 127.77.<n>.0/29 of a scanner test,
// beside an inventory file that knows nas01 at .2 with its MAC and a VM
// gitea by the MAC of .3 only. The hosts named (by their last octet) have
// a listener on one port and a reverse DNS name; the neighbour table holds
// the MACs of .2, .3 and .5. It returns the config of a sync of the file
// and a scan of the network (with extra settings of the scanner) and the
// open port.
func scannerLab(t *testing.T, n int, names map[int]string, extra string) (string, int) {
	t.Helper()
	ip := func(host int) string { return fmt.Sprintf("127.77.%d.%d", n, host) }
	mac := func(host int) string { return fmt.Sprintf("52:54:00:aa:%02x:%02x", n, host) }
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nas.yaml"), []byte(fmt.Sprintf(`
devices:
  - name: nas01
    site: Home
    role: Storage
    manufacturer: Synology
    device_type: DS920+
    interfaces:
      - name: eth0
        mac: %s
        ips: [%s/24]
virtual_machines:
  - name: gitea
    site: Home
    interfaces:
      - name: net0
        mac: %s
`, mac(2), ip(2), mac(3))), 0o600))
	port := scantest.Listen(t, ip(2)+":0")
	dnsNames := map[string]string{}
	for host, name := range names {
		dnsNames[ip(host)] = name
		if host != 2 {
			scantest.Listen(t, fmt.Sprintf("%s:%d", ip(host), port))
		}
	}
	dns, _ := scantest.ServeDNS(t, dnsNames)
	table := "IP address       HW type     Flags       HW address            Mask     Device\n"
	for _, host := range []int{2, 3, 5} {
		table += fmt.Sprintf("%-16s 0x1         0x2         %s     *        lo\n", ip(host), mac(host))
	}
	arp := filepath.Join(t.TempDir(), "arp")
	require.NoError(t, os.WriteFile(arp, []byte(table), 0o600))
	return fmt.Sprintf(`
sync:
  retry:
    initial_interval: 100ms
    maximum_attempts: 3
sources:
  - name: files
    type: filesystem
    path: %s
  - name: lan
    type: scanner
    cidrs: [%s/29]
    ports: [%d]
    resolver: %q
    neighbour_table: %s
    methods: [tcp, neighbours, dns]
`, dir, ip(0), port, dns, arp) + extra, port
}
