package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// proxmoxSettings is shaped like a real source's settings struct.
type proxmoxSettings struct {
	URL       string        `yaml:"url"`
	TokenID   string        `yaml:"token_id"`
	CAFile    string        `yaml:"ca_file"`
	VerifyTLS bool          `yaml:"verify_tls"`
	Timeout   time.Duration `yaml:"timeout"`
	Nodes     []string      `yaml:"nodes"`
	Tags      map[string]string
	Limits    *struct {
		Guests int `yaml:"guests"`
	} `yaml:"limits"`
	Common `yaml:",inline"`
}

// Common is inlined into proxmoxSettings, as yaml.v3 allows.
type Common struct {
	Site string `yaml:"site"`
}

func loadOne(t *testing.T, yamlText string, environ ...string) (*Config, *Source) {
	t.Helper()
	path := writeFile(t, t.TempDir(), "agent.yaml", yamlText)
	c, err := Load(path, nil, environ)
	require.NoError(t, err)
	require.NotEmpty(t, c.Sources)
	return c, &c.Sources[0]
}

func TestSourceDecode(t *testing.T) {
	_, s := loadOne(t, `
sources:
  - name: pve
    type: proxmox
    url: https://pve.example.internal:8006
    token_id: agent@pve!sync
    token_secret_file: pve.secret
    ca_file: pve-ca.pem
    verify_tls: false
    timeout: 1d
    nodes: [pve1, pve2]
    tags: {env: lab}
    limits: {guests: 10}
    site: home
`)
	got := proxmoxSettings{VerifyTLS: true, Timeout: time.Minute}
	require.NoError(t, s.Decode(&got))
	assert.Equal(t, "https://pve.example.internal:8006", got.URL)
	assert.Equal(t, "agent@pve!sync", got.TokenID)
	assert.Equal(t, "pve-ca.pem", got.CAFile, "ca_file is a plain setting the source decodes")
	assert.False(t, got.VerifyTLS)
	assert.Equal(t, 24*time.Hour, got.Timeout)
	assert.Equal(t, []string{"pve1", "pve2"}, got.Nodes)
	assert.Equal(t, map[string]string{"env": "lab"}, got.Tags)
	require.NotNil(t, got.Limits)
	assert.Equal(t, 10, got.Limits.Guests)
	assert.Equal(t, "home", got.Site)

	// Defaults the source set survive keys the file does not mention.
	_, s = loadOne(t, "sources:\n  - {name: pve, type: proxmox, url: https://a:8006}\n")
	got = proxmoxSettings{VerifyTLS: true, Timeout: time.Minute}
	require.NoError(t, s.Decode(&got))
	assert.True(t, got.VerifyTLS)
	assert.Equal(t, time.Minute, got.Timeout)

	// SourceConfig hands the same to a factory.
	sc := s.SourceConfig()
	assert.Equal(t, "pve", sc.Name)
	assert.Equal(t, "proxmox", sc.Type)
	assert.Equal(t, s.baseDir, sc.BaseDir)
	var again proxmoxSettings
	require.NoError(t, sc.Decode(&again))
	assert.Equal(t, "https://a:8006", again.URL)
}

func TestSourceDecodeErrors(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "agent.yaml", `sources:
  - name: pve
    type: proxmox
    urll: https://pve.example.internal:8006
    verify_tls: sometimes
    nodes: pve1
    token_secret_file: pve.secret
    limits: {guests: many, hosts: 3}
`)
	c, err := Load(path, nil, nil)
	require.NoError(t, err, "type-specific settings are checked by the source, not by Load")
	var got proxmoxSettings
	err = c.Sources[0].Decode(&got)
	require.Error(t, err)
	want := strings.Join([]string{
		path + `:4: sources[0].urll: unknown key (did you mean url?)`,
		path + `:5: sources[0].verify_tls: expected true or false, got "sometimes"`,
		path + `:6: sources[0].nodes: expected a list, got "pve1"`,
		path + `:8: sources[0].limits.guests: expected an integer, got "many"`,
		path + `:8: sources[0].limits.hosts: unknown key`,
	}, "\n")
	assert.Equal(t, want, err.Error())
	assert.NotContains(t, err.Error(), "token_secret_file", "secret file keys are not the source's to decode")

	assert.Error(t, c.Sources[0].Decode(got), "a non-pointer is refused")
}

