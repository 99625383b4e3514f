package homeassistant

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

func ptr(s string) *string { return &s }

// mapOnly maps devices without a connection, with the settings changed by mod.
func mapOnly(t *testing.T, mod func(*Settings), reg *registry) *source.Snapshot {
	t.Helper()
	s := DefaultSettings()
	s.URL, s.Site, s.AllowPlaintext = "http://ha.lan:8123", "Home", true
	if mod != nil {
		mod(&s)
	}
	o, err := s.validate("")
	require.NoError(t, err)
	if reg.Areas == nil {
		reg.Areas = map[string]area{}
	}
	if reg.Domains == nil {
		reg.Domains = map[string]string{}
	}
	src := &Source{Instance: source.Instance{Name: "house", Log: zap.NewNop()}, opts: o}
	snap, _ := src.snapshot(reg)
	checkStructure(t, "house", snap)
	return snap
}

func devKey(id string) string { return "homeassistant/house/device/" + id }

func TestSkippedEntries(t *testing.T) {
	reg := func() *registry {
		return &registry{Devices: []device{
			{ID: "aaaa0001", Name: ptr("Sun"), EntryType: ptr("service")},
			{ID: "aaaa0002", Name: ptr("Doorbell"), DisabledBy: ptr("user"), Manufacturer: ptr("Ring"), Model: ptr("Doorbell Pro")},
			{ID: "aaaa0003", Name: ptr("Plug"), Manufacturer: ptr("Shelly"), Model: ptr("Plug S")},
		}}
	}
	t.Run("services and disabled devices are left out", func(t *testing.T) {
		snap := mapOnly(t, nil, reg())
		assert.Nil(t, sourcetest.Find(snap, devKey("aaaa0001")))
		assert.Nil(t, sourcetest.Find(snap, devKey("aaaa0002")))
		require.NotNil(t, sourcetest.Find(snap, devKey("aaaa0003")))
		assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindDevice, ""), 1)
		assert.Nil(t, sourcetest.Find(snap, inventory.SharedKey(inventory.KindManufacturer, "Ring")),
			"nothing of a skipped device is reported")
	})
	t.Run("disabled devices are offline when included", func(t *testing.T) {
		snap := mapOnly(t, func(s *Settings) { s.IncludeDisabled = true }, reg())
		assert.Nil(t, sourcetest.Find(snap, devKey("aaaa0001")), "services stay out")
		dev := sourcetest.Find(snap, devKey("aaaa0002"))
		require.NotNil(t, dev)
		assert.Equal(t, "offline", dev.String("status"))
		assert.Equal(t, "active", sourcetest.Find(snap, devKey("aaaa0003")).String("status"))
	})
}

func TestDeviceNames(t *testing.T) {
	long := strings.Repeat("Very long name ", 6) // 90 characters
	cases := []struct {
		name    string
		devices []device
		want    map[string]string // id -> name
		warn    string
	}{
		{"user's name first", []device{{ID: "d1", Name: ptr("shellyplug-s-1a2b3c"), NameByUser: ptr("Kettle")}},
			map[string]string{"d1": "Kettle"}, ""},
		{"integration's name", []device{{ID: "d1", Name: ptr("  Hue   Bridge ")}},
			map[string]string{"d1": "Hue Bridge"}, ""},
		{"manufacturer and model when unnamed", []device{{ID: "d1", Manufacturer: ptr("IKEA of Sweden"), Model: ptr("TRADFRI bulb")}},
			map[string]string{"d1": "IKEA of Sweden TRADFRI bulb"}, ""},
		{"id when nothing else", []device{{ID: "0123456789abcdef0123456789abcdef"}},
			map[string]string{"0123456789abcdef0123456789abcdef": "Home Assistant device 01234567"}, ""},
		{"too long for NetBox", []device{{ID: "d1", Name: ptr(long)}},
			map[string]string{"d1": strings.TrimSpace(long[:64])}, ""},
		{"clash regardless of case", []device{
			{ID: "11112222333344445555666677778888", NameByUser: ptr("Motion sensor")},
			{ID: "99990000aaaabbbbccccddddeeeeffff", NameByUser: ptr("motion Sensor")},
			{ID: "55556666777788889999aaaabbbbcccc", NameByUser: ptr("Hallway")},
		}, map[string]string{
			"11112222333344445555666677778888": "Motion sensor (11112222)",
			"99990000aaaabbbbccccddddeeeeffff": "motion Sensor (99990000)",
			"55556666777788889999aaaabbbbcccc": "Hallway",
		}, `2 devices are named "Motion sensor"`},
		{"clash of long names keeps the suffix", []device{
			{ID: "11112222333344445555666677778888", Name: ptr(long)},
			{ID: "99990000aaaabbbbccccddddeeeeffff", Name: ptr(long)},
		}, map[string]string{
			"11112222333344445555666677778888": strings.TrimSpace(long[:53]) + " (11112222)",
			"99990000aaaabbbbccccddddeeeeffff": strings.TrimSpace(long[:53]) + " (99990000)",
		}, "2 devices are named"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap := mapOnly(t, nil, &registry{Devices: tc.devices})
			for id, name := range tc.want {
				dev := sourcetest.Find(snap, devKey(id))
				require.NotNil(t, dev, id)
				assert.Equal(t, name, dev.String("name"))
			}
			if tc.warn == "" {
				assert.Empty(t, snap.Warnings)
			} else {
				assert.Contains(t, strings.Join(snap.Warnings, "\n"), tc.warn)
			}
		})
	}
}

