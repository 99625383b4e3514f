package e2e

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestProxmoxPasswordSync logs into the fake cluster with user and password
// instead of a token and checks what issue 14 asked of it in NetBox: each
// node's bridges, bonds and VLAN interfaces with their bridge, LAG and parent,
// the VLAN tag and bridge of guest NICs, and every address of a dual-stack
// container, secondary IPv4 and global IPv6 included.
func TestProxmoxPasswordSync(t *testing.T) {
	fake := proxmoxtest.NewFake()
	pve := httptest.NewServer(fake)
	t.Cleanup(pve.Close)
	e := newEnv(t, fmt.Sprintf(`
sources:
  - name: alpha
    type: proxmox
    url: %s
    username: %s
    site: Home Lab
`, pve.URL, proxmoxtest.Username), config.SecretEnv("alpha", "password")+"="+proxmoxtest.Password)

	_, res := e.sync(workflows.SyncRequest{})
	require.Len(t, res.Sources, 1)
	require.Equal(t, activities.SourceOK, res.Sources[0].Status, res.Sources[0].Error)
	require.Zero(t, res.Applied.Problems)
	require.NoError(t, fake.Err())
	logins, _ := fake.Logins()
	require.Equal(t, 1, logins, "one login for the whole discovery")
	requireProxmoxLab(t, e.nb)

	nodes := byName(e.nb.list(t, "dcim/devices", "name", "node1"))
	ifaces := byName(e.nb.list(t, "dcim/interfaces", "device_id", idOf(nodes["node1"])))
	for _, tc := range []struct{ name, typ, field, target string }{
		{"bond0", "lag", "bridge", "vmbr0"},
		{"enp65s0f0", "", "lag", "bond0"},
		{"enp65s0f1", "", "lag", "bond0"},
		{"eno1.2", "virtual", "parent", "eno1"},
		{"vmbr0.20", "virtual", "parent", "vmbr0"},
		{"vmbr0", "bridge", "", ""},
	} {
		i, ok := ifaces[tc.name]
		require.True(t, ok, "node1 has %s", tc.name)
		if tc.typ != "" {
			require.Equal(t, tc.typ, i.str("type.value"), tc.name)
		}
		if tc.field != "" {
			require.Equal(t, tc.target, i.str(tc.field+".name"), "%s's %s", tc.name, tc.field)
		}
	}

	vms := byName(e.nb.list(t, "virtualization/virtual-machines", "name", "dns01", "name", "web01"))
	web := byName(e.nb.list(t, "virtualization/interfaces", "virtual_machine_id", idOf(vms["web01"])))
	require.Equal(t, "virtio, bridge vmbr0, VLAN 20", web["net0"].str("description"))

	dns := vms["dns01"]
	var addrs []string
	for _, ip := range e.nb.list(t, "ipam/ip-addresses", "virtual_machine_id", idOf(dns)) {
		addrs = append(addrs, ip.str("address"))
	}
	require.Subset(t, addrs, []string{"10.20.0.53/24", "10.20.0.54/24", "2001:db8:20::53/64", "192.168.2.53/24"})
	require.NotContains(t, addrs, "fe80::be24:11ff:fe89:6707/64")
	require.Equal(t, "10.20.0.53/24", dns.str("primary_ip4.address"))
	require.Equal(t, "2001:db8:20::53/64", dns.str("primary_ip6.address"))
}
