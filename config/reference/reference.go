// Package reference makes docs/config-reference.md, the reference of every
// configuration key, from the code: the scalar settings from
// config.Settings (their types, defaults, variables, flags and help tags),
// the lists and each source type's own settings from their structs, their
// defaults and their doc comments. A test fails when the committed page
// differs from what the code makes; `go test ./config/reference -update`
// writes it anew.
package reference

//go:generate go test -run TestCommittedReference -update .

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/netbox-agent/netbox-agent/config"
)

// Markdown returns the reference page; root is the repository's root
// directory, whose Go sources hold the doc comments of the structs.
func Markdown(root string) (string, error) {
	var b strings.Builder
	b.WriteString(header)
	writeSettings(&b)
	if err := writeLists(&b, root); err != nil {
		return "", err
	}
	writeSecrets(&b)
	if err := writeSourceTypes(&b, root); err != nil {
		return "", err
	}
	return b.String(), nil
}

const header = `# Configuration reference

<!-- Made by go test ./config/reference -update from the code; edit the code, not this page. -->

Every key of ` + "`netbox-agent.yaml`" + `, made from the code: types and defaults from the config
structs, meanings from their help tags and doc comments. [configuration.md](configuration.md)
explains the file, its layers (default, file, environment variable, flag) and its values;
[troubleshooting.md](troubleshooting.md) what its errors mean.

Types: **text**; **integer**; **number** (a decimal, ` + "`0.5`" + `); **boolean** (` + "`true`, `false`" + `);
**duration** (` + "`90s`, `5m`, `1h30m`, `30d`; `0`" + ` is zero); **list** and **map** (file only).

`

func writeSettings(b *strings.Builder) {
	b.WriteString("## Settings\n\n")
	b.WriteString("Each scalar setting can also be given by its environment variable and its flag; a flag\n" +
		"given on the command line wins over the variable, which wins over the file.\n\n")
	b.WriteString("| key | type | default | variable | flag | meaning |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, s := range config.Settings() {
		def := s.Default()
		if s.Path == "blob_url" {
			def = "file://<data_dir>/blobs"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | `%s` | `--%s` | %s |\n",
			s.Path, s.Type(), code(def), s.Env, s.Flag, cell(s.Help))
	}
	b.WriteString("\n")
}

// list is a list or map of the config file, described by its element's
// struct (nil for a map of text).
type list struct {
	path, doc string
	elem      reflect.Type
	dir       string // the package directory holding elem's declaration
}

func writeLists(b *strings.Builder, root string) error {
	b.WriteString("## Lists and maps\n\n")
	b.WriteString("Set in the file only.\n\n")
	lists := []list{
		{path: "sources[]", elem: reflect.TypeFor[config.Source](), dir: "config",
			doc: "The discovery sources, one entry per instance. Besides the keys below, an entry takes its type's own settings ([Source types](#source-types))."},
		{path: "netbox.custom_fields[]", elem: reflect.TypeFor[config.CustomField](), dir: "config",
			doc: "Record attributes written to further NetBox custom fields, which the agent creates when they are missing."},
		{path: "netbox.adopt_kinds", dir: "config",
			doc: "A map from a kind (`device`, `virtual_machine`, `ip_address`) to `never`, `report` or `auto`, overriding `netbox.adopt` for that kind ([merge.md](merge.md#objects-made-by-hand-adoption))."},
		{path: "netbox.on_manual_edit_fields", dir: "config",
			doc: "A map from a field (`description`) or a kind and field (`device.serial`, which wins) to `keep`, `overwrite` or `report`, overriding `netbox.on_manual_edit` for that field."},
	}
	for _, l := range lists {
		fmt.Fprintf(b, "### `%s`\n\n%s\n\n", l.path, l.doc)
		if l.elem == nil {
			continue
		}
		docs, err := fieldDocs(root, l.dir, l.elem.Name())
		if err != nil {
			return err
		}
		b.WriteString("| key | type | meaning |\n| --- | --- | --- |\n")
		fields := yamlFields(l.elem)
		for _, f := range fields {
			fmt.Fprintf(b, "| `%s` | %s | %s |\n", f.key, typeName(f.typ), cell(docs.of(f, fields)))
		}
		b.WriteString("\n")
	}
	return nil
}

func writeSecrets(b *strings.Builder) {
	b.WriteString("## Secrets\n\n")
	b.WriteString("Never in the file: each comes from its environment variable, else from the file its `_file` key names.\n\n")
	b.WriteString("| secret | variable | file key |\n| --- | --- | --- |\n")
	for _, s := range []struct{ what, env, key string }{
		{"NetBox API token", config.EnvNetBoxToken, "netbox.token_file"},
		{"Temporal API key", config.EnvTemporalAPIKey, "temporal.api_key_file"},
		{"payload encryption keys", config.EnvEncryptionKeys, "temporal.encryption.keys_file"},
		{"codec server bearer tokens", config.EnvCodecServerToken, "codec_server.token_file"},
		{"secret `S` of source `N`", config.EnvPrefix + "SOURCES_<N>_<S>", "`S_file` in the source's entry"},
	} {
		fmt.Fprintf(b, "| %s | `%s` | %s |\n", s.what, s.env, code(s.key))
	}
	b.WriteString("\nThe secrets each source type reads are listed with its settings below.\n\n")
}

// code renders a value as inline code, or "(none)".
func code(v string) string {
	if v == "" {
		return "(none)"
	}
	if strings.HasPrefix(v, "`") {
		return v
	}
	return "`" + v + "`"
}

// cell makes text fit a table cell: one line, pipes escaped.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}
