package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// The environment variables of the secrets that protect the Temporal
// connection and its payloads; each wins over its *_file setting.
const (
	EnvTemporalAPIKey      = EnvPrefix + "TEMPORAL_API_KEY"
	EnvEncryptionKeys      = EnvPrefix + "TEMPORAL_ENCRYPTION_KEYS"
	EnvCodecServerToken    = EnvPrefix + "CODEC_SERVER_TOKEN"
	secretFileModeWarnBits = 0o077
)

// TemporalTLS is the TLS of the Temporal connection: server verification,
// and a client certificate for mTLS.
type TemporalTLS struct {
	Enabled            bool   `yaml:"enabled" help:"connect to Temporal over TLS (implied by the other temporal.tls settings and by an API key)"`
	CAFile             string `yaml:"ca_file" help:"PEM bundle to verify the Temporal frontend's certificate (default: system roots)"`
	ServerName         string `yaml:"server_name" help:"name the frontend's certificate must carry (default: the host of temporal.address)"`
	CertFile           string `yaml:"cert_file" help:"client certificate (PEM) for mTLS, re-read when it changes"`
	KeyFile            string `yaml:"key_file" help:"private key (PEM) of temporal.tls.cert_file, re-read when it changes"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify" help:"skip verification of the frontend's certificate (testing only; warned on each start)"`
}

// Encryption configures the payload codec: AES-256-GCM with named keys.
type Encryption struct {
	// KeysFile names a file of keys, one "id=base64" per line (32 bytes
	// each); the first encrypts, all decrypt. NETBOX_AGENT_TEMPORAL_ENCRYPTION_KEYS,
	// the same lines or comma-separated, takes precedence.
	KeysFile string `yaml:"keys_file" help:"file of payload keys, one id=base64 (32 bytes) a line, the first encrypts (env NETBOX_AGENT_TEMPORAL_ENCRYPTION_KEYS wins; empty = payloads in clear)"`
}

// CodecServer configures the codec server command.
type CodecServer struct {
	Listen string `yaml:"listen" help:"address of the codec server (POST /encode, /decode)"`
	// TokenFile names a file of bearer tokens the server accepts, one a
	// line; NETBOX_AGENT_CODEC_SERVER_TOKEN takes precedence.
	TokenFile      string `yaml:"token_file" help:"file of bearer tokens the codec server accepts, one a line (env NETBOX_AGENT_CODEC_SERVER_TOKEN wins)"`
	CORSOrigins    string `yaml:"cors_origins" help:"comma-separated origins (the Temporal Web UI) allowed to call the codec server"`
	CertFile       string `yaml:"cert_file" help:"certificate (PEM) the codec server serves TLS with"`
	KeyFile        string `yaml:"key_file" help:"private key (PEM) of codec_server.cert_file"`
	AllowPlaintext bool   `yaml:"allow_plaintext" help:"allow the codec server to listen without TLS on an address not on loopback"`
}

// UsesTLS reports whether the Temporal connection is made over TLS: when
// asked for, or implied by a TLS file, a server name or an API key.
func (c *Config) UsesTLS() bool {
	t := c.Temporal.TLS
	return t.Enabled || t.CAFile != "" || t.ServerName != "" || t.CertFile != "" || t.InsecureSkipVerify || c.HasTemporalAPIKey()
}

// HasTemporalAPIKey reports whether an API key is configured, in the
// environment or as temporal.api_key_file.
func (c *Config) HasTemporalAPIKey() bool {
	v, ok := c.env(EnvTemporalAPIKey)
	return (ok && strings.TrimSpace(v) != "") || c.Temporal.APIKeyFile != ""
}

// TemporalAPIKeyEnv is the API key from the environment, if set there; it
// wins over temporal.api_key_file, which the caller re-reads as it changes.
func (c *Config) TemporalAPIKeyEnv() (string, bool) {
	v, ok := c.env(EnvTemporalAPIKey)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

// EncryptionKeys is the text of the payload keys: the environment variable
// first, then temporal.encryption.keys_file. It wraps ErrSecretNotSet when
// neither is set (payloads stay in clear); the error never holds a key.
func (c *Config) EncryptionKeys() (string, error) {
	if v, ok := c.env(EnvEncryptionKeys); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), nil
	}
	if c.Temporal.Encryption.KeysFile == "" {
		return "", fmt.Errorf("payload keys: %w: set %s or temporal.encryption.keys_file", ErrSecretNotSet, EnvEncryptionKeys)
	}
	return c.readSecret(c.Temporal.Encryption.KeysFile, "temporal.encryption.keys_file")
}

