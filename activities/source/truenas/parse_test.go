package truenas

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

func TestPhysicalType(t *testing.T) {
	cases := []struct {
		name      string
		media     string
		supported []string
		want      string
	}{
		{"gigabit copper", "1000Mb/s Twisted Pair", nil, "1000base-t"},
		{"2.5G copper", "2500Mb/s Twisted Pair", nil, "2.5gbase-t"},
		{"10G copper", "10000Mb/s Twisted Pair", nil, "10gbase-t"},
		{"100M copper", "100Mb/s Twisted Pair", nil, "100base-tx"},
		{"10G optics", "10000Mb/s Fibre", nil, "10gbase-x-sfpp"},
		{"25G direct attach", "25000Mb/s Direct Attach Copper", nil, "25gbase-x-sfp28"},
		{"100G optics", "100000Mb/s Fibre", nil, "100gbase-x-qsfp28"},
		{"1G optics", "1000Mb/s Fibre", nil, "1000base-x-sfp"},
		{"speed without a NetBox type", "20000Mb/s Fibre", nil, "other"},
		{"copper speed without a NetBox type", "25000Mb/s Twisted Pair", nil, "other"},
		{"unknown port, modes say optics", "10000Mb/s Other", []string{"1000baseX/Full", "10000baseSR/Full"}, "10gbase-x-sfpp"},
		{"unknown port, copper speed", "1000Mb/s Other", nil, "1000base-t"},
		{"unknown port, fast speed", "40000Mb/s Other", nil, "40gbase-x-qsfpp"},
		{"link down, copper modes", "Unknown Twisted Pair", []string{"100baseT/Full", "10000baseT/Full", "1000baseT/Full"}, "10gbase-t"},
		{"link down, optical modes", "Unknown Fibre", []string{"10000baseSR/Full", "25000baseSR/Full"}, "25gbase-x-sfp28"},
		{"nothing known", "Unknown Other", nil, DefaultPhysicalType},
		{"empty", "", nil, DefaultPhysicalType},
		{"modes unparsable", "", []string{"Autoneg", "FIBRE"}, DefaultPhysicalType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it := iface{Name: "eth0", Type: typePhysical, State: ifaceState{ActiveMediaSubtype: tc.media, SupportedMedia: tc.supported}}
			assert.Equal(t, tc.want, (&Source{}).interfaceType(it))
		})
	}
}

// TestFreeBSDInterfaceType covers TrueNAS CORE's interfaces: FreeBSD's
// ifmedia words (sys/net/if_media.h) and driver names.
func TestFreeBSDInterfaceType(t *testing.T) {
	cases := []struct {
		name, typ, media string
		supported        []string
		want             string
	}{
		{"igb0", typePhysical, "1000baseT <full-duplex>", nil, "1000base-t"},
		{"em0", typePhysical, "100baseTX <full-duplex>", nil, "100base-tx"},
		{"ix0", typePhysical, "10Gbase-SR <full-duplex,rxpause,txpause>", nil, "10gbase-x-sfpp"},
		{"ix1", typePhysical, "10Gbase-Twinax <full-duplex>", nil, "10gbase-x-sfpp"},
		{"ix2", typePhysical, "10Gbase-T <full-duplex>", nil, "10gbase-t"},
		{"mce0", typePhysical, "25GBase-CR <full-duplex>", nil, "25gbase-x-sfp28"},
		{"igc0", typePhysical, "2500Base-T <full-duplex>", nil, "2.5gbase-t"},
		{"cxl0", typePhysical, "40Gbase-SR4 <full-duplex>", nil, "40gbase-x-qsfpp"},
		{"igb1", typePhysical, "autoselect", []string{"autoselect", "1000baseT", "1000baseT <full-duplex>", "100baseTX"}, "1000base-t"},
		// link down and no media list: the driver's usual port
		{"igb2", typePhysical, "", nil, "1000base-t"},
		{"re0", typePhysical, "autoselect", nil, "1000base-t"},
		{"igc1", typePhysical, "", nil, "2.5gbase-t"},
		{"ix3", typePhysical, "autoselect", []string{"autoselect"}, "10gbase-x-sfpp"},
		{"vtnet0", typePhysical, "", nil, DefaultPhysicalType},
		// cloned interfaces: the TrueNAS type, else the name
		{"lagg0", typeLAG, "", nil, "lag"},
		{"lagg1", "UNKNOWN", "", nil, "lag"},
		{"vlan10", "", "", nil, "virtual"},
		{"bridge0", "UNKNOWN", "", nil, "bridge"},
		{"epair0a", "UNKNOWN", "", nil, "other"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it := iface{Name: tc.name, Type: tc.typ, State: ifaceState{ActiveMediaSubtype: tc.media, SupportedMedia: tc.supported}}
			assert.Equal(t, tc.want, (&Source{}).interfaceType(it))
		})
	}
}

