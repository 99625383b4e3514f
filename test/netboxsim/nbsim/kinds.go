package nbsim

import (
	"fmt"
	"sort"
	"strings"
)

// onDelete is what deleting a referenced object does to the objects referring to it, as in
// Django's on_delete.
type onDelete int

const (
	setNull onDelete = iota
	cascade
	protect
)

// relation is a foreign key or many-to-many field. Target is an endpoint path; empty means the
// target kind is not emulated, so no value but null (or an empty list) is valid.
type relation struct {
	Target   string
	OnDelete onDelete
}

// genericRelation is a NetBox GenericForeignKey: a (type, id) pair of fields pointing to one of
// several kinds, rendered under Render.
type genericRelation struct {
	Name      string            // index name, e.g. "assigned_object"
	TypeField string            // e.g. "assigned_object_type"
	IDField   string            // e.g. "assigned_object_id"
	Render    string            // e.g. "assigned_object"
	Targets   map[string]string // object type -> endpoint
	Required  bool
}

func (g genericRelation) key(o *object) string {
	t, _ := o.Fields[g.TypeField].(string)
	id := o.id(g.IDField)
	if t == "" || id == 0 {
		return ""
	}
	return t + ":" + itoa(id)
}

// uniqueRule is a uniqueness constraint. Rules on one field model Django's unique=True (checked by
// DRF, keyed by the field); others model a UniqueConstraint (checked by full_clean, keyed
// "__all__"). Lower names the field compared case-insensitively; IfNull and IfSet make the rule
// conditional (a constraint's condition) on those fields being null, or set.
type uniqueRule struct {
	Fields     []string
	NullsEqual bool // a null field is one value, as nulls_distinct=False says
	Lower      string
	IfNull     []string
	IfSet      string
	Message    string
	Key        string
}

// key returns the composite key of o under the rule; ok is false when the rule does not apply
// (a null field never conflicts, as in SQL).
func (r uniqueRule) key(o *object) (string, bool) {
	for _, f := range r.IfNull {
		if o.Fields[f] != nil {
			return "", false
		}
	}
	if r.IfSet != "" && o.Fields[r.IfSet] == nil {
		return "", false
	}
	var b strings.Builder
	for _, f := range r.Fields {
		v, ok := o.Fields[f]
		if (!ok || v == nil) && !r.NullsEqual {
			return "", false
		}
		s := scalarString(v)
		if f == r.Lower {
			s = strings.ToLower(s)
		}
		b.WriteString(s)
		b.WriteByte(0)
	}
	return b.String(), true
}

// counter computes a read-only count field: the number of objects of Endpoint whose Field
// (an index name) refers to the object.
type counter struct {
	Endpoint string
	Field    string
	Generic  string // object type prefix for generic index keys, e.g. "dcim.interface"
}

// kindSpec describes one emulated endpoint: which openapi schemas it renders and accepts, its
// relations, defaults, uniqueness, indexes and the few rules no table can express.
type kindSpec struct {
	Endpoint    string // "dcim/devices"
	ObjectType  string // "dcim.device"
	ModelName   string // Django's object_name, for 404 bodies
	Verbose     string // Django's verbose_name
	Schema      string
	Request     string
	Brief       string   // brief schema, when go-netbox has one
	BriefFields []string // brief fields otherwise
	Defaults    map[string]any
	Relations   map[string]onDelete // on_delete overrides; default set null
	Labels      map[string]string   // field verbose names for unique messages
	Unique      []uniqueRule
	Indexed     []string
	Search      []string // fields that q searches (icontains)
	IExact      []string // fields whose plain filter ignores case (lookup_expr='iexact')
	Generic     []genericRelation
	Counts      map[string]counter
	// IndexNormalize maps a field to the normaliser of its index keys (and filter values).
	IndexNormalize map[string]func(any) string
	Display        func(v *view, o *object) string
	// Validate runs the serializer's validate() once every field is valid; body is the request.
	Validate func(t *tx, body map[string]any, o, old *object, errs fieldErrors)
	// Clean runs NetBox's model clean() rules after field validation.
	Clean func(v *view, o, old *object, errs fieldErrors)
	// Computed renders read-only fields that depend on other objects.
	Computed map[string]func(v *view, o *object) any
	// After runs NetBox's post-save and post-delete signals (o is nil after a delete).
	After func(t *tx, o, old *object)

	relations map[string]relation // derived from the schema: FK fields
	m2m       map[string]relation // derived from the schema: list-of-FK fields
	schema    *schemaSpec
	request   *schemaSpec
}

