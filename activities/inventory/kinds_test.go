package inventory

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKindOrderPutsReferencesFirst(t *testing.T) {
	for _, d := range Declarations() {
		for _, f := range d.RequiredRefs() {
			for _, target := range d.Field(f).Targets {
				assert.Less(t, target.Order(), d.Kind.Order(), "%s references %s", d.Kind, target)
			}
		}
	}
}

func TestEveryKindIsDeclaredOnce(t *testing.T) {
	all := []Kind{KindSite, KindLocation, KindManufacturer, KindDeviceType, KindDeviceRole, KindPlatform,
		KindDevice, KindInterface, KindMACAddress, KindIPAddress, KindClusterType, KindCluster,
		KindVirtualMachine, KindVMInterface, KindVirtualDisk, KindService, KindVLANGroup, KindVLAN}
	require.Len(t, Declarations(), len(all))
	require.Len(t, Kinds(), len(all))
	sections := map[string]Kind{}
	for i, d := range Declarations() {
		assert.Contains(t, all, d.Kind)
		assert.Equal(t, i, d.Kind.Order(), "%s", d.Kind)
		assert.Equal(t, d.Kind, Kinds()[i])
		assert.Same(t, d, d.Kind.Decl())
		assert.NotEmpty(t, d.Doc, "%s", d.Kind)
		assert.NotEmpty(t, d.NetBox.Endpoint, "%s", d.Kind)
		assert.NotEmpty(t, d.NetBox.ObjectType, "%s", d.Kind)
		if other, dup := sections[d.Section]; dup {
			t.Errorf("%s and %s share the section %q", d.Kind, other, d.Section)
		}
		sections[d.Section] = d.Kind
	}
	assert.False(t, Kind("rack").Valid())
	assert.Nil(t, Kind("rack").Decl())
	assert.Equal(t, len(all), Kind("rack").Order(), "unknown kinds sort last")
}

func TestDeclaredFieldsAreConsistent(t *testing.T) {
	types := map[string]FieldType{}
	for _, d := range Declarations() {
		name := d.NameField()
		require.NotNil(t, name, "%s names its records by a declared field", d.Kind)
		assert.True(t, name.Required, "%s.%s is required", d.Kind, d.Name)
		assert.False(t, name.IsRef(), "%s.%s is an attribute", d.Kind, d.Name)
		for _, k := range [][]string{d.Key, d.MergeKey} {
			for _, f := range k {
				assert.NotNil(t, d.Field(f), "%s key field %s", d.Kind, f)
			}
		}
		assert.Contains(t, d.Key, d.Name, "%s's key holds its name", d.Kind)
		if d.Parent != "" {
			p := d.Field(d.Parent)
			require.NotNil(t, p, "%s parent %s", d.Kind, d.Parent)
			assert.True(t, p.IsRef(), "%s parent %s is a reference", d.Kind, d.Parent)
		}
		if len(d.Nested) > 0 {
			via := d.Field(d.NestedVia())
			require.NotNil(t, via, "%s nests through %s", d.Kind, d.NestedVia())
			assert.True(t, via.IsRef())
		}
		for i := range d.Fields {
			f := &d.Fields[i]
			assert.Equal(t, i, d.index[f.Name], "%s.%s declared once", d.Kind, f.Name)
			switch {
			case f.IsRef() && f.Use != UseMatch:
				assert.NotEmpty(t, f.Targets, "%s.%s points somewhere", d.Kind, f.Name)
			case f.IsRef():
			default:
				if prev, seen := types[f.Name]; seen {
					assert.Equal(t, prev, f.Type, "%s.%s has the type it has on other kinds", d.Kind, f.Name)
				}
				types[f.Name] = f.Type
			}
			if f.Type == TypeChoice {
				assert.NotEmpty(t, f.Choices, "%s.%s lists go-netbox's values", d.Kind, f.Name)
				assert.NotContains(t, f.Choices, "", "%s.%s", d.Kind, f.Name)
			}
			if f.Identifies {
				assert.Equal(t, TypeSerial, f.Type, "%s.%s: only serials identify", d.Kind, f.Name)
			}
			if f.NetBoxTypeField != "" {
				assert.NotEmpty(t, f.NetBoxName, "%s.%s: a generic key names its ID field", d.Kind, f.Name)
			}
			if f.QualifiedBy != "" {
				for _, tk := range f.Targets {
					assert.True(t, slices.Contains(tk.Decl().Key, f.QualifiedBy), "%s.%s: %s is part of %s's key", d.Kind, f.Name, f.QualifiedBy, tk)
				}
			}
		}
		assert.Equal(t, TypeTags, d.Field("tags").Type, "%s takes tags", d.Kind)
	}
}

