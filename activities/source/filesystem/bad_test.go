package filesystem

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badRecordCase is a set of inventory files with mistakes, the warnings
// they give and the records that survive them.
type badRecordCase struct {
	name     string
	files    map[string]string
	warnings []string
	keep     []string // keys that must survive
	lose     []string // keys that must not
}

func TestBadRecords(t *testing.T) {
	for _, tc := range badRecordCases() {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string][]byte{}
			for n, s := range tc.files {
				files[n] = []byte(s)
			}
			recs, warnings := Read("home", "", files)
			checkRecords(t, recs)
			require.Len(t, warnings, len(tc.warnings), "warnings: %q", warnings)
			for i, w := range tc.warnings {
				assert.True(t, strings.HasPrefix(warnings[i], w), "warning %d:\n got %q\nwant %q", i, warnings[i], w)
			}
			keys := map[string]bool{}
			for _, r := range recs {
				keys[r.Key] = true
			}
			for _, k := range tc.keep {
				assert.True(t, keys[k], "record %s was lost", k)
			}
			for _, k := range tc.lose {
				assert.False(t, keys[k], "record %s should have been skipped", k)
			}
		})
	}
}

// badRecordCases are the mistakes a person makes in inventory files, one
// case each; base is a file with one good device.
func badRecordCases() []badRecordCase {
	base := "devices:\n  - name: ok\n    site: Lab\n    role: Server\n    device_type: Box\n    manufacturer: ACME\n    interfaces:\n      - name: eth0\n"
	cases := fieldMistakes(base)
	cases = append(cases, referenceMistakes(base)...)
	return append(cases, fileMistakes(base)...)
}

// fieldMistakes are records with a field that is missing, unknown or of
// the wrong value.
func fieldMistakes(base string) []badRecordCase {
	return []badRecordCase{
		{
			name:     "missing required field",
			files:    map[string]string{"d.yaml": "devices:\n  - site: Lab\n    role: Server\n"},
			warnings: []string{"d.yaml:2: device: missing name"},
		},
		{
			name:     "unknown field",
			files:    map[string]string{"d.yaml": base + "  - name: typo\n    sit: Lab\n"},
			warnings: []string{`d.yaml:10: device "typo": unknown field "sit"`},
			keep:     []string{"filesystem/home/device/ok"},
			lose:     []string{"filesystem/home/device/typo"},
		},
		{
			name:     "invalid MAC skips the MAC, keeps the interface",
			files:    map[string]string{"d.yaml": base + "        mac: zz:zz\n"},
			warnings: []string{`d.yaml:9: mac_address: mac_address: "zz:zz" is not a MAC address`},
			keep:     []string{"filesystem/home/device/ok/iface/eth0"},
			lose:     []string{"filesystem/home/device/ok/iface/eth0/mac"},
		},
		{
			name:     "invalid IP",
			files:    map[string]string{"d.yaml": base + "        ips: [10.0.0.1/24, 10.0.0.300]\n"},
			warnings: []string{`d.yaml:9: ip_address: address: "10.0.0.300" is not an IP address`},
			keep:     []string{"filesystem/home/device/ok/iface/eth0/ip/10.0.0.1%2F24"},
		},
		{
			name:     "unknown kind",
			files:    map[string]string{"r.yaml": "records:\n  - kind: toaster\n    name: t\n"},
			warnings: []string{`r.yaml:2: unknown kind "toaster"`},
		},
		{
			name:     "unknown section",
			files:    map[string]string{"r.yaml": "toasters:\n  - name: t\n"},
			warnings: []string{`r.yaml:1: unknown section "toasters"`},
		},
		{
			name:     "bad enum",
			files:    map[string]string{"d.yaml": base + "    status: broken\n"},
			warnings: []string{`d.yaml:9: device "ok": status: "broken" is not one of offline, active, planned, staged, failed, inventory, decommissioning`},
		},
		{
			name:     "nested field given twice",
			files:    map[string]string{"d.yaml": "devices:\n  - name: a\n    name: b\n"},
			warnings: []string{`d.yaml:3: device "a": field "name" given twice`},
		},
	}
}

