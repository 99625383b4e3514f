// Package fileschema makes the JSON schema of inventory files, the YAML
// and JSON files the filesystem source reads (docs/inventory-files.md),
// and that page's table of fields, from the kind declarations. Editors use
// the schema to check and complete files. The committed copies are
// docs/inventory-file.schema.json and the table in docs/inventory-files.md;
// a test fails when either differs from what the declarations make.
package fileschema

//go:generate go run ./gen ../../../docs/inventory-file.schema.json ../../../docs/inventory-files.md

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// object is one JSON schema (or part of one); encoding/json writes its keys
// sorted, so the output is stable.
type object = map[string]any

// Generate returns the schema, indented, with a final newline.
func Generate() ([]byte, error) {
	defs := valueDefs()
	decls := inventory.Declarations()
	sections := object{"records": object{"$ref": "#/$defs/records"}}
	var kinds []string
	var cases []any
	for _, d := range decls {
		defs[string(d.Kind)] = kindSchema(defs, d, false)
		if len(d.Nested) > 0 {
			defs[nestedDef(d.Kind)] = kindSchema(defs, d, true)
		}
		sections[d.Section] = nullable(object{"type": "array", "items": ref(string(d.Kind))})
		names := []string{string(d.Kind), d.Section}
		kinds = append(kinds, names...)
		cases = append(cases, object{
			"if":   object{"properties": object{"kind": object{"enum": names}}, "required": []string{"kind"}},
			"then": ref(string(d.Kind)),
		})
	}
	defs["sections"] = object{"type": "object", "properties": sections, "additionalProperties": false,
		"description": "A file of sections, one list per kind, and records: a list of records that say their kind."}
	defs["records"] = nullable(object{"type": "array", "items": ref("record")})
	defs["record"] = object{"type": "object", "required": []string{"kind"},
		"properties": object{"kind": object{"enum": kinds}}, "allOf": cases,
		"description": "A record that says its kind: kind: device."}
	schema := object{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     "https://github.com/netbox-agent/netbox-agent/docs/inventory-file.schema.json",
		"title":   "netbox-agent inventory file",
		"description": "A YAML or JSON inventory file of the filesystem source (docs/inventory-files.md). " +
			"Generated from the kind declarations in activities/inventory by go generate: do not edit.",
		"anyOf": []any{ref("sections"), ref("records")},
		"$defs": defs,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(schema); err != nil {
		return nil, fmt.Errorf("encode inventory-file schema: %w", err)
	}
	return b.Bytes(), nil
}

// kindSchema is the schema of one record of d: at the top level, where it
// names the record it belongs to, or nested inside that record.
func kindSchema(defs object, d *inventory.Decl, nested bool) object {
	props := object{"key": ref("key")}
	if !nested {
		props["kind"] = object{"enum": []string{string(d.Kind), d.Section}}
	}
	var required []string
	for i := range d.Fields {
		f := &d.Fields[i]
		switch {
		case !f.InFiles() || f.Name == d.Parent || nested && f.Name == d.NestedVia():
			continue
		case f.IsRef():
			props[f.Name] = refSchema(f)
			if f.QualifiedBy != "" {
				props[f.QualifiedBy] = object{"$ref": "#/$defs/ref",
					"description": fmt.Sprintf("Whose %s it is: the %s's %s.", f.Name, f.QualifiedBy, f.QualifiedBy)}
			}
		default:
			props[f.Name] = fieldSchema(defs, d, f)
		}
		// The site may come from the source's default_site.
		if f.Required && f.Name != "site" {
			required = append(required, f.Name)
		}
	}
	if d.Parent != "" && !nested {
		for k, v := range ownerProps(d) {
			props[k] = v
		}
	}
	for name, child := range children(d.Kind) {
		item := object{"anyOf": []any{ref("scalar"), ref(nestedDef(child))}}
		props[name] = nullable(object{"anyOf": []any{object{"type": "array", "items": item}, item}})
	}
	out := object{"type": "object", "description": d.Doc, "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// ownerProps are the fields by which a top-level record names the device
// or VM it belongs to, and the interface when it belongs to one.
func ownerProps(d *inventory.Decl) object {
	out := object{}
	hosts := inventory.HostsOf(d.Kind)
	for _, h := range hosts {
		out[string(h)] = object{"$ref": "#/$defs/ref", "description": fmt.Sprintf("The %s it belongs to.", h)}
	}
	if p := d.Field(d.Parent); p.Targets[0].Decl().Parent != "" {
		out["interface"] = nullable(object{"$ref": "#/$defs/scalar",
			"description": "The name of the interface it is on, with the device or virtual_machine."})
	}
	return out
}

// children maps the lists nested in a record of kind k to their kinds.
func children(k inventory.Kind) map[string]inventory.Kind {
	out := map[string]inventory.Kind{}
	for _, d := range inventory.Declarations() {
		if len(d.Nested) == 0 || !slices.Contains(d.Field(d.NestedVia()).Targets, k) {
			continue
		}
		for _, n := range d.Nested {
			out[n] = d.Kind
		}
	}
	return out
}

func refSchema(f *inventory.Field) object {
	targets := make([]string, len(f.Targets))
	for i, t := range f.Targets {
		targets[i] = string(t)
	}
	where := ""
	if f.SameHost {
		where = ", among the same device's or VM's own"
	}
	return object{"$ref": "#/$defs/ref",
		"description": fmt.Sprintf("A %s by name%s, or {key: ...}.", targets[0], where)}
}

func nestedDef(k inventory.Kind) string { return string(k) + "-nested" }

func ref(def string) object { return object{"$ref": "#/$defs/" + def} }

// nullable lets a field be given empty (`serial:`), which reads as absent.
func nullable(s object) object { return object{"anyOf": []any{s, object{"type": "null"}}} }
