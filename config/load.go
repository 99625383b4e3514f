package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// EnvNetBoxToken holds the NetBox API token; it wins over netbox.token_file.
const EnvNetBoxToken = EnvPrefix + "NETBOX_TOKEN"

// Load builds the effective configuration: defaults, then the file at path
// (strict; "" means no file), then NETBOX_AGENT_* variables from environ,
// then the flags of fs that were set (fs may be nil), and validates it.
// environ is os.Environ()'s form; secrets are later read from it too.
// Relative paths (data_dir, token_file, ca_file, a source's *_file) refer
// to the config file's directory, or to the working directory without a
// file. All problems are returned at once, joined; each is a *FieldError.
func Load(path string, fs *pflag.FlagSet, environ []string) (*Config, error) {
	c := Default()
	env := envMap(environ)
	c.lookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c.origins = map[string]string{}

	if path != "" {
		if err := c.readFile(path); err != nil {
			return nil, err
		}
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("config: working directory: %w", err)
		}
		c.baseDir = wd
	}
	var errs []error
	errs = append(errs, c.applyEnv(env)...)
	errs = append(errs, c.applyFlags(fs)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.resolve()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// readFile decodes the config file over c.
func (c *Config) readFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	c.file, c.baseDir = path, filepath.Dir(abs)
	return c.decodeFile(b)
}

// decodeFile decodes the bytes of the config file c.file over c. Each
// problem is a *FieldError whose origin names the file and, once the YAML
// reads, the line.
func (c *Config) decodeFile(b []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return &FieldError{Origin: c.file, Err: fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	d := &nodeDecoder{file: c.file, origins: c.origins}
	d.decode(&doc, reflect.ValueOf(c).Elem(), "")
	return errors.Join(d.errs...)
}

// envMap turns os.Environ()'s form into a map; a later entry wins.
func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// applyEnv sets every setting whose variable is present. An unknown
// NETBOX_AGENT_ variable is an error, as a misspelt key in the file is,
// except under NETBOX_AGENT_SOURCES_ (secrets, whose names the config does
// not know).
func (c *Config) applyEnv(env map[string]string) []error {
	known := map[string]bool{EnvNetBoxToken: true, EnvConfig: true, EnvTemporalAPIKey: true, EnvEncryptionKeys: true, EnvCodecServerToken: true}
	var errs []error
	for _, s := range Settings() {
		known[s.Env] = true
		v, ok := env[s.Env]
		if !ok {
			continue
		}
		origin := "env " + s.Env
		if err := setScalar(s.field(c), v, ""); err != nil {
			errs = append(errs, &FieldError{Origin: origin, Path: s.Path, Err: err})
			continue
		}
		c.origins[s.Path] = origin
	}
	for i := range c.Sources {
		errs = append(errs, c.Sources[i].applyEnv(env, c.origins)...)
	}
	var names []string
	for k := range env {
		if strings.HasPrefix(k, EnvPrefix) && !known[k] && !strings.HasPrefix(k, EnvPrefix+"SOURCES_") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	envNames := make([]string, 0, len(known))
	for k := range known {
		envNames = append(envNames, k)
	}
	for _, k := range names {
		errs = append(errs, &FieldError{Origin: "env " + k, Err: fmt.Errorf("unknown variable%s", suggestFrom(k, envNames))})
	}
	return errs
}

// applyEnv sets a source's enabled and task_queue from
// NETBOX_AGENT_SOURCES_<NAME>_ENABLED and ..._TASK_QUEUE.
func (s *Source) applyEnv(env map[string]string, origins map[string]string) []error {
	var errs []error
	fields := fieldsOf(reflect.TypeFor[Source]())
	for _, key := range []string{"enabled", "task_queue"} {
		name := SecretEnv(s.Name, key)
		v, ok := env[name]
		if !ok || s.Name == "" {
			continue
		}
		origin := "env " + name
		path := keyPath(s.path, key)
		if err := setScalar(reflect.ValueOf(s).Elem().FieldByIndex(fields[key].index), v, ""); err != nil {
			errs = append(errs, &FieldError{Origin: origin, Path: path, Err: err})
			continue
		}
		origins[path] = origin
	}
	return errs
}

// applyFlags sets every setting whose flag was given on the command line.
func (c *Config) applyFlags(fs *pflag.FlagSet) []error {
	if fs == nil {
		return nil
	}
	var errs []error
	for _, s := range Settings() {
		f := fs.Lookup(s.Flag)
		if f == nil || !f.Changed {
			continue
		}
		origin := "flag --" + s.Flag
		if err := setScalar(s.field(c), f.Value.String(), ""); err != nil {
			errs = append(errs, &FieldError{Origin: origin, Path: s.Path, Err: err})
			continue
		}
		c.origins[s.Path] = origin
	}
	return errs
}

// resolve fills the defaults that depend on other settings and makes
// relative paths absolute.
func (c *Config) resolve() {
	c.resolveAdopt()
	c.DataDir = c.abs(c.DataDir)
	if c.BlobURL == "" && c.DataDir != "" {
		c.BlobURL = "file://" + filepath.ToSlash(filepath.Join(c.DataDir, "blobs"))
	}
	if c.NetBox.TokenFile != "" {
		c.NetBox.TokenFile = c.abs(c.NetBox.TokenFile)
	}
	if c.NetBox.CAFile != "" {
		c.NetBox.CAFile = c.abs(c.NetBox.CAFile)
	}
	for _, p := range []*string{&c.Temporal.APIKeyFile, &c.Temporal.TLS.CAFile, &c.Temporal.TLS.CertFile, &c.Temporal.TLS.KeyFile,
		&c.Temporal.Encryption.KeysFile, &c.CodecServer.TokenFile, &c.CodecServer.CertFile, &c.CodecServer.KeyFile} {
		*p = c.abs(*p)
	}
	for i := range c.NetBox.CustomFields {
		cf := &c.NetBox.CustomFields[i]
		if cf.Field == "" {
			cf.Field = cf.Attr
		}
		if cf.Type == "" {
			cf.Type = "text"
		}
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.TaskQueue == "" {
			s.TaskQueue = c.Temporal.TaskQueue
		}
		s.baseDir = c.baseDir
		s.lookupEnv = c.lookupEnv
		if s.path == "" {
			s.path = fmt.Sprintf("sources[%d]", i)
		}
	}
}

func (c *Config) abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.baseDir, p)
}

