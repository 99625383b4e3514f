package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestManualEditSettingLoaded(t *testing.T) {
	c, err := Load(writeFile(t, t.TempDir(), "netbox-agent.yaml", "netbox: {url: https://nb.example}\n"), nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "keep", c.NetBox.OnManualEdit, "operators' edits are kept by default")
	assert.Empty(t, c.NetBox.OnManualEditFields)

	path := writeFile(t, t.TempDir(), "netbox-agent.yaml", `netbox:
  url: https://nb.example
  on_manual_edit: report
  on_manual_edit_fields: {device.serial: overwrite, description: keep}
`)
	c, err = Load(path, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "report", c.NetBox.OnManualEdit)
	assert.Equal(t, map[string]string{"device.serial": "overwrite", "description": "keep"}, c.NetBox.OnManualEditFields)

	c, err = Load(path, nil, []string{"NETBOX_AGENT_NETBOX_ON_MANUAL_EDIT=overwrite"})
	require.NoError(t, err)
	assert.Equal(t, "overwrite", c.NetBox.OnManualEdit)
}

func TestManualEditSettingValidated(t *testing.T) {
	for _, tc := range []struct {
		name, netbox, want string
	}{
		{"unknown policy", "on_manual_edit: ignore", `netbox.on_manual_edit: must be one of keep, overwrite, report, got "ignore"`},
		{"unknown field policy", "on_manual_edit_fields: {description: always}", `netbox.on_manual_edit_fields.description: must be one of keep, overwrite, report, got "always"`},
		{"unknown field", "on_manual_edit_fields: {colour: keep}", `netbox.on_manual_edit_fields.colour: no kind has a field "colour" the agent writes`},
		{"unknown kind", "on_manual_edit_fields: {router.serial: keep}", `netbox.on_manual_edit_fields.router.serial: kind "router" is not written to NetBox`},
		{"field not of the kind", "on_manual_edit_fields: {site.serial: keep}", `netbox.on_manual_edit_fields.site.serial: site has no field "serial" the agent writes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "netbox-agent.yaml", "netbox:\n  url: https://nb.example\n  "+tc.netbox+"\n")
			_, err := Load(path, nil, nil)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