// nestedKinds maps the names of brief and nested schemas to the endpoint they render.
var nestedKinds = map[string]string{
	"NestedTag": "extras/tags", "NestedLocation": "dcim/locations", "NestedDeviceRole": "dcim/device-roles",
	"NestedDevice": "dcim/devices", "NestedInterface": "dcim/interfaces", "NestedIPAddress": "ipam/ip-addresses",
	"NestedVMInterface": "virtualization/interfaces", "NestedVirtualMachine": "virtualization/virtual-machines",
	"IPAddress": "ipam/ip-addresses", "NestedPlatform": "dcim/platforms", "VLAN": "ipam/vlans",
}

// catalog is the registry of emulated kinds, built once.
type catalog struct {
	rel      release
	schemas  schemaRegistry
	kinds    map[string]*kindSpec // by endpoint
	byType   map[string]*kindSpec // by object type
	order    []string             // endpoints, sorted
	byBrief  map[string]string    // brief schema -> endpoint
	incoming map[string][]incomingRef
}

// incomingRef is a relation from another kind into one kind, used by deletes and counts.
type incomingRef struct {
	From     string // endpoint
	Field    string
	OnDelete onDelete
	Generic  *genericRelation
	M2M      bool
}

func newCatalog(rel release, reg schemaRegistry, specs []*kindSpec) (*catalog, error) {
	c := &catalog{rel: rel, schemas: reg, kinds: map[string]*kindSpec{}, byType: map[string]*kindSpec{}, byBrief: map[string]string{},
		incoming: map[string][]incomingRef{}}
	for _, k := range specs {
		c.kinds[k.Endpoint] = k
		c.byType[k.ObjectType] = k
		c.order = append(c.order, k.Endpoint)
		if k.Brief != "" {
			c.byBrief[k.Brief] = k.Endpoint
		}
	}
	sort.Strings(c.order)
	for n, e := range nestedKinds {
		c.byBrief[n] = e
	}
	for _, k := range specs {
		if err := c.resolve(k); err != nil {
			return nil, fmt.Errorf("kind %s: %w", k.Endpoint, err)
		}
	}
	return c, nil
}

// resolve derives k's relations from its schemas: every writable property referring to another
// object is a foreign key, every writable list of such references a many-to-many field.
func (c *catalog) resolve(k *kindSpec) error {
	k.schema = c.schemas[k.Schema]
	k.request = c.schemas[k.Request]
	if k.schema == nil || k.request == nil {
		return fmt.Errorf("schemas %s/%s missing", k.Schema, k.Request)
	}
	if k.Brief != "" && c.schemas[k.Brief] == nil {
		return fmt.Errorf("brief schema %s missing", k.Brief)
	}
	k.relations = map[string]relation{}
	k.m2m = map[string]relation{}
	for _, p := range k.schema.Properties {
		if p.ReadOnly || k.request.props[p.Name] == nil {
			continue
		}
		switch {
		case p.Type == "ref":
			rel := relation{Target: c.byBrief[p.Ref], OnDelete: k.Relations[p.Name]}
			k.relations[p.Name] = rel
			if rel.Target != "" {
				c.incoming[rel.Target] = append(c.incoming[rel.Target], incomingRef{From: k.Endpoint, Field: p.Name, OnDelete: rel.OnDelete})
			}
		case p.Type == "array" && p.Items != nil && p.Items.Type == "ref":
			rel := relation{Target: c.byBrief[p.Items.Ref]}
			k.m2m[p.Name] = rel
			if rel.Target != "" {
				c.incoming[rel.Target] = append(c.incoming[rel.Target], incomingRef{From: k.Endpoint, Field: p.Name, M2M: true})
			}
		}
	}
	for i := range k.Generic {
		g := &k.Generic[i]
		for _, target := range g.Targets {
			c.incoming[target] = append(c.incoming[target], incomingRef{From: k.Endpoint, Field: g.Name, OnDelete: cascade, Generic: g})
		}
	}
	return nil
}

// catalogs holds one catalog per emulated release, by version name; built once, never written.
var catalogs = mustCatalogs()

func mustCatalogs() map[string]*catalog {
	out := map[string]*catalog{}
	for _, r := range releases() {
		reg, err := schemasFor(schemas, r)
		if err != nil {
			panic(err)
		}
		c, err := newCatalog(r, reg, kindSpecs(r))
		if err != nil {
			panic(fmt.Errorf("netbox %s: %w", r.name(), err))
		}
		out[r.name()] = c
	}
	return out
}
