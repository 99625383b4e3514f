package nbsim

import (
	"fmt"
	"maps"
	"slices"
)

// The schema changes of each release beyond its choice sets, and the corrections of
// go-netbox's openapi.yaml where NetBox's serializers say otherwise.

// schemaChange is one change to the schemas of the releases that have it.
type schemaChange struct {
	since   int      // the first minor release with the change
	before  int      // the first minor release without it again; 0 for none
	schemas []string // the schemas it changes
	// required makes these fields required: go-netbox's openapi.yaml marks them optional,
	// but NetBox's serializer declares them without required=False.
	required []string
	// optional makes these fields optional, nullable lets them be null.
	optional, nullable []string
	// after adds props after the property named after; remove drops properties.
	after  string
	props  []propSpec
	remove []string
	// define adds a schema of the release's own (a nested form go-netbox v4.3.0 lacks).
	define *schemaSpec
	// order puts the properties in this order, any others after them.
	order []string
}

// schemaChanges lists the changes, oldest first.
func schemaChanges() []schemaChange {
	one, most := 1.0, 1024.0 // INTERFACE_CHANNELS_MIN and _MAX (dcim/constants.py)
	channel := func(name string) propSpec {
		return propSpec{Name: name, Type: "integer", Nullable: true, Minimum: &one, Maximum: &most}
	}
	changes := []schemaChange{
		// extras/api/serializers_/customfields.py: type = ChoiceField(choices=CustomFieldTypeChoices)
		{since: 3, schemas: []string{"WritableCustomFieldRequest"}, required: []string{"type"}},
		// ipam/api/serializers_/services.py up to 4.6: protocol = ChoiceField(..., required=False),
		// the model then refusing it blank (cleanService)
		{since: 3, before: 7, schemas: []string{"WritableServiceRequest"}, optional: []string{"protocol"}},
		// dcim/models/device_components.py Interface.channels and channel_id, new in 4.7
		{since: 7, schemas: []string{"Interface", "WritableInterfaceRequest"}, after: "type",
			props: []propSpec{channel("channels"), channel("channel_id")}},
		// virtualization/models/virtualmachines.py VirtualMachine.start_on_boot, new in 4.5
		{since: 5, schemas: []string{"VirtualMachineWithConfigContext"}, after: "status", props: []propSpec{
			choiceProp("start_on_boot", false, [][2]string{{"on", "On"}, {"off", "Off"}, {"laststate", "Last State"}})}},
		{since: 5, schemas: []string{"WritableVirtualMachineWithConfigContextRequest"}, after: "status", props: []propSpec{
			choiceRequestProp("start_on_boot", false, "on", "off", "laststate")}},
		// dcim/models/devices.py DeviceType.cooling_method and Device.cooling_method, new in 4.7
		{since: 7, schemas: []string{"DeviceType", "DeviceWithConfigContext"}, after: "airflow", props: []propSpec{
			choiceProp("cooling_method", true, [][2]string{{"air", "Air"}, {"liquid", "Liquid"}, {"hybrid", "Hybrid"}, {"immersion", "Immersion"}})}},
		{since: 7, schemas: []string{"WritableDeviceTypeRequest", "WritableDeviceWithConfigContextRequest"}, after: "airflow", props: []propSpec{
			choiceRequestProp("cooling_method", true, "air", "liquid", "hybrid", "immersion")}},
		// ipam/api/serializers_/services.py: port_mappings, with the single-protocol protocol and
		// ports kept optional and null for a service of several protocols
		{since: 7, schemas: []string{"Service", "WritableServiceRequest"}, after: "name",
			props:    []propSpec{{Name: "port_mappings", Type: "array", Items: &propSpec{Type: "string", MaxLength: 63}}},
			optional: []string{"protocol", "ports"}, nullable: []string{"protocol", "ports"}},
	}
	changes = append(changes, answerFieldChanges()...)
	slices.SortStableFunc(changes, func(a, b schemaChange) int { return a.since - b.since })
	return changes
}