func TestDeviceTypes(t *testing.T) {
	cases := []struct {
		name       string
		dev        device
		typeKey    string
		model      string
		partNumber string
		maker      string
	}{
		{"model and model id", device{Manufacturer: ptr("Signify Netherlands B.V."), Model: ptr("Hue color lamp"), ModelID: ptr("LCA001")},
			"device_type/signify-netherlands-b-v-hue-color-lamp", "Hue color lamp", "LCA001", "Signify Netherlands B.V."},
		{"model id equal to model", device{Manufacturer: ptr("Espressif"), Model: ptr("esp32dev"), ModelID: ptr("esp32dev")},
			"device_type/espressif-esp32dev", "esp32dev", "", "Espressif"},
		{"model id alone", device{Manufacturer: ptr("Xiaomi"), ModelID: ptr("LYWSD03MMC")},
			"device_type/xiaomi-lywsd03mmc", "LYWSD03MMC", "", "Xiaomi"},
		{"no model", device{Manufacturer: ptr("Tasmota")},
			"device_type/tasmota-unknown", UnknownModel, "", "Tasmota"},
		{"nothing known", device{},
			"device_type/unknown-unknown", UnknownModel, "", UnknownManufacturer},
		{"model id too long for a part number", device{Manufacturer: ptr("ACME"), Model: ptr("Widget"), ModelID: ptr(strings.Repeat("x", 51))},
			"device_type/acme-widget", "Widget", "", "ACME"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.dev
			d.ID, d.Name = "d1", ptr("thing")
			snap := mapOnly(t, nil, &registry{Devices: []device{d}})
			dev := sourcetest.Find(snap, devKey("d1"))
			require.NotNil(t, dev)
			assert.Equal(t, tc.typeKey, dev.Refs["device_type"])
			dt := sourcetest.Find(snap, tc.typeKey)
			require.NotNil(t, dt)
			assert.Equal(t, tc.model, dt.String("model"))
			assert.Equal(t, tc.partNumber, dt.String("part_number"))
			mf := sourcetest.Find(snap, dt.Refs["manufacturer"])
			require.NotNil(t, mf)
			assert.Equal(t, tc.maker, mf.String("name"))
		})
	}
}