func TestInterfaceTypeOverrides(t *testing.T) {
	s := &Source{opts: options{Settings: Settings{InterfaceTypes: map[string]string{
		"eno1": "10gbase-t", "enp*": "25gbase-x-sfp28", "en*": "100base-tx",
	}}}}
	cases := []struct {
		it   iface
		want string
	}{
		{iface{Name: "eno1", Type: typePhysical}, "10gbase-t"},         // exact name first
		{iface{Name: "enp65s0f0", Type: typePhysical}, "100base-tx"},   // patterns in sorted order: en* before enp*
		{iface{Name: "bond0", Type: typeLAG}, "lag"},                   // no match: the TrueNAS type
		{iface{Name: "vlan20", Type: typeVLAN}, "virtual"},             //
		{iface{Name: "br0", Type: typeBridge}, "bridge"},               //
		{iface{Name: "wg0", Type: "UNKNOWN"}, "other"},                 //
		{iface{Name: "eth9", Type: typePhysical}, DefaultPhysicalType}, // nothing known
		{iface{Name: "ix0", Type: typePhysical}, "10gbase-x-sfpp"},     // FreeBSD's ix driver: SFP+ NICs
	}
	for _, tc := range cases {
		t.Run(tc.it.Name, func(t *testing.T) {
			assert.Equal(t, tc.want, s.interfaceType(tc.it))
		})
	}
}

func TestPlatformName(t *testing.T) {
	cases := map[string]string{
		"25.04.2.4":             "TrueNAS 25.04",
		"25.10-RC.1":            "TrueNAS 25.10",
		"TrueNAS-SCALE-24.10.2": "TrueNAS 24.10",
		"26.0.0-BETA.1":         "TrueNAS 26.0",
		"MASTER":                "",
		"":                      "",
	}
	for in, want := range cases {
		assert.Equal(t, want, platformName(in), in)
	}
}

func TestDeviceTypeFromDMI(t *testing.T) {
	ptr := func(s string) *string { return &s }
	cases := []struct {
		name                  string
		manufacturer, product *string
		setMf, setModel       string
		wantMf, wantModel     string
	}{
		{"DMI", ptr("Supermicro"), ptr("SSG-620P-ACR12H"), "", "", "Supermicro", "SSG-620P-ACR12H"},
		{"placeholders", ptr("To Be Filled By O.E.M."), ptr("System Product Name"), "", "", DefaultManufacturer, DefaultModel},
		{"missing", nil, nil, "", "", DefaultManufacturer, DefaultModel},
		{"configured wins", ptr("QEMU"), ptr("Standard PC"), "iXsystems", "TrueNAS Mini X+", "iXsystems", "TrueNAS Mini X+"},
		{"model only configured", ptr("iXsystems"), ptr("Default string"), "", "TrueNAS Mini X+", "iXsystems", "TrueNAS Mini X+"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &Source{opts: options{Settings: Settings{Manufacturer: tc.setMf, Model: tc.setModel}}}
			mf, model := s.deviceType(systemInfo{SystemManufacturer: tc.manufacturer, SystemProduct: tc.product})
			assert.Equal(t, tc.wantMf, mf)
			assert.Equal(t, tc.wantModel, model)
		})
	}
}

func TestAliasCIDR(t *testing.T) {
	cases := []struct {
		alias ifaceAlias
		want  string
		ok    bool
	}{
		{ifaceAlias{Type: "INET", Address: "10.0.0.5", Netmask: "24"}, "10.0.0.5/24", true},
		{ifaceAlias{Type: "INET", Address: "10.0.0.5", Netmask: "255.255.254.0"}, "10.0.0.5/23", true},
		{ifaceAlias{Type: "INET6", Address: "2001:DB8::5", Netmask: "64"}, "2001:db8::5/64", true},
		{ifaceAlias{Type: "INET", Address: "10.0.0.5"}, "10.0.0.5/32", true},
		{ifaceAlias{Type: "INET", Address: "nonsense", Netmask: "24"}, "", false},
	}
	for _, tc := range cases {
		got, ok := aliasCIDR(tc.alias)
		assert.Equal(t, tc.ok, ok, tc.alias.Address)
		assert.Equal(t, tc.want, got, tc.alias.Address)
	}
}

func TestFlexString(t *testing.T) {
	var v struct {
		A, B, C flexString
	}
	require.NoError(t, json.Unmarshal([]byte(`{"A": 24, "B": "255.255.255.0", "C": null}`), &v))
	assert.Equal(t, flexString("24"), v.A)
	assert.Equal(t, flexString("255.255.255.0"), v.B)
	assert.Equal(t, flexString(""), v.C)
	assert.Error(t, json.Unmarshal([]byte(`{"A": true}`), &v))
}