// NetBoxToken returns the NetBox API token: NETBOX_AGENT_NETBOX_TOKEN first,
// then the contents of netbox.token_file. The error says where the token
// may come from and never contains it; an unset token wraps ErrSecretNotSet.
func (c *Config) NetBoxToken() (string, error) {
	if v, ok := c.env(EnvNetBoxToken); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), nil
	}
	if c.NetBox.TokenFile == "" {
		return "", fmt.Errorf("netbox token: %w: set %s or netbox.token_file", ErrSecretNotSet, EnvNetBoxToken)
	}
	return c.readSecret(c.abs(c.NetBox.TokenFile), "netbox.token_file")
}

// resolveAdopt reads netbox.adopt's old boolean values as the policies
// they meant (true: auto, false: never) and notes the deprecation.
func (c *Config) resolveAdopt() {
	policy := ""
	switch strings.ToLower(strings.TrimSpace(c.NetBox.Adopt)) {
	case "true":
		policy = "auto"
	case "false":
		policy = "never"
	default:
		return
	}
	where := ""
	if o := c.origins["netbox.adopt"]; o != "" {
		where = " (" + o + ")"
	}
	c.deprecations = append(c.deprecations, fmt.Sprintf("netbox.adopt%s: %s is deprecated and read as %s; write adopt: %s (never, report or auto)",
		where, c.NetBox.Adopt, policy, policy))
	c.NetBox.Adopt = policy
}
