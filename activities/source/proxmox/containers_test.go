package proxmox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// readContainerInterfaces decodes a recorded interfaces answer the way the
// API client does: the list under "data".
func readContainerInterfaces(t *testing.T, name string) []containerInterface {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "container-interfaces", name))
	require.NoError(t, err)
	var env struct {
		Data []containerInterface `json:"data"`
	}
	require.NoError(t, json.Unmarshal(raw, &env))
	return env.Data
}

func TestContainerAddresses(t *testing.T) {
	cases := []struct {
		name, file, net string
		want            []string
	}{
		{"pve 8.0: inet and inet6 only, hwaddr", "pve8.0.json",
			"name=eth0,bridge=vmbr0,hwaddr=BC:24:11:89:67:07,ip=dhcp", []string{"192.168.3.95/22"}},
		{"pve 8.4: every address of ip-addresses, secondary IPv4 and global IPv6 kept", "pve8.4.json",
			"name=eth0,bridge=vmbr0,hwaddr=BC:24:11:89:67:07,ip=dhcp,ip6=auto",
			[]string{"192.168.3.95/22", "192.168.3.96/22", "2001:db8:3::95/64"}},
		{"pve 8.4: matched by hardware-address without hwaddr, prefix as a string", "pve8.4.json",
			"name=net1,bridge=vmbr0,hwaddr=BC:24:11:89:67:09,ip=dhcp", []string{"10.9.0.5/24"}},
		{"matched by name when the config has no MAC", "pve8.4.json",
			"name=eth1,bridge=vmbr0,ip=dhcp", []string{"10.9.0.5/24"}},
		{"no interface of that MAC or name", "pve8.4.json",
			"name=eth7,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := &guestDetail{ContainerInterfaces: readContainerInterfaces(t, tc.file), InterfacesRead: true}
			spec := parseNet("lxc", "net0", tc.net)
			mac, _ := inventory.NormalizeMAC(spec.MAC)
			got := guestAddresses(guest{Type: "lxc", Status: "running"}, d, spec, mac)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestContainerInterfaceMAC(t *testing.T) {
	for _, tc := range []struct {
		name string
		ci   containerInterface
		want string
	}{
		{"hardware-address wins", containerInterface{HardwareAddress: "bc:24:11:00:00:01", HWAddr: "bc:24:11:00:00:02"}, "bc:24:11:00:00:01"},
		{"hwaddr when alone", containerInterface{HWAddr: "bc:24:11:00:00:02"}, "bc:24:11:00:00:02"},
		{"neither", containerInterface{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.ci.mac()) })
	}
}
