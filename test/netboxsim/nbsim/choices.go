package nbsim

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// choicesJSON holds NetBox's own choice sets, as each release defines them, wherever they
// differ from the go-netbox v4.3.0 schema the emulator starts from. They were read from the
// ChoiceSet classes of dcim/choices.py, ipam/choices.py, virtualization/choices.py and
// extras/choices.py at each release's tag ("source"): "fields" names the schema properties each
// set fills, "releases" the sets per release, every one as [value, label] pairs in NetBox's
// order.
//
//go:embed choices.json
var choicesJSON []byte

type choiceFile struct {
	Fields   map[string][]string `json:"fields"`
	Releases map[string]struct {
		Source string                 `json:"source"`
		Sets   map[string][][2]string `json:"sets"`
	} `json:"releases"`
}

// schemasFor returns the schema registry of release r: the base schemas with the release's
// choice sets in place of go-netbox's enums, and its other schema changes (schemaChanges).
func schemasFor(base schemaRegistry, r release) (schemaRegistry, error) {
	var file choiceFile
	if err := json.Unmarshal(choicesJSON, &file); err != nil {
		return nil, fmt.Errorf("decode choices: %w", err)
	}
	rel, ok := file.Releases[r.name()]
	if !ok {
		return nil, fmt.Errorf("choices: no release %s", r.name())
	}
	reg := make(schemaRegistry, len(base))
	for name, s := range base {
		reg[name] = s
	}
	cloned := map[string]bool{}
	for set, choices := range rel.Sets {
		fields, ok := file.Fields[set]
		if !ok {
			return nil, fmt.Errorf("choices %s: no fields", set)
		}
		for _, f := range fields {
			schema, prop, _ := strings.Cut(f, ".")
			s := reg[schema]
			if s == nil {
				return nil, fmt.Errorf("choices %s: no schema %s", set, schema)
			}
			if !cloned[schema] {
				s = s.clone()
				reg[schema] = s
				cloned[schema] = true
			}
			p := s.props[prop]
			if p == nil {
				return nil, fmt.Errorf("choices %s: no property %s", set, f)
			}
			if err := p.setChoices(choices); err != nil {
				return nil, fmt.Errorf("choices %s: %s: %w", set, f, err)
			}
		}
	}
	if err := applySchemaChanges(reg, r); err != nil {
		return nil, err
	}
	return reg, nil
}

// clone copies s deeply enough that its properties can be changed.
func (s *schemaSpec) clone() *schemaSpec {
	c := &schemaSpec{Name: s.Name, Required: s.Required, required: s.required, props: map[string]*propSpec{}}
	c.Properties = slices.Clone(s.Properties)
	for i := range c.Properties {
		c.props[c.Properties[i].Name] = &c.Properties[i]
	}
	return c
}

// setChoices replaces the property's enum with choices, keeping a blank value where it had one.
func (p *propSpec) setChoices(choices [][2]string) error {
	blank := slices.Contains(p.Enum, any(""))
	enum := make([]any, 0, len(choices)+1)
	labels := make([]string, 0, len(choices))
	for _, c := range choices {
		enum = append(enum, c[0])
		labels = append(labels, c[1])
	}
	if blank {
		enum = append(enum, "")
	}
	p.Enum = enum
	if p.Choice || p.Labels != nil {
		p.Labels = labels
	}
	return p.prepare()
}

// choiceList is a property's choices as DRF's OPTIONS metadata lists them: value and
// display_name, blank first where the field allows it (netbox/api/fields.py ChoiceField).
func (p *propSpec) choiceList(labels map[string]string) []map[string]any {
	out := make([]map[string]any, 0, len(p.Enum))
	for _, v := range p.Enum {
		s := fmt.Sprint(v)
		if s == "" {
			continue
		}
		out = append(out, map[string]any{"value": v, "display_name": labels[s]})
	}
	return out
}