// referenceMistakes are records that name what is not there, or not
// theirs.
func referenceMistakes(base string) []badRecordCase {
	return []badRecordCase{
		{
			name:     "reference to nothing",
			files:    map[string]string{"d.yaml": base + "    cluster: nowhere\n"},
			warnings: []string{`d.yaml:2: device "ok": cluster: no cluster "nowhere"`},
			lose:     []string{"filesystem/home/device/ok", "filesystem/home/device/ok/iface/eth0"},
		},
		{
			name:     "interface of an unknown device",
			files:    map[string]string{"interfaces.csv": "device,name\nghost,eth0\n"},
			warnings: []string{`interfaces.csv:2: interface "eth0": device: no device "ghost"`},
		},
		{
			name:     "primary IP that is not the device's",
			files:    map[string]string{"d.yaml": base + "    primary_ip4: 10.9.9.9\n"},
			warnings: []string{`d.yaml:2: device "ok": primary_ip4: no ip_address "10.9.9.9" among the addresses of its interfaces; left unset`},
			keep:     []string{"filesystem/home/device/ok"},
		},
		{
			name:     "duplicate key",
			files:    map[string]string{"a.yaml": base, "b.yaml": base},
			warnings: []string{`b.yaml:2: device "ok": same key "filesystem/home/device/ok" as the device at a.yaml:2; skipped`},
			keep:     []string{"filesystem/home/device/ok/iface/eth0"},
		},
		{
			name:     "device type without manufacturer",
			files:    map[string]string{"d.yaml": "devices:\n  - name: x\n    site: Lab\n    role: R\n    device_type: Box\n"},
			warnings: []string{`d.yaml:2: device "x": device_type: no device_type "Box": give its manufacturer or declare it in device_types`},
		},
		{
			name:     "interface named without its device",
			files:    map[string]string{"ip.yaml": "ip_addresses:\n  - address: 10.0.0.1/24\n    interface: eth0\n"},
			warnings: []string{`ip.yaml:2: ip_address "10.0.0.1/24": interface needs device or virtual_machine`},
		},
		{
			name:     "location without a site",
			files:    map[string]string{"d.yaml": strings.Replace(base, "    site: Lab\n", "    site: Lab\n    location: Shelf\n", 1) + "  - {name: y, role: R, device_type: Box, manufacturer: ACME, location: Attic}\n"},
			warnings: []string{`d.yaml:10: device "y": location: location "Attic" is not declared and has no site to be created in`},
			keep:     []string{"location/shelf"},
		},
	}
}

// fileMistakes are files that cannot be read as inventory at all, or in
// part.
func fileMistakes(base string) []badRecordCase {
	return []badRecordCase{
		{
			name:     "invalid YAML is one warning",
			files:    map[string]string{"x.yaml": "devices:\n  - name: [\n", "y.yaml": base},
			warnings: []string{"x.yaml: invalid YAML: yaml: line 2: did not find expected node content"},
			keep:     []string{"filesystem/home/device/ok"},
		},
		{
			name:     "invalid JSON names the line",
			files:    map[string]string{"x.json": "{\n  \"devices\": [\n    {\"name\": \"a\",}\n  ]\n}\n"},
			warnings: []string{"x.json: invalid JSON: line 3: invalid character '}' looking for beginning of object key string"},
		},
		{
			name:     "JSON record lines",
			files:    map[string]string{"x.json": "{\n  \"devices\": [\n    {\"name\": \"a\",\n     \"site\": \"Lab\", \"colour\": 1}\n  ]\n}\n"},
			warnings: []string{`x.json:4: device "a": unknown field "colour"`},
		},
		{
			name:     "CSV row with the wrong number of cells",
			files:    map[string]string{"interfaces.csv": "device,name,type\nok,eth1\n", "d.yaml": base},
			warnings: []string{"interfaces.csv:2: row has 2 cells, the header 3"},
			keep:     []string{"filesystem/home/device/ok"},
		},
		{
			name:     "CSV of no kind",
			files:    map[string]string{"things.csv": "name\nx\n"},
			warnings: []string{"things.csv:2: record has no kind: add a kind field (or name the CSV file after its kind)"},
		},
		{
			name:     "mapping where a list belongs",
			files:    map[string]string{"d.yaml": "devices:\n  name: a\n"},
			warnings: []string{"d.yaml:1: devices must be a list, not a mapping"},
		},
		{
			name:     "scalar document",
			files:    map[string]string{"d.yaml": "hello\n"},
			warnings: []string{"d.yaml:1: a file holds a mapping of lists (sites:, devices:, ...) or a list of records, not a value"},
		},
	}
}
