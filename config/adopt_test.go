package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdoptSettingLoaded(t *testing.T) {
	for _, tc := range []struct {
		name, netbox string
		want         string
		kinds        map[string]string
		deprecation  string
	}{
		{name: "default", want: "report"},
		{name: "never", netbox: "adopt: never", want: "never"},
		{name: "auto with overrides", netbox: "adopt: auto\n  adopt_kinds: {device: report, ip_address: never}", want: "auto",
			kinds: map[string]string{"device": "report", "ip_address": "never"}},
		{name: "old true", netbox: "adopt: true", want: "auto",
			deprecation: "netbox.adopt (netbox-agent.yaml:3): true is deprecated and read as auto; write adopt: auto (never, report or auto)"},
		{name: "old false", netbox: "adopt: false", want: "never",
			deprecation: "netbox.adopt (netbox-agent.yaml:3): false is deprecated and read as never; write adopt: never (never, report or auto)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "netbox-agent.yaml", "netbox:\n  url: https://nb.example\n  "+tc.netbox+"\n")
			t.Chdir(dir)
			c, err := Load("netbox-agent.yaml", nil, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.NetBox.Adopt)
			assert.Equal(t, tc.kinds, c.NetBox.AdoptKinds)
			if tc.deprecation == "" {
				assert.Empty(t, c.Deprecations())
			} else {
				assert.Equal(t, []string{tc.deprecation}, c.Deprecations())
			}
		})
	}
}

func TestAdoptSettingValidated(t *testing.T) {
	for _, tc := range []struct {
		name, netbox, want string
	}{
		{"unknown policy", "adopt: sometimes", `netbox.adopt: must be one of never, report, auto, got "sometimes"`},
		{"yes is no boolean", "adopt: yes", `netbox.adopt: must be one of never, report, auto, got "yes"`},
		{"unknown kind policy", "adopt_kinds: {device: true}", `netbox.adopt_kinds.device: must be one of never, report, auto, got "true"`},
		{"unknown kind", "adopt_kinds: {router: auto}", `netbox.adopt_kinds.router: unknown kind "router" (known: site, `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "netbox-agent.yaml", "netbox:\n  url: https://nb.example\n  "+tc.netbox+"\n")
			_, err := Load(path, nil, nil)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