func TestSerials(t *testing.T) {
	cases := []struct {
		name, serial, want, warn string
	}{
		{"kept", "2080PDN123456", "2080PDN123456", ""},
		{"placeholder", "0", "", ""},
		{"too long", strings.Repeat("9", 51), "", "serial number longer than NetBox's 50 characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap := mapOnly(t, nil, &registry{Devices: []device{{ID: "d1", Name: ptr("nas"), SerialNumber: ptr(tc.serial)}}})
			assert.Equal(t, tc.want, sourcetest.Find(snap, devKey("d1")).String("serial"))
			if tc.warn != "" {
				assert.Contains(t, strings.Join(snap.Warnings, "\n"), tc.warn)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	domains := map[string]string{"E_HUE": "hue", "E_MQTT": "mqtt", "E_ZHA": "zha"}
	roles := map[string]string{"hue": "Lighting", "MQTT": "Automation", "signify netherlands b.v.": "Lamps", "zigbee2mqtt": "Z2M"}
	cases := []struct {
		name string
		dev  device
		want string
	}{
		{"primary entry's integration", device{PrimaryConfigEntry: ptr("E_MQTT"), ConfigEntries: []string{"E_HUE", "E_MQTT"}}, "Automation"},
		{"other entries sorted by domain", device{ConfigEntries: []string{"E_MQTT", "E_HUE"}}, "Lighting"},
		{"single entry of newer releases", device{ConfigEntryID: ptr("E_HUE")}, "Lighting"},
		{"identifier domain", device{Identifiers: []tuple{{"zigbee2mqtt", "0x00158d0001"}}}, "Z2M"},
		{"identifier of three elements", device{Identifiers: []tuple{{"zigbee2mqtt", "bridge", "0x00158d0001"}}}, "Z2M"},
		{"an identifier without value is no domain", device{Identifiers: []tuple{{}, {"esphome", "x"}}}, "Things"},
		{"entry without a role falls through to identifiers", device{PrimaryConfigEntry: ptr("E_ZHA"), Identifiers: []tuple{{"hue", "x"}}}, "Lighting"},
		{"manufacturer, case aside", device{Manufacturer: ptr("Signify Netherlands B.V."), PrimaryConfigEntry: ptr("E_ZHA")}, "Lamps"},
		{"integration before manufacturer", device{Manufacturer: ptr("Signify Netherlands B.V."), PrimaryConfigEntry: ptr("E_HUE")}, "Lighting"},
		{"default", device{Manufacturer: ptr("Espressif"), Identifiers: []tuple{{"esphome", "x"}}}, "Things"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.dev
			d.ID, d.Name = "d1", ptr("thing")
			snap := mapOnly(t, func(s *Settings) { s.Roles, s.DefaultRole = roles, "Things" },
				&registry{Devices: []device{d}, Domains: domains})
			role := sourcetest.Find(snap, sourcetest.Find(snap, devKey("d1")).Refs["role"])
			require.NotNil(t, role)
			assert.Equal(t, tc.want, role.String("name"))
		})
	}
}

func TestLocations(t *testing.T) {
	reg := func() *registry {
		return &registry{
			Areas: map[string]area{"kitchen": {AreaID: "kitchen", Name: "Küche"}},
			Devices: []device{
				{ID: "d1", Name: ptr("plug"), AreaID: ptr("kitchen")},
				{ID: "d2", Name: ptr("bulb"), AreaID: ptr("attic")},
				{ID: "d3", Name: ptr("hub")},
			},
		}
	}
	t.Run("areas become locations of the site", func(t *testing.T) {
		snap := mapOnly(t, nil, reg())
		loc := sourcetest.Find(snap, "location/kuche")
		require.NotNil(t, loc)
		assert.Equal(t, "Küche", loc.String("name"))
		assert.Equal(t, "site/home", loc.Refs["site"])
		assert.Equal(t, loc.Key, sourcetest.Find(snap, devKey("d1")).Refs["location"])
		assert.Empty(t, sourcetest.Find(snap, devKey("d2")).Refs["location"])
		assert.Empty(t, sourcetest.Find(snap, devKey("d3")).Refs["location"])
		assert.Equal(t, []string{"device bulb: area attic is not in the area registry; reported without location"}, snap.Warnings)
		assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindLocation, ""), 1, "only areas with devices")
	})
	t.Run("location_from_area off", func(t *testing.T) {
		snap := mapOnly(t, func(s *Settings) { s.LocationFromArea = false }, reg())
		assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindLocation, ""))
		assert.Empty(t, sourcetest.Find(snap, devKey("d1")).Refs["location"])
		assert.Empty(t, snap.Warnings)
	})
}