// CodecServerTokens are the bearer tokens the codec server accepts: the
// environment variable first, then codec_server.token_file, one a line.
func (c *Config) CodecServerTokens() ([]string, error) {
	text, ok := c.env(EnvCodecServerToken)
	if !ok || strings.TrimSpace(text) == "" {
		if c.CodecServer.TokenFile == "" {
			return nil, fmt.Errorf("codec server token: %w: set %s or codec_server.token_file", ErrSecretNotSet, EnvCodecServerToken)
		}
		var err error
		if text, err = c.readSecret(c.CodecServer.TokenFile, "codec_server.token_file"); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out, nil
}

// readSecret reads a secret file, refusing one that group or others can
// read when strict_secret_files is set.
func (c *Config) readSecret(path, key string) (string, error) {
	if err := checkSecretMode(path, key, c.StrictSecretFiles); err != nil {
		return "", err
	}
	return readSecretFile(path, key)
}

// checkSecretMode is an error, under strict, for a secret file that group
// or others can read.
func checkSecretMode(path, key string, strict bool) error {
	if !strict {
		return nil
	}
	if msg, bad := secretModeProblem(path, key); bad {
		return errors.New(msg + " (strict_secret_files is set)")
	}
	return nil
}

// secretModeProblem says when the file at path is readable by group or
// others; a file that cannot be read at all is reported where it is read.
func secretModeProblem(path, key string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&secretFileModeWarnBits == 0 {
		return "", false
	}
	return fmt.Sprintf("%s: secret file %s is readable by group or others (mode %04o); chmod 600 it", key, path, fi.Mode().Perm()), true
}

// secretFiles lists every configured secret file by its key path.
func (c *Config) secretFiles() [][2]string {
	var out [][2]string
	add := func(key, path string) {
		if path != "" {
			out = append(out, [2]string{key, c.abs(path)})
		}
	}
	add("netbox.token_file", c.NetBox.TokenFile)
	add("temporal.api_key_file", c.Temporal.APIKeyFile)
	add("temporal.tls.key_file", c.Temporal.TLS.KeyFile)
	add("temporal.encryption.keys_file", c.Temporal.Encryption.KeysFile)
	add("codec_server.token_file", c.CodecServer.TokenFile)
	add("codec_server.key_file", c.CodecServer.KeyFile)
	for _, s := range c.Sources {
		for _, key := range s.Settings() {
			if v, ok := s.setting(key); ok && isFileSetting(key) {
				out = append(out, [2]string{s.path + "." + key, s.resolve(v)})
			}
		}
	}
	return out
}

// SecurityWarnings lists what a start should warn about: endpoints allowed
// to speak plaintext, certificate checks turned off, and secret files that
// group or others can read. With strict_secret_files, such a file is an
// error instead. Sources warn about their own endpoints when built.
func (c *Config) SecurityWarnings() ([]string, error) {
	var warns []string
	var errs []error
	for _, f := range c.secretFiles() {
		if msg, bad := secretModeProblem(f[1], f[0]); bad {
			if c.StrictSecretFiles {
				errs = append(errs, errors.New(msg+" (strict_secret_files is set)"))
			} else {
				warns = append(warns, msg)
			}
		}
	}
	if u, err := url.Parse(c.NetBox.URL); err == nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
		warns = append(warns, fmt.Sprintf("netbox.url %s is plain http: the NetBox token crosses the network unencrypted (allow_plaintext is set)", c.NetBox.URL))
	}
	if c.NetBox.InsecureSkipVerify {
		warns = append(warns, "netbox.insecure_skip_verify is set: NetBox's certificate is not checked")
	}
	if !c.UsesTLS() && !temporalOnLoopback(c.Temporal.Address) {
		warns = append(warns, fmt.Sprintf("temporal.address %s is reached without TLS (allow_plaintext is set)", c.Temporal.Address))
	}
	if c.Temporal.TLS.InsecureSkipVerify {
		warns = append(warns, "temporal.tls.insecure_skip_verify is set: the Temporal frontend's certificate is not checked")
	}
	return warns, errors.Join(errs...)
}

// temporalOnLoopback reports whether addr is on loopback; an address that
// is not host:port counts as such here, since hostPort reports it.
func temporalOnLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err != nil || isLoopback(host)
}

// security checks the settings of the connections' protection: plaintext
// to hosts not on loopback is refused unless allowed by name, and files
// come in pairs.
func (v *validator) security(c *Config) {
	if u, err := url.Parse(c.NetBox.URL); err == nil && u.Scheme == "http" && !isLoopback(u.Hostname()) && !c.NetBox.AllowPlaintext {
		v.add("netbox.url", "%q is plain http: the NetBox token would cross the network unencrypted; use https:// or set netbox.allow_plaintext: true", c.NetBox.URL)
	}
	t := c.Temporal.TLS
	if !c.UsesTLS() && !temporalOnLoopback(c.Temporal.Address) && !c.Temporal.AllowPlaintext {
		v.add("temporal.address", "%s is not on loopback and no TLS is set: set temporal.tls.enabled: true (and ca_file, cert_file for mTLS, or api_key_file), or temporal.allow_plaintext: true", c.Temporal.Address)
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		v.add("temporal.tls.cert_file", "temporal.tls.cert_file and temporal.tls.key_file go together; set both or neither")
	}
	if t.InsecureSkipVerify && t.CAFile != "" {
		v.add("temporal.tls.insecure_skip_verify", "contradicts temporal.tls.ca_file; set one of them")
	}
	cs := c.CodecServer
	v.hostPort("codec_server.listen", cs.Listen)
	if (cs.CertFile == "") != (cs.KeyFile == "") {
		v.add("codec_server.cert_file", "codec_server.cert_file and codec_server.key_file go together; set both or neither")
	}
	for _, o := range strings.Split(cs.CORSOrigins, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			v.add("codec_server.cors_origins", "%q is not an origin (scheme://host[:port])", o)
		}
	}
}