func TestSourceSecret(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "secrets/pve.secret", "  s3cr3t-from-file\n")
	writeFile(t, dir, "empty.secret", "\n")
	abs := writeFile(t, t.TempDir(), "abs.secret", "absolute-secret")
	path := writeFile(t, dir, "agent.yaml", `sources:
  - name: pve.lab
    type: proxmox
    token_secret_file: secrets/pve.secret
    api_key_file: `+abs+`
    password_file: empty.secret
    other_file: missing.secret
`)
	tests := []struct {
		name    string
		environ []string
		setting string
		want    string
		wantErr string
		notSet  bool
	}{
		{name: "file relative to the config file", setting: "token_secret", want: "s3cr3t-from-file"},
		{name: "absolute file", setting: "api_key", want: "absolute-secret"},
		{name: "env wins over file", setting: "token_secret", environ: []string{"NETBOX_AGENT_SOURCES_PVE_LAB_TOKEN_SECRET=from-env"}, want: "from-env"},
		{name: "blank env falls back to file", setting: "token_secret", environ: []string{"NETBOX_AGENT_SOURCES_PVE_LAB_TOKEN_SECRET= "}, want: "s3cr3t-from-file"},
		{name: "env only", setting: "community", environ: []string{"NETBOX_AGENT_SOURCES_PVE_LAB_COMMUNITY=public"}, want: "public"},
		{
			name: "set nowhere", setting: "community", notSet: true,
			wantErr: "sources[0].community: secret not set: set NETBOX_AGENT_SOURCES_PVE_LAB_COMMUNITY or sources[0].community_file",
		},
		{name: "empty file", setting: "password", wantErr: "sources[0].password_file: secret file " + filepath.Join(dir, "empty.secret") + " is empty"},
		{name: "missing file", setting: "other", wantErr: "sources[0].other_file: read secret: open " + filepath.Join(dir, "missing.secret") + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(path, nil, tt.environ)
			require.NoError(t, err)
			secret := c.Sources[0].SourceConfig().Secret
			got, err := secret(tt.setting)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				assert.Equal(t, tt.notSet, errors.Is(err, ErrSecretNotSet))
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSecretEnv(t *testing.T) {
	for _, tt := range []struct{ name, setting, want string }{
		{"pve", "token_secret", "NETBOX_AGENT_SOURCES_PVE_TOKEN_SECRET"},
		{"pve-a.lab", "api_key", "NETBOX_AGENT_SOURCES_PVE_A_LAB_API_KEY"},
		{"HA", "token", "NETBOX_AGENT_SOURCES_HA_TOKEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SecretEnv(tt.name, tt.setting))
		})
	}
}

func TestNetBoxToken(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "netbox.token", "0123456789abcdef0123456789abcdef01234567\n")
	writeFile(t, dir, "blank.token", "   \n")
	tests := []struct {
		name    string
		file    string
		environ []string
		want    string
		wantErr string
	}{
		{name: "from file", file: "netbox.token", want: "0123456789abcdef0123456789abcdef01234567"},
		{name: "env wins", file: "netbox.token", environ: []string{"NETBOX_AGENT_NETBOX_TOKEN=nbt_abc.def"}, want: "nbt_abc.def"},
		{name: "env only", environ: []string{"NETBOX_AGENT_NETBOX_TOKEN=tok"}, want: "tok"},
		{name: "nowhere", wantErr: "netbox token: secret not set: set NETBOX_AGENT_NETBOX_TOKEN or netbox.token_file"},
		{name: "blank file", file: "blank.token", wantErr: "netbox.token_file: secret file " + filepath.Join(dir, "blank.token") + " is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yamlText := "netbox:\n  url: http://127.0.0.1:8001\n"
			if tt.file != "" {
				yamlText += "  token_file: " + tt.file + "\n"
			}
			path := writeFile(t, dir, "agent.yaml", yamlText)
			c, err := Load(path, nil, tt.environ)
			require.NoError(t, err)
			got, err := c.NetBoxToken()
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestExampleSourcesUncommented turns the example's commented-out sources
// into real ones and checks that they load and find their secrets where
// the comments say.
func TestExampleSourcesUncommented(t *testing.T) {
	b, err := os.ReadFile("../netbox-agent.example.yaml")
	require.NoError(t, err)
	text := string(b)
	i := strings.Index(text, "\nsources:\n")
	require.Positive(t, i)
	commented := regexp.MustCompile(`(?m)^  # ((- |  )[a-z_]+:.*)$`)
	uncommented := text[:i] + commented.ReplaceAllString(text[i:], "  $1")

	dir := t.TempDir()
	path := writeFile(t, dir, "agent.yaml", uncommented)
	c, err := Load(path, nil, []string{
		"NETBOX_AGENT_SOURCES_PVE_TOKEN_SECRET=pve-secret",
		"NETBOX_AGENT_SOURCES_NAS_API_KEY=nas-key",
		"NETBOX_AGENT_SOURCES_HA_TOKEN=ha-token",
	})
	require.NoError(t, err)
	var types []string
	for _, s := range c.Sources {
		types = append(types, s.Name+"/"+s.Type)
	}
	assert.Equal(t, []string{"filesystem/filesystem", "pve/proxmox", "nas/truenas", "ha/homeassistant", "lan/scanner"}, types)

	for name, secret := range map[string][2]string{
		"pve": {"token_secret", "pve-secret"},
		"nas": {"api_key", "nas-key"},
		"ha":  {"token", "ha-token"},
	} {
		s, ok := c.Source(name)
		require.True(t, ok, name)
		got, err := s.Secret(secret[0])
		require.NoError(t, err, name)
		assert.Equal(t, secret[1], got, name)
		assert.Contains(t, s.Settings(), secret[0]+"_file", "%s: the example names the secret's file", name)
	}
	require.NoError(t, c.CheckSources(zap.NewNop()), "the example's sources decode strictly")
	pve, ok := c.Source("pve")
	require.True(t, ok)
	var settings proxmoxSettings
	require.NoError(t, pve.Decode(&settings))
	assert.Equal(t, "https://pve.example.internal:8006", settings.URL)
}

func TestCheckSources(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "agent.yaml", `sources:
  - name: files
    type: filesystem
    path: ./inventory
  - name: pve
    type: proxmox
    enabled: false
    urll: https://pve.example.internal:8006
  - name: ha
    type: homeassistant
    url: http://127.0.0.1:8123
    token_file: ha.token
`)
	c, err := Load(path, nil, nil)
	require.NoError(t, err)
	err = c.CheckSources(zap.NewNop())
	require.Error(t, err)
	assert.Equal(t, `source "pve": source configuration invalid: `+path+`:8: sources[1].urll: unknown key (did you mean url?)`, err.Error())
	assert.ErrorIs(t, err, source.ErrConfig)

	c.Sources = c.Sources[:1]
	assert.NoError(t, c.CheckSources(zap.NewNop()))
}