// choiceProp is a choice field as answers show it ({"value", "label"}); blank ones take "" and
// null.
func choiceProp(name string, blank bool, choices [][2]string) propSpec {
	p := propSpec{Name: name, Type: "choice", Choice: true, Nullable: blank}
	for _, c := range choices {
		p.Enum = append(p.Enum, c[0])
		p.Labels = append(p.Labels, c[1])
	}
	if blank {
		p.Enum = append(p.Enum, "")
	}
	return p
}

// choiceRequestProp is a choice field as requests give it: its bare value.
func choiceRequestProp(name string, blank bool, values ...string) propSpec {
	p := propSpec{Name: name, Type: "string", Nullable: blank}
	for _, v := range values {
		p.Enum = append(p.Enum, v)
	}
	if blank {
		p.Enum = append(p.Enum, "")
	}
	return p
}

// applySchemaChanges applies the changes release r has to reg, copying each schema it changes.
func applySchemaChanges(reg schemaRegistry, r release) error {
	for _, ch := range schemaChanges() {
		if !r.atLeast(ch.since) || (ch.before != 0 && r.atLeast(ch.before)) {
			continue
		}
		if d := ch.define; d != nil {
			s := &schemaSpec{Name: d.Name, Required: slices.Clone(d.Required), Properties: slices.Clone(d.Properties)}
			defined, err := s.changed(schemaChange{})
			if err != nil {
				return fmt.Errorf("schema %s: %w", d.Name, err)
			}
			reg[d.Name] = defined
		}
		for _, name := range ch.schemas {
			s := reg[name]
			if s == nil {
				return fmt.Errorf("schema change: no schema %s", name)
			}
			changed, err := s.changed(ch)
			if err != nil {
				return fmt.Errorf("schema %s: %w", name, err)
			}
			reg[name] = changed
		}
	}
	return nil
}

// changed is a copy of s with ch applied.
func (s *schemaSpec) changed(ch schemaChange) (*schemaSpec, error) {
	props := slices.Clone(s.Properties)
	if len(ch.props) > 0 {
		at := slices.IndexFunc(props, func(p propSpec) bool { return p.Name == ch.after })
		if at < 0 {
			return nil, fmt.Errorf("no property %s", ch.after)
		}
		props = slices.Insert(props, at+1, ch.props...)
	}
	props = slices.DeleteFunc(props, func(p propSpec) bool { return slices.Contains(ch.remove, p.Name) })
	if len(ch.order) > 0 {
		rank := func(p propSpec) int {
			if i := slices.Index(ch.order, p.Name); i >= 0 {
				return i
			}
			return len(ch.order)
		}
		slices.SortStableFunc(props, func(a, b propSpec) int { return rank(a) - rank(b) })
	}
	required := maps.Clone(s.required)
	if required == nil {
		required = map[string]bool{}
		for _, f := range s.Required {
			required[f] = true
		}
	}
	c := &schemaSpec{Name: s.Name, Required: slices.Clone(s.Required), Properties: props,
		props: map[string]*propSpec{}, required: required}
	for i := range c.Properties {
		p := &c.Properties[i]
		if err := p.prepare(); err != nil {
			return nil, err
		}
		c.props[p.Name] = p
	}
	for _, f := range slices.Concat(ch.required, ch.optional, ch.nullable) {
		if c.props[f] == nil {
			return nil, fmt.Errorf("no property %s", f)
		}
	}
	for _, f := range ch.required {
		c.Required = append(c.Required, f)
		c.required[f] = true
	}
	for _, f := range ch.optional {
		c.Required = slices.DeleteFunc(c.Required, func(r string) bool { return r == f })
		delete(c.required, f)
	}
	for _, f := range ch.nullable {
		c.props[f].Nullable = true
	}
	return c, nil
}
