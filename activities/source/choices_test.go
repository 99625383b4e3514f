package source

import (
	"path"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

func TestIsChoiceValue(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"1000base-t", true},
		{"10gbase-cu", true}, // NetBox 4.5.4, unknown to go-netbox v4.3.0
		{"2.5gbase-t", true},
		{"ieee802.11ax", true},
		{"400gbase-sr4_2", true},
		{"lag", true},
		{"", false},
		{"10G Base-T", false},
		{"1000BASE-T", false},
		{"-lag", false},
		{"lag-", false},
		{"eth/1", false},
	} {
		assert.Equal(t, tc.want, IsChoiceValue(tc.value), tc.value)
	}
}

func TestInterfaceTypeSettings(t *testing.T) {
	got := InterfaceTypeSettings("interface_types", map[string]string{"enp*": "25gbase-x-sfp28", "eno1": "10gbase-cu"})
	assert.Equal(t, []ChoiceSetting{
		{Setting: `interface_types["eno1"]`, Kind: inventory.KindInterface, Field: "type", Value: "10gbase-cu"},
		{Setting: `interface_types["enp*"]`, Kind: inventory.KindInterface, Field: "type", Value: "25gbase-x-sfp28"},
	}, got)
	assert.Empty(t, InterfaceTypeSettings("interface_types", nil))
}

func TestInterfaceTypes(t *testing.T) {
	types := map[string]string{"eno1": "10gbase-cu", "en*": "1000base-t", "eno*": "2.5gbase-t"}
	require.NoError(t, CheckInterfaceTypes("interface_types", types))
	for name, want := range map[string]string{
		"eno1": "10gbase-cu", // the name itself wins over patterns
		"eno2": "1000base-t", // then the first pattern in sorted order
		"enp1": "1000base-t",
	} {
		got, ok := InterfaceType(types, name)
		assert.True(t, ok, name)
		assert.Equal(t, want, got, name)
	}
	_, ok := InterfaceType(types, "bond0")
	assert.False(t, ok)

	err := CheckInterfaceTypes("interface_types", map[string]string{"eno[": "1000base-t"})
	assert.ErrorIs(t, err, ErrConfig)
	assert.ErrorIs(t, err, path.ErrBadPattern, "the pattern's error stays reachable")
	assert.ErrorContains(t, err, `interface_types: pattern "eno["`)
	err = CheckInterfaceTypes("interface_types", map[string]string{"eno1": "Gigabit Ethernet"})
	assert.ErrorIs(t, err, ErrConfig)
	assert.ErrorContains(t, err, `interface_types: "Gigabit Ethernet" is not a NetBox interface type value`)
}
