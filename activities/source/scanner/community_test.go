package scanner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
	"github.com/netbox-agent/netbox-agent/config"
)

// writeCommunity writes a community file readable by its owner only.
func writeCommunity(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
}

// TestSNMPCommunitySecret: the community is the secret snmp_community,
// from its variable or snmp_community_file, public when set nowhere; set
// but empty or unreadable, it fails the check of the config, naming the
// key path and never holding the community.
func TestSNMPCommunitySecret(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	writeCommunity(t, good, " "+labCommunity+"\n")
	empty := filepath.Join(dir, "empty")
	writeCommunity(t, empty, " \n")
	const base = "cidrs: [192.0.2.0/28]\nports: [22, 161/udp]\n"
	for _, tc := range []struct {
		name, settings, env string
		want                string
		errs                []string
	}{
		{name: "set nowhere", settings: base, want: DefaultSNMPCommunity},
		{name: "set nowhere, no snmp port", settings: "cidrs: [192.0.2.0/28]\nports: [22, 53/udp]\n", want: DefaultSNMPCommunity},
		{name: "in the environment", settings: base, env: labCommunity, want: labCommunity},
		{name: "in a file", settings: base + "snmp_community_file: " + good + "\n", want: labCommunity},
		{name: "the environment first", settings: base + "snmp_community_file: " + empty + "\n", env: labCommunity, want: labCommunity},
		{name: "an empty file", settings: base + "snmp_community_file: " + empty + "\n",
			errs: []string{"snmp_community: sources[0].snmp_community_file: secret file " + empty + " is empty"}},
		{name: "a missing file", settings: base + "snmp_community_file: " + filepath.Join(dir, "missing") + "\n",
			errs: []string{"snmp_community: sources[0].snmp_community_file: read secret", "no such file"}},
		{name: "written in the settings", settings: base + "snmp_community: " + labCommunity + "\n",
			errs: []string{"sources[0].snmp_community: unknown key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := New(sourcetest.LoadConfig(t, SourceType, "lab", tc.settings, SecretSNMPCommunity, tc.env), nil)
			if len(tc.errs) > 0 {
				sourcetest.RequireError(t, err, source.ErrConfig, tc.errs...)
				assert.NotContains(t, err.Error(), labCommunity)
				return
			}
			require.NoError(t, err)
			got, err := src.(*Source).community()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestSNMPCommunityRotates: the file is read again at every scan, so a
// rotated community is taken without a restart, and a file emptied since
// the start fails the scan before any probe is sent, naming the setting
// and neither community, in its error or its logs.
func TestSNMPCommunityRotates(t *testing.T) {
	file := filepath.Join(t.TempDir(), "snmp.community")
	writeCommunity(t, file, "first-c0mmunity-1")
	s, logs := newSource(t, "cidrs: [127.77.0.0/30]\nports: [161/udp]\nmethods: [udp]\ntimeout: 200ms\nsnmp_community_file: "+file+"\n")
	got, err := s.community()
	require.NoError(t, err)
	assert.Equal(t, "first-c0mmunity-1", got)
	writeCommunity(t, file, "second-c0mmunity-2")
	got, err = s.community()
	require.NoError(t, err)
	assert.Equal(t, "second-c0mmunity-2", got, "the rotated file is read")

	writeCommunity(t, file, "")
	var p sourcetest.Progress
	_, err = s.Discover(context.Background(), &p)
	sourcetest.RequireError(t, err, source.ErrConfig, "snmp_community: sources[0].snmp_community_file", "is empty")
	for _, secret := range []string{"first-c0mmunity-1", "second-c0mmunity-2"} {
		sourcetest.AssertNoSecret(t, secret, err, logs)
		for _, r := range p.Reports() {
			assert.NotContains(t, string(r), secret)
		}
	}
	for _, r := range p.Reports() {
		var prog Progress
		require.NoError(t, json.Unmarshal(r, &prog))
		assert.Zero(t, prog.ProbesSent, "no probe went out")
	}
}

// redactedConfig is --print-config's form of a config holding one
// scanner of settings, with labCommunity in the community's variable.
func redactedConfig(t *testing.T, settings string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("sources:\n  - name: lab\n    type: " + SourceType + "\n")
	for _, line := range strings.Split(strings.TrimSpace(settings), "\n") {
		b.WriteString("    " + line + "\n")
	}
	path := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	c, err := config.Load(path, nil, []string{config.SecretEnv("lab", SecretSNMPCommunity) + "=" + labCommunity})
	require.NoError(t, err)
	return c.Redacted()
}
