package config

import (
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// decodeInto runs the strict decoder over text into v and returns its
// joined errors.
func decodeInto(t *testing.T, text string, v any) error {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(text), &doc))
	d := &nodeDecoder{file: "f.yaml"}
	d.decode(&doc, reflect.ValueOf(v).Elem(), "")
	return errors.Join(d.errs...)
}

type decodeTarget struct {
	Name     string            `yaml:"name"`
	Count    int               `yaml:"count"`
	Small    int8              `yaml:"small"`
	Ratio    float64           `yaml:"ratio"`
	On       bool              `yaml:"on"`
	Port     uint16            `yaml:"port"`
	Wait     Duration          `yaml:"wait"`
	List     []string          `yaml:"list"`
	Labels   map[string]string `yaml:"labels"`
	Ptr      *bool             `yaml:"ptr"`
	Any      any               `yaml:"any"`
	Nested   struct{ A int }   `yaml:"nested"`
	Skipped  string            `yaml:"-"`
	Untagged string
}

func TestDecoderValues(t *testing.T) {
	var got decodeTarget
	err := decodeInto(t, `
name: 42
count: 0x10
small: 1_0
ratio: 1
on: TRUE
port: 8080
wait: 1d
list: [a, "b"]
labels: {k: v}
ptr: false
any: {x: [1, 2]}
nested: {a: 3}
untagged: yes
`, &got)
	require.NoError(t, err)
	assert.Equal(t, "42", got.Name, "a number is read as text into a string")
	assert.Equal(t, 16, got.Count)
	assert.Equal(t, int8(10), got.Small)
	assert.InDelta(t, 1.0, got.Ratio, 0)
	assert.True(t, got.On)
	assert.Equal(t, uint16(8080), got.Port)
	assert.Equal(t, "1d", got.Wait.String())
	assert.Equal(t, []string{"a", "b"}, got.List)
	assert.Equal(t, map[string]string{"k": "v"}, got.Labels)
	require.NotNil(t, got.Ptr)
	assert.False(t, *got.Ptr)
	assert.Equal(t, map[string]any{"x": []any{1, 2}}, got.Any)
	assert.Equal(t, 3, got.Nested.A)
	assert.Equal(t, "yes", got.Untagged)
}

func TestDecoderErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"overflow", "small: 300", `f.yaml:1: small: expected an integer, got "300"`},
		{"negative unsigned", "port: -1", `f.yaml:1: port: expected an integer, got "-1"`},
		{"infinite float", "ratio: .inf", `f.yaml:1: ratio: expected a number, got ".inf"`},
		{"float into int", "count: 1.5", `f.yaml:1: count: expected an integer, got "1.5"`},
		{"quoted bool", `on: "true"`, `f.yaml:1: on: expected true or false, got the string "true" (remove the quotes)`},
		{"skipped field is unknown", "skipped: x", `f.yaml:1: skipped: unknown key`},
		{"map into list", "list: {a: b}", `f.yaml:1: list: expected a list, got a mapping`},
		{"list into map", "labels: [a]", `f.yaml:1: labels: expected a mapping, got a list`},
		{"nested unknown", "nested:\n  b: 1", `f.yaml:2: nested.b: unknown key`},
		{"non-scalar key", "? [a]\n: 1", `f.yaml:1: keys must be plain strings`},
		{"list element", "list: [a, [b]]", `f.yaml:1: list[1]: expected a string, got a list`},
		{"several at once", "count: x\nport: y", "f.yaml:1: count: expected an integer, got \"x\"\nf.yaml:2: port: expected an integer, got \"y\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got decodeTarget
			err := decodeInto(t, tt.text, &got)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestDecoderAnchorsAndMerges(t *testing.T) {
	var got struct {
		A decodeTarget   `yaml:"a"`
		B decodeTarget   `yaml:"b"`
		C []decodeTarget `yaml:"c"`
	}
	err := decodeInto(t, `
x-base: &base
  name: base
  count: 1
a:
  <<: *base
  count: 2
b: *base
c:
  - <<: [*base, {port: 9}]
`, &got)
	require.NoError(t, err)
	assert.Equal(t, "base", got.A.Name)
	assert.Equal(t, 2, got.A.Count, "an explicit key overrides a merged one")
	assert.Equal(t, "base", got.B.Name)
	require.Len(t, got.C, 1)
	assert.Equal(t, uint16(9), got.C[0].Port)
	assert.Equal(t, 1, got.C[0].Count)
}

func TestDecoderAliasCycle(t *testing.T) {
	// A self-referencing alias parses; the walker must stop with an error
	// instead of recursing until the stack overflows.
	type tree struct {
		Kids []tree `yaml:"kids"`
	}
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("a: &a\n  kids: [*a]\n"), &doc))
	var got struct {
		A tree `yaml:"a"`
	}
	d := &nodeDecoder{file: "f.yaml"}
	d.decode(&doc, reflect.ValueOf(&got).Elem(), "")
	require.Len(t, d.errs, 1)
	assert.Contains(t, d.errs[0].Error(), "nested too deeply")
}

func TestSuggest(t *testing.T) {
	keys := []string{"batch_size", "page_size", "url"}
	assert.Equal(t, " (did you mean batch_size?)", suggestFrom("batch_sise", keys))
	assert.Equal(t, " (did you mean url?)", suggestFrom("urll", keys))
	assert.Empty(t, suggestFrom("something_else", keys))
}

func TestValidateDefaults(t *testing.T) {
	// The defaults alone are a valid configuration, so a caller that builds
	// a Config in code can start from Default().
	require.NoError(t, Default().validate([]string{"filesystem"}))
}
