package inventory

import (
	"encoding/json"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeMAC(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"00:11:32:AA:BB:01", "00:11:32:aa:bb:01", true},
		{"00-11-32-aa-bb-01", "00:11:32:aa:bb:01", true},
		{"0011.32aa.bb01", "00:11:32:aa:bb:01", true},
		{" 00:11:32:aa:bb:01 ", "00:11:32:aa:bb:01", true},
		{"00:11:32:aa:bb", "", false},
		{"00:11:32:aa:bb:01:02:03", "", false}, // EUI-64 is not an Ethernet MAC
		{"not a mac", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := NormalizeMAC(tc.in)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestNormalizeIP(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"192.168.1.10", "192.168.1.10/32", true},
		{"192.168.1.10/24", "192.168.1.10/24", true},
		{"2001:db8::1", "2001:db8::1/128", true},
		{"2001:DB8::1/64", "2001:db8::1/64", true},
		{"::ffff:192.168.1.10", "192.168.1.10/32", true},
		{"::ffff:192.168.1.10/120", "192.168.1.10/24", true},
		{"fe80::1%eth0", "fe80::1/128", true},
		{"192.168.1.300", "", false},
		{"10.0.0.1/33", "", false},
		{"", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := NormalizeIP(tc.in)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestIsUsableIP(t *testing.T) {
	for in, want := range map[string]bool{
		"192.168.1.10/24": true,
		"2001:db8::1":     true,
		"127.0.0.1/8":     false,
		"::1":             false,
		"fe80::1/64":      false,
		"169.254.3.4":     false,
		"0.0.0.0":         false,
		"224.0.0.1":       false,
		"garbage":         false,
	} {
		t.Run(in, func(t *testing.T) { assert.Equal(t, want, IsUsableIP(in)) })
	}
}

func TestPlaceholderSerials(t *testing.T) {
	for in, want := range map[string]bool{
		"To be filled by O.E.M.": true,
		"Default string":         true,
		"N/A":                    true,
		" 0 ":                    true,
		"":                       true,
		"2150PDN123456":          false,
		"CZJ93001AB":             false,
	} {
		t.Run(in, func(t *testing.T) { assert.Equal(t, want, IsPlaceholderSerial(in)) })
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Home Lab":          "home-lab",
		"Dell Inc.":         "dell-inc",
		"  Proxmox VE 8.2 ": "proxmox-ve-8-2",
		"a--b__c":           "a-b__c",
		"Ünïcode Rack #1":   "unicode-rack-1",
		"Köln":              "koln",
		"---":               "",
	} {
		t.Run(in, func(t *testing.T) { assert.Equal(t, want, Slug(in)) })
	}
}

func TestNormalizeValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		field string
		in    any
		want  any
	}{
		{"trimmed string", "name", "  pve1 ", "pve1"},
		{"placeholder serial dropped", "serial", "To be filled by O.E.M.", ""},
		{"mac", "mac_address", "AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff"},
		{"bare ip gets a prefix", "address", "10.0.0.5", "10.0.0.5/32"},
		{"int", "mtu", 9000, int64(9000)},
		{"integral float from JSON", "memory", float64(4096), int64(4096)},
		{"fractional float stays", "vcpus", 0.5, 0.5},
		{"json number", "memory", json.Number("2048"), int64(2048)},
		{"ports sorted", "ports", []any{float64(443), float64(80)}, []int64{80, 443}},
		{"tags sorted", "tags", []any{"web", "prod"}, []string{"prod", "web"}},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, Normalize(tc.field, tc.in)) })
	}
}

func TestRecordRoundTripThroughJSON(t *testing.T) {
	var r Record
	r.Kind, r.Key = KindVirtualMachine, Key("proxmox", "alpha", "qemu", "100")
	r.Set("name", " web01 ")
	r.Set("memory", 4096)
	r.Set("vcpus", 0.5)
	r.Set("serial", "N/A")
	r.Ref("cluster", Key("proxmox", "alpha", "cluster", "lab"))
	r.Ref("device", "")
	assert.NotContains(t, r.Attrs, "serial", "a placeholder never overwrites what another source knows")
	assert.NotContains(t, r.Refs, "device")

	b, err := json.Marshal(r)
	assert.NoError(t, err)
	var back Record
	assert.NoError(t, json.Unmarshal(b, &back))
	NormalizeRecord(&back)
	assert.Equal(t, r, back)
	assert.NoError(t, back.Validate())
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  Record
		want string
	}{
		{"unknown kind", Record{Kind: "rack", Key: "x"}, `unknown kind "rack"`},
		{"no key", Record{Kind: KindSite}, "site: missing key"},
		{"no name", Record{Kind: KindSite, Key: "site/a"}, "site site/a: missing name"},
		{"device without site", Record{Kind: KindDevice, Key: "d", Attrs: map[string]any{"name": "d"},
			Refs: map[string]string{"device_type": "t", "role": "r"}}, "device d: missing reference site"},
		{"VID 0", vlanRecord(0), "vlan v: vid 0 is not a whole number in 1-4094"},
		{"VID 4095", vlanRecord(4095), "vlan v: vid 4095 is not a whole number in 1-4094"},
		{"VID in words", vlanRecord("twenty"), "vlan v: vid twenty is not a whole number in 1-4094"},
		{"VID 20.5", vlanRecord(20.5), "vlan v: vid 20.5 is not a whole number in 1-4094"},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.EqualError(t, tc.rec.Validate(), tc.want) })
	}
	for _, vid := range []any{1, int64(4094), float64(20), json.Number("30")} {
		r := vlanRecord(vid)
		assert.NoError(t, r.Validate(), "VID %v", vid)
	}
}

// vlanRecord is a VLAN of group g with the VID as given, not normalised.
func vlanRecord(vid any) Record {
	return Record{Kind: KindVLAN, Key: "v", Attrs: map[string]any{"vid": vid, "name": "VLAN"}, Refs: map[string]string{"group": "g"}}
}

func TestKeys(t *testing.T) {
	assert.Equal(t, "manufacturer/dell-inc", SharedKey(KindManufacturer, "Dell Inc."))
	assert.Equal(t, "proxmox/alpha/qemu/100", Key("proxmox", "alpha", "qemu", "100"))
	assert.Equal(t, "filesystem/home/device/a%2Fb", Key("filesystem", "home", "device", "a/b"), "a slash in a name cannot fake a child key")
}

// FuzzCanonicalMAC checks that a MAC NormalizeMAC returns as it is would
// be parsed and written back to the same text.
func FuzzCanonicalMAC(f *testing.F) {
	for _, s := range []string{"aa:bb:cc:dd:ee:ff", "AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:f", "0a:1b:2c:3d:4e:5f", "aa:bb:cc:dd:ee:fg"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !canonicalMAC(s) {
			return
		}
		hw, err := net.ParseMAC(s)
		require.NoError(t, err, s)
		require.Equal(t, s, hw.String())
	})
}