func TestSharedKindsHaveNoScope(t *testing.T) {
	for _, d := range Declarations() {
		if d.Shared {
			assert.Empty(t, d.Scope(), "%s is joined by key alone", d.Kind)
			assert.Empty(t, d.Parent, "%s belongs to nothing", d.Kind)
			assert.NotNil(t, d.Field("slug"), "%s has a slug", d.Kind)
			continue
		}
		assert.NotEmpty(t, d.Scope(), "%s is joined by name within a scope", d.Kind)
		assert.NotEmpty(t, d.nameParts, "%s", d.Kind)
	}
	assert.Equal(t, "type", KindCluster.Decl().Scope())
	assert.Equal(t, "vrf", KindIPAddress.Decl().Scope())
	assert.Equal(t, "parent", KindService.Decl().Scope())
}

func TestHostsOf(t *testing.T) {
	assert.Equal(t, []Kind{KindDevice}, HostsOf(KindInterface))
	assert.Equal(t, []Kind{KindDevice, KindVirtualMachine}, HostsOf(KindMACAddress))
	assert.Equal(t, []Kind{KindDevice, KindVirtualMachine}, HostsOf(KindService))
	assert.Equal(t, []Kind{KindVirtualMachine}, HostsOf(KindVirtualDisk))
	assert.Nil(t, HostsOf(KindDevice))
}

func TestRequiredFields(t *testing.T) {
	assert.Equal(t, []string{"name", "protocol", "ports"}, KindService.Decl().RequiredAttrs())
	assert.Equal(t, []string{"name", "size"}, KindVirtualDisk.Decl().RequiredAttrs())
	assert.Equal(t, []string{"model"}, KindDeviceType.Decl().RequiredAttrs())
	assert.Equal(t, []string{"site", "device_type", "role"}, KindDevice.Decl().RequiredRefs())
	assert.Equal(t, []string{"type"}, KindCluster.Decl().RequiredRefs())
	assert.Empty(t, KindSite.Decl().RequiredRefs())
}

// TestDeclarationsGolden shows every declaration as a person reads it, so
// that a change to one (a new field) is reviewed in testdata/kinds.golden.
// Rewrite it with go test -update.
func TestDeclarationsGolden(t *testing.T) {
	var b strings.Builder
	for _, d := range Declarations() {
		fmt.Fprintf(&b, "%d %s (%s) %s\n", d.Order(), d.Kind, d.NetBox.Endpoint, d.Doc)
		fmt.Fprintf(&b, "  name %s, key %s", d.Name, strings.Join(d.Key, "+"))
		if d.Shared {
			b.WriteString(", shared")
		} else {
			fmt.Fprintf(&b, ", merged by %s within %s", joinNames(d.nameParts), d.Scope())
		}
		if d.Parent != "" {
			fmt.Fprintf(&b, ", part of its %s", d.Parent)
		}
		fmt.Fprintf(&b, "; files: %s", d.Section)
		if len(d.Nested) > 0 {
			fmt.Fprintf(&b, ", nested as %s in its %s", strings.Join(d.Nested, "/"), d.NestedVia())
		}
		b.WriteString("\n")
		for i := range d.Fields {
			f := &d.Fields[i]
			fmt.Fprintf(&b, "  %-20s %s\n", f.Name, describeField(f))
		}
	}
	path := filepath.Join("testdata", "kinds.golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create the golden file")
	assert.Equal(t, string(want), b.String(), "the declarations changed: review the diff and run go test -update")
}

func describeField(f *Field) string {
	types := []string{"text", "serial", "slug", "choice", "int", "megabytes", "number", "bool", "mac", "ip",
		"color", "ports", "tags", "ref"}
	uses := []string{"owned", "derived", "match only", "inventory only"}
	parts := []string{types[f.Type], uses[f.Use]}
	if len(f.Targets) > 0 {
		ts := make([]string, len(f.Targets))
		for i, k := range f.Targets {
			ts[i] = string(k)
		}
		parts[0] += " to " + strings.Join(ts, "|")
	}
	for _, flag := range []struct {
		on   bool
		name string
	}{{f.Required, "required"}, {f.SameHost, "same host"}, {f.Identifies, "identifies"},
		{f.OpenChoices, "open choices"}, {f.QualifiedBy != "", "qualified by " + f.QualifiedBy},
		{f.NetBoxName != "", "NetBox " + f.NetBoxTypeField + "+" + f.NetBoxName},
		{f.Max != 0, fmt.Sprintf("%d-%d", f.Min, f.Max)}} {
		if flag.on {
			parts = append(parts, flag.name)
		}
	}
	if len(f.Choices) > 0 && !f.OpenChoices {
		parts = append(parts, "("+strings.Join(f.Choices, ", ")+")")
	}
	return strings.Join(parts, ", ")
}

func joinNames(fs []*Field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return strings.Join(names, "+")
}
