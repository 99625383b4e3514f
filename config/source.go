package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"go.uber.org/zap"
	"gopkg.in/yaml.v3"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Source is one configured discovery source instance. Its type-specific
// settings stay a YAML node until the source package decodes them into its
// own struct through SourceConfig().Decode.
type Source struct {
	// Name identifies the instance (activity discover/<name>, records'
	// source); unique, made of letters, digits, '-', '_' and '.'.
	Name string `yaml:"name"`
	// Type is the registered source type ("filesystem", "proxmox").
	Type string `yaml:"type"`
	// Enabled sources take part in a sync by default (default true).
	Enabled bool `yaml:"enabled"`
	// TaskQueue is the queue its discovery runs on, so that a worker in
	// another network can serve it (default: temporal.task_queue).
	TaskQueue string `yaml:"task_queue"`

	path      string // "sources[0]"
	file      string
	settings  *yaml.Node // mapping of the keys above's siblings
	baseDir   string
	lookupEnv func(string) (string, bool)
}

// commonSourceKeys are the keys every source has; all others are the
// source type's own settings.
var commonSourceKeys = map[string]bool{"name": true, "type": true, "enabled": true, "task_queue": true}

// isFileSetting reports whether a settings key names a secret's file. ca_file
// is a plain setting (a CA bundle is public) that the source decodes itself.
func isFileSetting(key string) bool {
	return strings.HasSuffix(key, "_file") && key != "ca_file" && key != "_file"
}

func (s *Source) decodeNode(d *nodeDecoder, n *yaml.Node, path string) {
	s.path, s.file = path, d.file
	s.Enabled = true
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	d.record(n, path)
	fields := fieldsOf(reflect.TypeFor[Source]())
	v := reflect.ValueOf(s).Elem()
	settings := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	seen := map[string]bool{}
	for _, p := range d.pairs(n, path) {
		name := p.key.Value
		kp := keyPath(path, name)
		if !p.merged {
			if seen[name] {
				d.fail(p.key, kp, "duplicate key")
				continue
			}
			seen[name] = true
		}
		if isExtension(name) {
			continue
		}
		if commonSourceKeys[name] {
			d.decode(p.value, v.FieldByIndex(fields[name].index), kp)
			continue
		}
		if isFileSetting(name) {
			val := p.value
			for val.Kind == yaml.AliasNode {
				val = val.Alias
			}
			if val.Kind != yaml.ScalarNode || val.Tag != "!!str" || val.Value == "" {
				d.fail(p.value, kp, "expected a file path, got %s", describe(val))
				continue
			}
		}
		settings.Content = append(settings.Content, p.key, p.value)
	}
	// Merged keys come first and explicit ones last; keep only the last
	// occurrence of each so that the source's Decode sees no duplicates.
	settings.Content = lastWins(settings.Content)
	s.settings = settings
}

func lastWins(content []*yaml.Node) []*yaml.Node {
	last := map[string]int{}
	for i := 0; i+1 < len(content); i += 2 {
		last[content[i].Value] = i
	}
	var out []*yaml.Node
	for i := 0; i+1 < len(content); i += 2 {
		if last[content[i].Value] == i {
			out = append(out, content[i], content[i+1])
		}
	}
	return out
}

// Settings lists the keys of the source's own settings, in file order,
// including *_file keys.
func (s *Source) Settings() []string {
	if s.settings == nil {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(s.settings.Content); i += 2 {
		out = append(out, s.settings.Content[i].Value)
	}
	return out
}

// SourceConfig returns what the source type's factory needs to build this
// instance: its strict Decode, its Secret resolver and the base directory.
func (s *Source) SourceConfig() source.Config {
	src := *s
	return source.Config{
		Name:    src.Name,
		Type:    src.Type,
		Decode:  src.Decode,
		Secret:  src.Secret,
		BaseDir: src.baseDir,
	}
}

// Decode strictly decodes the source's own settings into v (a pointer to
// the source type's settings struct, holding its defaults). Keys naming
// secret files (*_file other than ca_file) are left out: Secret reads them.
// Errors name file, line and key path ("netbox-agent.yaml:31:
// sources[0].urll: unknown key (did you mean url?)").
func (s *Source) Decode(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("decode %s settings: need a non-nil pointer, got %T", s.path, v)
	}
	if s.settings == nil {
		return nil
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: s.settings.Line, Column: s.settings.Column}
	for i := 0; i+1 < len(s.settings.Content); i += 2 {
		if isFileSetting(s.settings.Content[i].Value) {
			continue
		}
		n.Content = append(n.Content, s.settings.Content[i], s.settings.Content[i+1])
	}
	d := &nodeDecoder{file: s.file}
	d.decode(n, rv.Elem(), s.path)
	return errors.Join(d.errs...)
}

// SecretEnv is the environment variable that holds a source's secret
// setting: NETBOX_AGENT_SOURCES_<NAME>_<SETTING>, upper-cased, with every
// character other than a letter or digit replaced by '_'.
func SecretEnv(sourceName, setting string) string {
	return "NETBOX_AGENT_SOURCES_" + envWord(sourceName) + "_" + envWord(setting)
}

// envWord upper-cases s and replaces anything but letters and digits by '_'.
func envWord(s string) string {
	b := []byte(strings.ToUpper(s))
	for i, c := range b {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// Secret resolves the secret setting (for instance "token_secret"): the
// environment variable SecretEnv(name, setting) first, then the file named
// by the "<setting>_file" key of the source's settings, relative to the
// config file's directory. Surrounding whitespace is trimmed. Errors never
// contain the value; a secret set nowhere wraps ErrSecretNotSet.
func (s *Source) Secret(setting string) (string, error) {
	env := SecretEnv(s.Name, setting)
	lookup := s.lookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if v, ok := lookup(env); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), nil
	}
	fileKey := setting + "_file"
	path, ok := s.setting(fileKey)
	if !ok {
		return "", fmt.Errorf("%s.%s: %w: set %s or %s.%s", s.path, setting, ErrSecretNotSet, env, s.path, fileKey)
	}
	return readSecretFile(s.resolve(path), s.path+"."+fileKey)
}

// setting returns a scalar setting's text.
func (s *Source) setting(key string) (string, bool) {
	if s.settings == nil {
		return "", false
	}
	for i := 0; i+1 < len(s.settings.Content); i += 2 {
		if s.settings.Content[i].Value != key {
			continue
		}
		v := s.settings.Content[i+1]
		for v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		return v.Value, v.Kind == yaml.ScalarNode && v.Value != ""
	}
	return "", false
}

func (s *Source) resolve(path string) string {
	if filepath.IsAbs(path) || s.baseDir == "" {
		return path
	}
	return filepath.Join(s.baseDir, path)
}

// readSecretFile reads a secret from path; key names the setting in errors.
func readSecretFile(path, key string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: read secret: %w", key, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("%s: secret file %s is empty", key, path)
	}
	return v, nil
}

// CheckSources builds every configured source, enabled or not, with its
// registered factory and log, so that each type's own settings are checked
// as strictly as the file's common keys (for --check-config). Nothing is
// discovered; all problems are returned joined.
func (c *Config) CheckSources(log *zap.Logger) error {
	var errs []error
	for i := range c.Sources {
		if _, err := source.New(c.Sources[i].SourceConfig(), log); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
