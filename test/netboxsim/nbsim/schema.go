package nbsim

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
)

//go:generate sh -c "go run ../internal/schemagen --openapi $(go list -m -f '{{.Dir}}' github.com/netbox-community/go-netbox/v4)/api/openapi.yaml --out schema.json $(cat schema.names)"

// schemaJSON holds the subset of go-netbox's openapi.yaml that the emulator validates and renders
// with; internal/schemagen writes it.
//
//go:embed schema.json
var schemaJSON []byte

// propSpec is one property of an openapi schema.
type propSpec struct {
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Ref       string    `json:"ref,omitempty"`
	Items     *propSpec `json:"items,omitempty"`
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

	pattern *regexp.Regexp
	labels  map[string]string
}

// schemaSpec is one openapi component schema.
type schemaSpec struct {
	Name       string     `json:"name"`
	Required   []string   `json:"required"`
	Properties []propSpec `json:"properties"`

	props    map[string]*propSpec
	required map[string]bool
}

// schemaRegistry maps schema names to their specs; it is built once and never written again.
type schemaRegistry map[string]*schemaSpec

func loadSchemas(raw []byte) (schemaRegistry, error) {
	var list []*schemaSpec
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("decode schemas: %w", err)
	}
	reg := schemaRegistry{}
	for _, s := range list {
		s.props = map[string]*propSpec{}
		s.required = map[string]bool{}
		for _, r := range s.Required {
			s.required[r] = true
		}
		for i := range s.Properties {
			p := &s.Properties[i]
			if err := p.prepare(); err != nil {
				return nil, fmt.Errorf("schema %s: %w", s.Name, err)
			}
			s.props[p.Name] = p
		}
		reg[s.Name] = s
	}
	return reg, nil
}

func (p *propSpec) prepare() error {
	if p.Pattern != "" {
		re, err := regexp.Compile(p.Pattern)
		if err != nil {
			return fmt.Errorf("property %s pattern: %w", p.Name, err)
		}
		p.pattern = re
	}
	if p.Choice {
		p.labels = map[string]string{}
		li := 0
		for _, v := range p.Enum {
			key := fmt.Sprint(v)
			if key == "" {
				continue
			}
			if li < len(p.Labels) {
				p.labels[key] = p.Labels[li]
			}
			li++
		}
	}
	if p.Items != nil {
		return p.Items.prepare()
	}
	return nil
}

// allowed reports whether v is one of the property's enum values (any value when it has none).
func (p *propSpec) allowed(v string) bool {
	if len(p.Enum) == 0 {
		return true
	}
	for _, e := range p.Enum {
		if fmt.Sprint(e) == v {
			return true
		}
	}
	return false
}

var schemas = mustLoadSchemas()

func mustLoadSchemas() schemaRegistry {
	reg, err := loadSchemas(schemaJSON)
	if err != nil {
		panic(err)
	}
	return reg
}
