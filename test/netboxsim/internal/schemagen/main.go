// Command schemagen extracts the schemas netboxsim needs from the openapi.yaml that go-netbox
// ships, so that the emulator validates and renders exactly the fields, enums and limits that
// go-netbox's models expect.
//
// Usage: go run ./test/netboxsim/internal/schemagen --openapi <path> --out <schema.json> Name...
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// property is the compact form of one openapi property.
type property struct {
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Ref       string    `json:"ref,omitempty"`
	Items     *property `json:"items,omitempty"`
	Enum      []any     `json:"enum,omitempty"`
	Labels    []string  `json:"labels,omitempty"`
	Choice    bool      `json:"choice,omitempty"`
	Nullable  bool      `json:"nullable,omitempty"`
	ReadOnly  bool      `json:"read_only,omitempty"`
	MaxLength int       `json:"max_length,omitempty"`
	MinLength int       `json:"min_length,omitempty"`
	Pattern   string    `json:"pattern,omitempty"`
	Format    string    `json:"format,omitempty"`
	Minimum   *float64  `json:"minimum,omitempty"`
	Maximum   *float64  `json:"maximum,omitempty"`
}

// schema is the compact form of one openapi component schema.
type schema struct {
	Required   []string   `json:"required"`
	Properties []property `json:"properties"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run() error {
	openapi := pflag.String("openapi", "", "path of go-netbox's api/openapi.yaml")
	out := pflag.String("out", "schema.json", "output file")
	pflag.Parse()
	if *openapi == "" {
		return errors.New("--openapi is required")
	}
	raw, err := os.ReadFile(*openapi)
	if err != nil {
		return fmt.Errorf("read openapi: %w", err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]yaml.Node `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("parse openapi: %w", err)
	}
	result := map[string]schema{}
	queue := append([]string(nil), pflag.Args()...)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := result[name]; done {
			continue
		}
		node, ok := doc.Components.Schemas[name]
		if !ok {
			return fmt.Errorf("schema %q not in openapi", name)
		}
		s, refs, err := convertSchema(&node)
		if err != nil {
			return fmt.Errorf("schema %s: %w", name, err)
		}
		result[name] = s
		// Only brief and nested forms are followed: they are what a response embeds.
		for _, r := range refs {
			if strings.HasPrefix(r, "Brief") || strings.HasPrefix(r, "Nested") {
				queue = append(queue, r)
			}
		}
	}
	names := make([]string, 0, len(result))
	for n := range result {
		names = append(names, n)
	}
	sort.Strings(names)
	ordered := make([]json.RawMessage, 0, len(names))
	for _, n := range names {
		b, err := json.Marshal(struct {
			Name string `json:"name"`
			schema
		}{n, result[n]})
		if err != nil {
			return fmt.Errorf("encode %s: %w", n, err)
		}
		ordered = append(ordered, b)
	}
	body, err := json.MarshalIndent(ordered, "", " ")
	if err != nil {
		return fmt.Errorf("encode schemas: %w", err)
	}
	if err := os.WriteFile(*out, append(body, '\n'), 0o644); err != nil {
		return fmt.Errorf("write schemas: %w", err)
	}
	return nil
}

type rawProp struct {
	Type       string              `yaml:"type"`
	Ref        string              `yaml:"$ref"`
	AllOf      []rawProp           `yaml:"allOf"`
	OneOf      []rawProp           `yaml:"oneOf"`
	Items      *rawProp            `yaml:"items"`
	Enum       []any               `yaml:"enum"`
	Nullable   bool                `yaml:"nullable"`
	ReadOnly   bool                `yaml:"readOnly"`
	MaxLength  int                 `yaml:"maxLength"`
	MinLength  int                 `yaml:"minLength"`
	Pattern    string              `yaml:"pattern"`
	Format     string              `yaml:"format"`
	Minimum    *float64            `yaml:"minimum"`
	Maximum    *float64            `yaml:"maximum"`
	Properties map[string]*rawProp `yaml:"properties"`
}

func convertSchema(node *yaml.Node) (schema, []string, error) {
	var s struct {
		Required   []string  `yaml:"required"`
		Properties yaml.Node `yaml:"properties"`
	}
	if err := node.Decode(&s); err != nil {
		return schema{}, nil, fmt.Errorf("decode: %w", err)
	}
	out := schema{Required: s.Required}
	var refs []string
	// Properties keep the openapi order, which is the serializer's field order.
	for i := 0; i+1 < len(s.Properties.Content); i += 2 {
		name := s.Properties.Content[i].Value
		var rp rawProp
		if err := s.Properties.Content[i+1].Decode(&rp); err != nil {
			return schema{}, nil, fmt.Errorf("property %s: %w", name, err)
		}
		p := convertProp(name, &rp, &refs)
		out.Properties = append(out.Properties, p)
	}
	return out, refs, nil
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func convertProp(name string, rp *rawProp, refs *[]string) property {
	p := property{
		Name: name, Type: rp.Type, Nullable: rp.Nullable, ReadOnly: rp.ReadOnly,
		MaxLength: rp.MaxLength, MinLength: rp.MinLength, Pattern: rp.Pattern, Format: rp.Format,
		Minimum: rp.Minimum, Maximum: rp.Maximum, Enum: rp.Enum,
	}
	switch {
	case rp.Ref != "":
		p.Type, p.Ref = "ref", refName(rp.Ref)
	case len(rp.AllOf) > 0 && rp.AllOf[0].Ref != "":
		p.Type, p.Ref = "ref", refName(rp.AllOf[0].Ref)
	case len(rp.OneOf) > 0:
		// Request forms: an integer ID or a brief object.
		for _, o := range rp.OneOf {
			if o.Ref != "" {
				p.Ref = refName(o.Ref)
			}
			if len(o.AllOf) > 0 && o.AllOf[0].Ref != "" {
				p.Ref = refName(o.AllOf[0].Ref)
			}
		}
		p.Type = "ref"
	case rp.Type == "array" && rp.Items != nil:
		it := convertProp("", rp.Items, refs)
		p.Items = &it
	case rp.Type == "object" && rp.Properties["value"] != nil && rp.Properties["label"] != nil:
		p.Type, p.Choice = "choice", true
		p.Enum = rp.Properties["value"].Enum
		for _, l := range rp.Properties["label"].Enum {
			p.Labels = append(p.Labels, fmt.Sprint(l))
		}
		if rp.Properties["value"].Type == "integer" {
			p.Format = "integer"
		}
	}
	if p.Type == "" {
		p.Type = "any"
	}
	if p.Ref != "" {
		*refs = append(*refs, p.Ref)
	}
	return p
}