func TestPoolCapacity(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	cases := []struct {
		p    pool
		want string
	}{
		{pool{Size: i(1 << 40), Allocated: i(1 << 39)}, "50% of 1.00 TiB used"},
		{pool{Size: i(1 << 40), Free: i(1 << 38)}, "75% of 1.00 TiB used"},
		{pool{Size: i(3 << 30)}, "size 3.00 GiB"},
		{pool{}, "size unknown"},
		{pool{Size: i(0)}, "size unknown"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, poolCapacity(tc.p))
	}
	assert.Equal(t, "512 B", iecBytes(512))
	assert.Equal(t, "1.50 KiB", iecBytes(1536))
}

func TestDescribe(t *testing.T) {
	short := []string{"/mnt/a", "/mnt/b"}
	assert.Equal(t, "NFS exports: /mnt/a, /mnt/b", describe("NFS exports: ", short, ""))
	assert.Equal(t, "iSCSI targets: t1; extents: e1", describe("iSCSI targets: ", []string{"t1"}, "; extents: e1"))

	var many []string
	for i := 0; i < 40; i++ {
		many = append(many, "/mnt/tank/projects/p"+strings.Repeat("x", 5)+string(rune('a'+i%26)))
	}
	got := describe("NFS exports: ", many, "")
	assert.LessOrEqual(t, len(got), maxDescription)
	assert.True(t, strings.HasPrefix(got, "NFS exports: /mnt/tank/projects/pxxxxxa, "))
	assert.Regexp(t, `… and [0-9]+ more$`, got)

	// extras are dropped before items
	items := []string{strings.Repeat("t", 150)}
	got = describe("iSCSI targets: ", items, "; extents: "+strings.Repeat("e", 60))
	assert.Equal(t, "iSCSI targets: "+items[0], got)

	// one item longer than the limit is cut on a character boundary
	got = describe("SMB shares: ", []string{strings.Repeat("ä", 150)}, "")
	assert.LessOrEqual(t, len(got), maxDescription)
	assert.True(t, strings.HasSuffix(got, "…"))
	assert.True(t, json.Valid([]byte(`"`+got+`"`)), "valid UTF-8")
}

func TestDecodeAnswer(t *testing.T) {
	var out map[string]any
	cases := []struct {
		name    string
		msg     string
		done    bool
		class   error
		rpc     bool
		message string
	}{
		{name: "result", msg: `{"jsonrpc":"2.0","id":3,"result":{"a":1}}`, done: true},
		{name: "null result", msg: `{"jsonrpc":"2.0","id":3,"result":null}`, done: true},
		{name: "notification", msg: `{"jsonrpc":"2.0","method":"collection_update","params":{"msg":"changed"}}`},
		{name: "error", msg: `{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method does not exist"}}`, done: true, rpc: true, message: "x.y: TrueNAS answered error -32601 (Method does not exist)"},
		{name: "error without id", msg: `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Expecting value"}}`, done: true, rpc: true, message: "-32700"},
		{name: "error unreadable", msg: `{"jsonrpc":"2.0","id":3,"error":"boom"}`, done: true, class: source.ErrMalformed},
		{name: "other id", msg: `{"jsonrpc":"2.0","id":4,"result":{}}`, done: true, class: source.ErrMalformed, message: "answer has id 4, want 3"},
		{name: "no result", msg: `{"jsonrpc":"2.0","id":3}`, done: true, class: source.ErrMalformed},
		{name: "not JSON", msg: `Bad Gateway`, done: true, class: source.ErrMalformed, message: `not JSON-RPC ("Bad Gateway")`},
		{name: "result of another shape", msg: `{"jsonrpc":"2.0","id":3,"result":[1]}`, done: true, class: source.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			done, err := decodeAnswer("x.y", 3, []byte(tc.msg), &out)
			assert.Equal(t, tc.done, done)
			var re *RPCError
			switch {
			case tc.rpc:
				require.True(t, errors.As(err, &re), "got %v", err)
			case tc.class != nil:
				assert.True(t, errors.Is(err, tc.class), "got %v", err)
			default:
				assert.NoError(t, err)
			}
			if tc.message != "" {
				assert.Contains(t, err.Error(), tc.message)
			}
		})
	}
}

func TestKeyID(t *testing.T) {
	assert.Equal(t, "7", keyID("7-abc"))
	assert.True(t, validKey("12-abc"))
	assert.False(t, validKey("12-"))
	assert.False(t, validKey("-abc"))
	assert.False(t, validKey("abc"))
	assert.False(t, validKey("1a-abc"))
}
