package fileschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

const (
	committed = "../../../docs/inventory-file.schema.json"
	doc       = "../../../docs/inventory-files.md"
)

// The committed schema is what the declarations make; CI runs this test.
func TestCommittedSchemaIsCurrent(t *testing.T) {
	want, err := Generate()
	require.NoError(t, err)
	got, err := os.ReadFile(committed)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got),
		"docs/inventory-file.schema.json differs from the kind declarations: run go generate ./activities/inventory/fileschema")
}

// The fields table of docs/inventory-files.md is what the declarations make.
func TestCommittedDocIsCurrent(t *testing.T) {
	got, err := os.ReadFile(doc)
	require.NoError(t, err)
	want, err := UpdateDoc(got)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got),
		"the fields table of docs/inventory-files.md differs from the kind declarations: run go generate ./activities/inventory/fileschema")
	_, err = UpdateDoc([]byte("no table"))
	assert.Error(t, err)
}

func TestSchemaFollowsTheDeclarations(t *testing.T) {
	s := loadSchema(t)
	defs := s["$defs"].(map[string]any)
	for _, d := range inventory.Declarations() {
		def, ok := defs[string(d.Kind)].(map[string]any)
		require.True(t, ok, "%s has a schema", d.Kind)
		props := def["properties"].(map[string]any)
		for i := range d.Fields {
			f := &d.Fields[i]
			_, has := props[f.Name]
			switch {
			case !f.InFiles():
				assert.False(t, has, "%s.%s is not taken by files", d.Kind, f.Name)
			case f.Name != d.Parent:
				assert.True(t, has, "%s.%s", d.Kind, f.Name)
			}
		}
		assert.Contains(t, def["required"], d.Name, "%s needs its name", d.Kind)
		sections := defs["sections"].(map[string]any)["properties"].(map[string]any)
		assert.Contains(t, sections, d.Section)
	}
}

// The example inventory and the reader's own good cases are valid files.
func TestExamplesAreValid(t *testing.T) {
	s := loadSchema(t)
	var files []string
	for _, glob := range []string{"../../../examples/inventory/*.*", "../../source/filesystem/testdata/cases/formats/*.*"} {
		m, err := filepath.Glob(glob)
		require.NoError(t, err)
		files = append(files, m...)
	}
	n := 0
	for _, f := range files {
		docs := readDocs(t, f)
		for i, doc := range docs {
			n++
			if errs := validate(s, s, doc, "$"); len(errs) > 0 {
				t.Errorf("%s document %d: %s", f, i, strings.Join(errs, "; "))
			}
		}
	}
	assert.Greater(t, n, 5)
}

func TestMistakesAreInvalid(t *testing.T) {
	s := loadSchema(t)
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown section", `{"racks": []}`, `$: unknown field "racks"`},
		{"unknown field", `{"devices": [{"name": "a", "role": "r", "device_type": "t", "sit": "x"}]}`, `$.devices[0]: unknown field "sit"`},
		{"missing name", `{"sites": [{"status": "active"}]}`, `$.sites[0]: missing name`},
		{"bad status", `{"sites": [{"name": "a", "status": "gone"}]}`, `$.sites[0].status: gone is not one of`},
		{"bad mac", `{"mac_addresses": [{"device": "a", "interface": "eth0", "mac_address": "nope"}]}`, `$.mac_addresses[0].mac_address: "nope" does not match`},
		{"owner inside its host", `{"devices": [{"name": "a", "role": "r", "device_type": "t", "interfaces": [{"name": "e", "device": "a"}]}]}`, `$.devices[0].interfaces[0]: unknown field "device"`},
		{"record without kind", `[{"name": "a"}]`, `$[0]: missing kind`},
		{"record of its kind", `[{"kind": "devices", "name": "x", "role": "r", "device_type": "t", "status": "bogus"}]`, `$[0].status: bogus is not one of`},
		{"VID over 4094", `{"vlan_groups": [{"name": "g", "vlans": [{"vid": 4095, "name": "v"}]}]}`, `$.vlan_groups[0].vlans[0].vid: 4095 is above 4094`},
		{"VID 0", `{"vlans": [{"vlan_group": "g", "vid": 0, "name": "v"}]}`, `$.vlans[0].vid: 0 is below 1`},
		{"bad size", `{"virtual_machines": [{"name": "a", "disks": [{"name": "d", "size": "big"}]}]}`, `$.virtual_machines[0].disks[0].size: "big" does not match`},
		{"field of another kind", `{"sites": [{"name": "a", "status": "Active"}], "devices": [{"name": "b", "role": "r", "device_type": "t", "manufacturer": "m", "memory": null}]}`, `$.devices[0]: unknown field "memory"`},
	} {
		var v any
		require.NoError(t, json.Unmarshal([]byte(tc.doc), &v), tc.name)
		errs := validate(s, s, v, "$")
		require.Len(t, errs, 1, "%s: %v", tc.name, errs)
		assert.Contains(t, errs[0], tc.want, tc.name)
	}
}

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	b, err := Generate()
	require.NoError(t, err)
	var s map[string]any
	require.NoError(t, json.Unmarshal(b, &s))
	return s
}

// readDocs reads the documents of a YAML or JSON file; CSV files hold no
// structure for the schema to check.
func readDocs(t *testing.T, path string) []any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []any
	switch filepath.Ext(path) {
	case ".json":
		var v any
		require.NoError(t, json.Unmarshal(data, &v), path)
		out = append(out, v)
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var v any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, path)
			out = append(out, v)
		}
	}
	return out
}
