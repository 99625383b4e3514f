package config

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"
)

// redactedValue replaces a secret in printed output, redactedInURL one
// inside a URL.
const (
	redactedValue = "<redacted>"
	redactedInURL = "REDACTED"
)

// Redacted returns the effective configuration as YAML with nothing secret
// in it, for --print-config. The NetBox token never is part of Config;
// source settings whose names look secret (password, secret, token, key)
// and passwords inside URLs are replaced by "<redacted>".
func (c *Config) Redacted() string {
	cp := *c
	cp.NetBox.URL = redactURL(cp.NetBox.URL)
	cp.BlobURL = redactURL(cp.BlobURL)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&cp); err != nil {
		// Every type in Config marshals; a failure is a programming error
		// and printing it is safer than printing a partial config.
		return fmt.Sprintf("# config cannot be printed: %s\n", err.Error())
	}
	if err := enc.Close(); err != nil {
		return fmt.Sprintf("# config cannot be printed: %s\n", err.Error())
	}
	return b.String()
}

// MarshalYAML writes the source with its own settings inline, secrets
// redacted, so that printing the config shows what the source will read.
func (s Source) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	add := func(k string, v *yaml.Node) {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, v)
	}
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	add("name", str(s.Name))
	add("type", str(s.Type))
	add("enabled", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(s.Enabled)})
	add("task_queue", str(s.TaskQueue))
	if s.settings != nil {
		for i := 0; i+1 < len(s.settings.Content); i += 2 {
			k := s.settings.Content[i].Value
			add(k, redactNode(k, s.settings.Content[i+1], 0))
		}
	}
	return n, nil
}

// secretWords mark a setting name as holding a secret, unless it only
// names a file or an identifier (token_secret_file, token_id).
var secretWords = []string{"password", "passwd", "secret", "token", "apikey", "api_key", "private_key", "credential", "community"}

func looksSecret(key string) bool {
	k := strings.ToLower(key)
	if strings.HasSuffix(k, "_file") || strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_env") {
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// redactNode copies n with secret-looking values replaced.
func redactNode(key string, n *yaml.Node, depth int) *yaml.Node {
	for n.Kind == yaml.AliasNode && depth < maxDepth {
		n = n.Alias
		depth++
	}
	if depth >= maxDepth {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: redactedValue}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if looksSecret(key) && n.Tag != "!!null" {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: redactedValue}
		}
		out := &yaml.Node{Kind: yaml.ScalarNode, Tag: n.Tag, Value: n.Value, Style: n.Style}
		if n.Tag == "!!str" {
			out.Value = redactURL(n.Value)
		}
		return out
	case yaml.MappingNode:
		out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			out.Content = append(out.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Tag: k.Tag, Value: k.Value},
				redactNode(k.Value, n.Content[i+1], depth+1))
		}
		return out
	case yaml.SequenceNode:
		out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, c := range n.Content {
			out.Content = append(out.Content, redactNode(key, c, depth+1))
		}
		return out
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: redactedValue}
}

// redactURL hides a password in a URL's user info and the values of
// secret-looking query parameters; other strings pass unchanged.
func redactURL(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			// "<redacted>" would be percent-encoded inside a URL.
			u.User = url.UserPassword(u.User.Username(), redactedInURL)
			changed = true
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if looksSecret(k) {
				q.Set(k, redactedInURL)
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return s
	}
	return u.String()
}
