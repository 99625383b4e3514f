package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadText loads a config file with the given text and environment.
func loadText(t *testing.T, text string, environ ...string) (*Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return Load(path, nil, environ)
}

func TestPlaintextRefused(t *testing.T) {
	for _, tc := range []struct {
		name, text, wantErr string
	}{
		{"netbox on loopback", "netbox: {url: http://127.0.0.1:8001}", ""},
		{"netbox localhost", "netbox: {url: http://localhost:8001}", ""},
		{"netbox over https", "netbox: {url: https://netbox.example.internal}", ""},
		{"netbox over http", "netbox: {url: http://netbox.example.internal}",
			`netbox.url: "http://netbox.example.internal" is plain http: the NetBox token would cross the network unencrypted; use https:// or set netbox.allow_plaintext: true`},
		{"netbox over http, allowed", "netbox: {url: http://netbox.example.internal, allow_plaintext: true}", ""},
		{"temporal on loopback", "temporal: {address: 127.0.0.1:7233}", ""},
		{"temporal remote without tls", "temporal: {address: temporal.example.internal:7233}",
			"temporal.address: temporal.example.internal:7233 is not on loopback and no TLS is set"},
		{"temporal remote, allowed", "temporal: {address: temporal.example.internal:7233, allow_plaintext: true}", ""},
		{"temporal remote over tls", "temporal: {address: temporal.example.internal:7233, tls: {enabled: true}}", ""},
		{"temporal remote with an api key", "temporal: {address: ns.acct.tmprl.cloud:7233, api_key_file: key}", ""},
		{"temporal cert without key", "temporal: {tls: {cert_file: c.pem}}",
			"temporal.tls.cert_file: temporal.tls.cert_file and temporal.tls.key_file go together"},
		{"temporal ca and skip verify", "temporal: {tls: {ca_file: ca.pem, insecure_skip_verify: true}}",
			"temporal.tls.insecure_skip_verify: contradicts temporal.tls.ca_file"},
		{"codec server cert without key", "codec_server: {cert_file: c.pem}",
			"codec_server.cert_file: codec_server.cert_file and codec_server.key_file go together"},
		{"codec server bad origin", "codec_server: {cors_origins: 'http://localhost:8233, localhost:8233/ui'}",
			`codec_server.cors_origins: "localhost:8233/ui" is not an origin`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadText(t, tc.text)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestSecurityWarnings(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open.token")
	closed := filepath.Join(dir, "closed.token")
	require.NoError(t, os.WriteFile(open, []byte("s3cr3t-open\n"), 0o644))
	require.NoError(t, os.Chmod(open, 0o644))
	require.NoError(t, os.WriteFile(closed, []byte("s3cr3t-closed\n"), 0o600))

	c, err := loadText(t, "netbox: {url: http://nb.example.internal, allow_plaintext: true, token_file: "+open+"}\n"+
		"temporal: {address: t.example.internal:7233, allow_plaintext: true, encryption: {keys_file: "+closed+"}}\n")
	require.NoError(t, err)
	warns, err := c.SecurityWarnings()
	require.NoError(t, err)
	assert.Equal(t, []string{
		"netbox.token_file: secret file " + open + " is readable by group or others (mode 0644); chmod 600 it",
		"netbox.url http://nb.example.internal is plain http: the NetBox token crosses the network unencrypted (allow_plaintext is set)",
		"temporal.address t.example.internal:7233 is reached without TLS (allow_plaintext is set)",
	}, warns)
	tok, err := c.NetBoxToken()
	require.NoError(t, err, "without strict_secret_files an open file is read, with a warning")
	assert.Equal(t, "s3cr3t-open", tok)

	strict, err := loadText(t, "strict_secret_files: true\nnetbox: {token_file: "+open+"}\ntemporal: {encryption: {keys_file: "+closed+"}}\n")
	require.NoError(t, err)
	warns, err = strict.SecurityWarnings()
	require.Error(t, err)
	assert.Empty(t, warns)
	assert.Contains(t, err.Error(), "netbox.token_file: secret file "+open+" is readable by group or others (mode 0644); chmod 600 it (strict_secret_files is set)")
	_, err = strict.NetBoxToken()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr3t")
	keys, err := strict.EncryptionKeys()
	require.NoError(t, err, "a file only its owner reads passes strict")
	assert.Equal(t, "s3cr3t-closed", keys)
}

func TestSecretsFromEnvironment(t *testing.T) {
	c, err := loadText(t, "codec_server: {listen: 127.0.0.1:0}\n",
		EnvEncryptionKeys+"=k1=AAAA", EnvCodecServerToken+"=tok-a\n# comment\ntok-b\n", EnvTemporalAPIKey+"=key-1")
	require.NoError(t, err)
	keys, err := c.EncryptionKeys()
	require.NoError(t, err)
	assert.Equal(t, "k1=AAAA", keys)
	toks, err := c.CodecServerTokens()
	require.NoError(t, err)
	assert.Equal(t, []string{"tok-a", "tok-b"}, toks)
	key, ok := c.TemporalAPIKeyEnv()
	assert.True(t, ok)
	assert.Equal(t, "key-1", key)
	assert.True(t, c.UsesTLS(), "an API key implies TLS")

	none, err := loadText(t, "log: {level: info}\n")
	require.NoError(t, err)
	_, err = none.EncryptionKeys()
	assert.ErrorIs(t, err, ErrSecretNotSet)
	_, err = none.CodecServerTokens()
	assert.ErrorIs(t, err, ErrSecretNotSet)
	assert.False(t, none.UsesTLS())
}
