package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestRedactedGolden(t *testing.T) {
	c, err := Load("testdata/good/full.yaml", nil, nil)
	require.NoError(t, err)
	base, err := filepath.Abs("testdata/good")
	require.NoError(t, err)
	out := strings.ReplaceAll(c.Redacted(), base, "<config dir>")
	golden(t, "good/full.redacted.yaml", out)

	// The printed form is itself a valid config that loads to the same values.
	path := writeFile(t, t.TempDir(), "printed.yaml", c.Redacted())
	again, err := Load(path, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, c.NetBox, again.NetBox)
	assert.Equal(t, c.Sync, again.Sync)
	assert.Equal(t, c.DataDir, again.DataDir)
	require.Len(t, again.Sources, len(c.Sources))
	for i := range c.Sources {
		assert.Equal(t, c.Sources[i].Settings(), again.Sources[i].Settings())
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	const (
		netboxToken = "nb-token-6b1d0c"
		pveSecret   = "pve-secret-91aa2e"
		inline      = "inline-password-77c3f0"
		urlPassword = "url-password-0f9e1d"
		fileSecret  = "file-secret-3c5d7a"
		community   = "snmp-community-5e8b21"
	)
	dir := t.TempDir()
	writeFile(t, dir, "netbox.token", fileSecret)
	path := writeFile(t, dir, "agent.yaml", `
netbox:
  url: http://127.0.0.1:8001
  token_file: netbox.token
blob_url: s3://bucket?region=eu-west-1&secret_access_key=`+urlPassword+`
sources:
  - name: ha
    type: homeassistant
    url: http://admin:`+urlPassword+`@127.0.0.1:8123
    password: `+inline+`
    snmp_community: `+community+`
    snmp_community_file: snmp.community
    token_secret_file: pve.secret
    token_id: agent@pve!sync
    auth:
      api_key: `+inline+`
      users: [{name: a, secret: `+inline+`}]
`)
	environ := []string{
		"NETBOX_AGENT_NETBOX_TOKEN=" + netboxToken,
		"NETBOX_AGENT_SOURCES_HA_TOKEN_SECRET=" + pveSecret,
		"NETBOX_AGENT_SOURCES_HA_SNMP_COMMUNITY=" + community,
	}
	c, err := Load(path, nil, environ)
	require.NoError(t, err)
	out := c.Redacted()
	for _, secret := range []string{netboxToken, pveSecret, inline, urlPassword, fileSecret, community} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "snmp_community_file: snmp.community", "the community's file name is no secret")
	assert.Contains(t, out, "token_id: agent@pve!sync", "identifiers are not secrets")
	assert.Contains(t, out, "token_secret_file: pve.secret", "file names are not secrets")
	assert.Contains(t, out, "admin:REDACTED@127.0.0.1:8123")
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(out), &doc), "the printed config is YAML")

	// Errors mention where a secret comes from, never its value.
	c.NetBox.TokenFile = filepath.Join(dir, "missing.token")
	c.lookupEnv = func(string) (string, bool) { return "", false }
	_, err = c.NetBoxToken()
	require.Error(t, err)
	for _, secret := range []string{netboxToken, fileSecret} {
		assert.NotContains(t, err.Error(), secret)
	}
	// A config with a malformed secret-looking setting does not echo it.
	bad := writeFile(t, dir, "bad.yaml", "netbox:\n  url: http://u:"+urlPassword+"@127.0.0.1:8001\n")
	_, err = Load(bad, nil, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), urlPassword)
}

func TestRedactURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"http://127.0.0.1:8001", "http://127.0.0.1:8001"},
		{"https://user:pw@host/x", "https://user:REDACTED@host/x"},
		{"https://user@host/x", "https://user@host/x"},
		{"s3://b?region=x&token=abc", "s3://b?region=x&token=REDACTED"},
		{"not a url", "not a url"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, redactURL(tt.in))
		})
	}
}

func TestLooksSecret(t *testing.T) {
	for key, want := range map[string]bool{
		"password": true, "token": true, "token_secret": true, "api_key": true, "apiKey": true,
		"client_secret": true, "token_id": false, "token_secret_file": false, "url": false,
		"username": false, "ca_file": false, "path": false,
	} {
		assert.Equal(t, want, looksSecret(key), key)
	}
}

// TestDocsCoverEverySetting keeps the example file and the reference page
// complete: every setting's key, variable and flag must appear.
func TestDocsCoverEverySetting(t *testing.T) {
	example, err := os.ReadFile("../netbox-agent.example.yaml")
	require.NoError(t, err)
	docs, err := os.ReadFile("../docs/configuration.md")
	require.NoError(t, err)

	// Every setting is present (with its default) in the example.
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(example, &doc))
	for _, s := range Settings() {
		n := lookupPath(doc.Content[0], strings.Split(s.Path, "."))
		if assert.NotNil(t, n, "example lacks %s", s.Path) && s.Path != "data_dir" && s.Path != "blob_url" && s.Path != "netbox.url" {
			c := Default()
			require.NoError(t, setScalar(s.field(c), n.Value, ""), s.Path)
			assert.Equal(t, s.field(Default()).Interface(), s.field(c).Interface(), "example shows a non-default value for %s", s.Path)
		}
		for _, name := range []string{"`" + s.Path + "`", s.Env, "--" + s.Flag} {
			if !strings.Contains(string(docs), name) {
				t.Errorf("docs/configuration.md lacks %s", name)
			}
		}
	}
}

func lookupPath(n *yaml.Node, path []string) *yaml.Node {
	if len(path) == 0 {
		return n
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == path[0] {
			return lookupPath(n.Content[i+1], path[1:])
		}
	}
	return nil
}

// TestDocsReferenceTable keeps the reference table in docs/configuration.md
// generated from Settings(); -update rewrites it.
func TestDocsReferenceTable(t *testing.T) {
	const path = "../docs/configuration.md"
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	const begin, end = "<!-- settings:begin -->\n", "<!-- settings:end -->"
	text := string(b)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	require.True(t, i >= 0 && j > i, "markers missing in %s", path)
	want := text[:i+len(begin)] + referenceTable() + text[j:]
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
		return
	}
	assert.Equal(t, want, text, "docs/configuration.md is out of date; run go test ./config -update")
}

func referenceTable() string {
	var b strings.Builder
	b.WriteString("| key | default | variable | flag | meaning |\n| --- | --- | --- | --- | --- |\n")
	def := Default()
	for _, s := range Settings() {
		v := fmt.Sprint(s.field(def).Interface())
		switch s.Path {
		case "blob_url":
			v = "file://<data_dir>/blobs"
		}
		if v == "" {
			v = "(empty)"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | `%s` | `--%s` | %s |\n", s.Path, v, s.Env, s.Flag, s.Help)
	}
	return b.String()
}
