package reference

import (
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/config"
)

var update = flag.Bool("update", false, "rewrite docs/config-reference.md")

const (
	root      = "../.."
	committed = "../../docs/config-reference.md"
)

// TestCommittedReference fails when docs/config-reference.md is not what
// the code makes; -update writes it. CI runs it.
func TestCommittedReference(t *testing.T) {
	got, err := Markdown(root)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(committed, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(committed)
	require.NoError(t, err, "run go test ./config/reference -update")
	assert.Equal(t, string(want), got, "docs/config-reference.md is out of date; run go test ./config/reference -update")
}

// TestEverySourceTypeHasDefaults holds the source types the reference
// describes to the registered ones, so that a new type cannot be left out.
func TestEverySourceTypeHasDefaults(t *testing.T) {
	var described []string
	for typ := range sourceDefaults() {
		described = append(described, typ)
	}
	slices.Sort(described)
	registered := slices.Clone(source.Types())
	slices.Sort(registered)
	assert.Equal(t, registered, described)
}

// TestReferenceNamesEveryKey checks the page against the structs: every
// scalar setting with its variable and flag, every key of every source
// type, with the meaning from its doc comment.
func TestReferenceNamesEveryKey(t *testing.T) {
	page, err := Markdown(root)
	require.NoError(t, err)
	for _, s := range config.Settings() {
		assert.Contains(t, page, "| `"+s.Path+"` | "+s.Type()+" | ", s.Path)
		assert.Contains(t, page, "`"+s.Env+"` | `--"+s.Flag+"` | "+cell(s.Help)+" |", s.Path)
	}
	for typ, v := range sourceDefaults() {
		section := sectionOf(t, page, "### `"+typ+"`")
		for _, f := range yamlFields(reflect.TypeOf(v)) {
			assert.Contains(t, section, "| `"+f.key+"` | "+typeName(f.typ)+" | ", "%s.%s", typ, f.key)
		}
		assert.NotContains(t, section, "|  |\n", "%s: a key without a meaning", typ)
	}
	assert.Contains(t, sectionOf(t, page, "### `proxmox`"),
		"| `token_secret` | `NETBOX_AGENT_SOURCES_<NAME>_TOKEN_SECRET` | `token_secret_file` | the API token's secret |")
	assert.Contains(t, sectionOf(t, page, "### `proxmox`"),
		"| `token_id` | text | (none) | `token_id` is the API token, \"user@realm!tokenid\". Either it or `username` is set. |")
	assert.Contains(t, sectionOf(t, page, "### `proxmox`"), "| `timeout` | duration | `30s` |")
}

func sectionOf(t *testing.T, page, heading string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, heading+"\n")
	require.True(t, ok, "no %s", heading)
	if i := strings.Index(rest, "\n### "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func TestReplaceWord(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"Model and Manufacturer", "`model` and Manufacturer"},
		{"Models, Model.", "Models, `model`."},
		{"VMModel", "VMModel"},
		{"", ""},
	} {
		assert.Equal(t, tt.want, replaceWord(tt.text, "Model", "`model`"), tt.text)
	}
}

func TestTypeNameAndDefault(t *testing.T) {
	yes := true
	for _, tt := range []struct {
		v        any
		typ, def string
	}{
		{"", "text", ""},
		{"Hypervisor", "text", "Hypervisor"},
		{4, "integer", "4"},
		{0.5, "number", "0.5"},
		{&yes, "boolean", "true"},
		{(*bool)(nil), "boolean", ""},
		{[]int{22, 443}, "list of integer", "[22, 443]"},
		{map[string]string{}, "map of text", ""},
	} {
		v := reflect.ValueOf(tt.v)
		assert.Equal(t, tt.typ, typeName(v.Type()), "%#v", tt.v)
		assert.Equal(t, tt.def, defaultOf(v), "%#v", tt.v)
	}
}