func TestMACConnections(t *testing.T) {
	cases := []struct {
		name        string
		connections []tuple
		ifaces      map[string]string // interface name -> MAC
		types       map[string]string // interface name -> NetBox type
		warn        string
	}{
		{"one mac", []tuple{{"mac", "a8:03:2a:b1:c2:d4"}},
			map[string]string{"mac": "a8:03:2a:b1:c2:d4"}, map[string]string{"mac": "other"}, ""},
		{"several macs numbered in address order", []tuple{{"mac", "00:11:32:aa:bb:cd"}, {"mac", "00:11:32:aa:bb:cc"}},
			map[string]string{"mac0": "00:11:32:aa:bb:cc", "mac1": "00:11:32:aa:bb:cd"}, nil, ""},
		{"same mac twice", []tuple{{"mac", "00:11:32:aa:bb:cc"}, {"mac", "00-11-32-AA-BB-CC"}},
			map[string]string{"mac": "00:11:32:aa:bb:cc"}, nil, ""},
		{"bluetooth", []tuple{{"bluetooth", "A4:C1:38:5E:0A:11"}},
			map[string]string{"bluetooth": "a4:c1:38:5e:0a:11"}, map[string]string{"bluetooth": "ieee802.15.1"}, ""},
		{"zigbee and upnp are no interfaces", []tuple{{"zigbee", "00:15:8d:00:02:aa:bb:cc"}, {"upnp", "uuid:1234"}},
			map[string]string{}, nil, ""},
		{"not a mac", []tuple{{"mac", "not-a-mac"}, {"mac", "24:0a:c4:12:34:56"}},
			map[string]string{"mac": "24:0a:c4:12:34:56"}, nil, "mac connection not-a-mac is not a MAC address; skipped"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap := mapOnly(t, nil, &registry{Devices: []device{{ID: "d1", Name: ptr("thing"), Connections: tc.connections}}})
			got := map[string]string{}
			for _, iface := range sourcetest.RecordsOf(snap, inventory.KindInterface, "") {
				assert.Equal(t, devKey("d1"), iface.Refs["device"])
				mac := sourcetest.Find(snap, iface.Key+"/mac")
				require.NotNil(t, mac, "MAC of %s", iface.Key)
				assert.Equal(t, iface.Key, mac.Refs["interface"])
				got[iface.String("name")] = mac.String("mac_address")
				if typ, ok := tc.types[iface.String("name")]; ok {
					assert.Equal(t, typ, iface.String("type"))
				}
			}
			assert.Equal(t, tc.ifaces, got)
			assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindMACAddress, ""), len(tc.ifaces))
			if tc.warn == "" {
				assert.Empty(t, snap.Warnings)
			} else {
				assert.Equal(t, []string{"device thing: " + tc.warn}, snap.Warnings)
			}
		})
	}
}

func TestConfigurationURLAddress(t *testing.T) {
	oneMAC := []tuple{{"mac", "a8:03:2a:b1:c2:d4"}}
	cases := []struct {
		name        string
		url         string
		connections []tuple
		address     string // "" means none
		primary     string
	}{
		{"ipv4", "http://192.168.20.41", oneMAC, "192.168.20.41/32", "primary_ip4"},
		{"ipv4 with port and path", "https://192.168.20.5:5001/webman/", oneMAC, "192.168.20.5/32", "primary_ip4"},
		{"ipv6", "http://[2001:db8::41]:80/", oneMAC, "2001:db8::41/128", "primary_ip6"},
		{"host name", "http://office-sensor.local", oneMAC, "", ""},
		{"link-local", "http://169.254.10.1", oneMAC, "", ""},
		{"loopback", "http://127.0.0.1:8080", oneMAC, "", ""},
		{"not a web url", "homeassistant://config/zha", oneMAC, "", ""},
		{"no interface to put it on", "http://192.168.20.41", nil, "", ""},
		{"only bluetooth", "http://192.168.20.41", []tuple{{"bluetooth", "A4:C1:38:5E:0A:11"}}, "", ""},
		{"two interfaces: which one is unknown", "http://192.168.20.5",
			[]tuple{{"mac", "00:11:32:aa:bb:cc"}, {"mac", "00:11:32:aa:bb:cd"}}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap := mapOnly(t, nil, &registry{Devices: []device{
				{ID: "d1", Name: ptr("thing"), ConfigurationURL: ptr(tc.url), Connections: tc.connections}}})
			ips := sourcetest.RecordsOf(snap, inventory.KindIPAddress, "")
			dev := sourcetest.Find(snap, devKey("d1"))
			if tc.address == "" {
				assert.Empty(t, ips)
				assert.Empty(t, dev.Refs["primary_ip4"])
				assert.Empty(t, dev.Refs["primary_ip6"])
				return
			}
			require.Len(t, ips, 1)
			assert.Equal(t, tc.address, ips[0].String("address"))
			assert.Equal(t, devKey("d1")+"/iface/mac", ips[0].Refs["interface"])
			assert.Equal(t, ips[0].Key, dev.Refs[tc.primary])
		})
	}
}
