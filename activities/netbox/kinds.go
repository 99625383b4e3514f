package netbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// fieldType says how a managed field is read, compared and written.
type fieldType int

const (
	typeString     fieldType = iota // free text, trimmed
	typeChoice                      // NetBox answers {"value", "label"}, takes the value
	typeInt                         // integer
	typeFloat                       // decimal (vcpus, u_height)
	typeBool                        // boolean
	typeSlug                        // the record's slug, or the slug of SlugFrom
	typeMAC                         // MAC address, compared in lower-case colon form
	typeIP                          // IP address with prefix length
	typeColor                       // six hex digits, compared in lower case
	typeIntList                     // list of integers (ports)
	typeRef                         // foreign key to a record of one of Targets
	typeGeneric                     // generic foreign key: TypeField holds the object type, Name the id
	typeChoiceList                  // list of choice values (multiselect custom fields), compared as a set
)

// field is one NetBox field the agent manages or reads for matching.
type field struct {
	Name    string           // NetBox field; for a generic key the id field (assigned_object_id)
	Attr    string           // record attribute or reference; defaults to Name
	Type    fieldType        //
	Targets []inventory.Kind // kinds a reference may point to
	// TypeField holds the object type of a generic key (assigned_object_type).
	TypeField string
	// SlugFrom names the attribute a slug is derived from when the record has none.
	SlugFrom string
	// Required refs that cannot be resolved make the record unplannable.
	Required bool
	// KeyOnly fields are read for natural keys and never written (vrf).
	KeyOnly bool
	// Late fields point to kinds written after this one (primary IPs and MACs,
	// parent interfaces): they are set by an update after those exist.
	Late bool
	// Derive computes the reference when the record does not name it.
	Derive func(p *planner, st *recState) string
	// SameHost references must point to a part of the record's own device
	// or virtual machine (a primary IP, a parent interface): NetBox refuses
	// any other.
	SameHost bool
	// Probe is, for a choice, a value go-netbox's enum knows (choice).
	Probe string
}

func (f *field) attr() string {
	if f.Attr != "" {
		return f.Attr
	}
	return f.Name
}

func (f *field) isRef() bool { return f.Type == typeRef || f.Type == typeGeneric }

// candidateQuery fetches the NetBox objects that may match records the agent
// does not know yet: one filter parameter fed with the value of one field.
type candidateQuery struct {
	Param string // filter parameter (name, serial, device_id)
	Field string // field whose desired value feeds the filter
	// ParamFor chooses the parameter by object type for generic keys.
	ParamFor map[string]string
}

// kindSpec is everything the generic path needs to know about one kind:
// its declaration (inventory.Decl) in the engine's terms, and the extras.
type kindSpec struct {
	Kind       inventory.Kind
	Endpoint   string // API path below /api/, without slashes at the ends
	ObjectType string // content type, for custom fields and generic keys
	Fields     []field
	// NaturalKeys are tried in order; each lists fields whose values together
	// identify an object (name; manufacturer+model; device+name).
	NaturalKeys [][]string
	// ScopedKeys replace NaturalKeys on the NetBox releases Scoped names,
	// where the kind's uniqueness moved to other fields.
	ScopedKeys  [][]string
	Scoped      func(Version) bool
	MatchSerial bool // devices: match by serial before natural keys
	MatchMAC    bool // match by the MAC of the record's own or child interfaces
	// FetchAll reads the whole list: shared kinds are few and unique by name
	// and slug, so a full read is the cheapest correct prefetch.
	FetchAll   bool
	Candidates []candidateQuery
	// OrphanStatus is the status an orphan gets; "" when the kind has none.
	OrphanStatus string
	// CreateDefaults fill fields NetBox requires on create when no source knows them.
	CreateDefaults map[string]any
	// BatchByParent names the reference to the parent whose objects of this
	// kind must be written in one batch ("" for most kinds): NetBox sums
	// them into the parent on every save, reading what is committed, so two
	// batches of one parent's objects applied at once leave it a wrong sum
	// that refuses the parent's next update.
	BatchByParent string

	checkCreate func([]byte) error
	checkUpdate func([]byte) error

	fieldIndex map[string]*field
	kept       map[string]bool // the fields slim keeps
	order      int
}

func (s *kindSpec) field(name string) *field { return s.fieldIndex[name] }

// naturalKeys are the kind's natural keys on NetBox release v.
func (s *kindSpec) naturalKeys(v Version) [][]string {
	if s.Scoped != nil && s.Scoped(v) {
		return s.ScopedKeys
	}
	return s.NaturalKeys
}

// hasStatus reports whether orphans of this kind get a status.
func (s *kindSpec) hasStatus() bool { return s.OrphanStatus != "" }

// extras are what the engine needs of a kind beyond its declaration: how
// it checks request bodies, finds candidates to match, marks orphans and
// fills what NetBox requires on create. The family files (kinds_dcim.go,
// kinds_ipam.go, kinds_virtualization.go) hold them.
type extras struct {
	checkCreate func([]byte) error // decodes a create body into go-netbox's request model
	checkUpdate func([]byte) error // decodes an update body into go-netbox's patch model
	candidates  []candidateQuery
	// orphanStatus is the status an orphan gets; "" when the kind has none.
	orphanStatus   string
	createDefaults map[string]any
	// scopedFrom names the NetBox releases on which the kind's key holds its
	// scope; on older ones the name alone is unique (platforms before 4.4).
	scopedFrom func(Version) bool
	// batchByParent keeps one parent's objects in one batch (kindSpec.BatchByParent).
	batchByParent bool
}

// specs holds the kinds the engine writes, made from their declarations.
var specs = newSpecs()

// specOrder lists specs in write order (inventory.Declarations).
var specOrder = func() []*kindSpec {
	out := make([]*kindSpec, 0, len(specs))
	for _, k := range inventory.Kinds() {
		if s, ok := specs[k]; ok {
			out = append(out, s)
		}
	}
	return out
}()

// newSpecs makes the engine's table from the kinds' declarations and the
// families' extras.
func newSpecs() map[inventory.Kind]*kindSpec {
	x := dcimExtras()
	maps.Copy(x, ipamExtras())
	maps.Copy(x, virtualizationExtras())
	out := make(map[inventory.Kind]*kindSpec, len(x))
	for _, d := range inventory.Declarations() {
		e, ok := x[d.Kind]
		if !ok {
			continue
		}
		s := newSpec(d, e)
		s.fieldIndex = make(map[string]*field, len(s.Fields))
		for i := range s.Fields {
			s.fieldIndex[s.Fields[i].Name] = &s.Fields[i]
		}
		s.kept = s.keptFields()
		out[d.Kind] = s
	}
	// A reference to a kind written at the same step or later can only be
	// set once its target exists: mark it late.
	for _, s := range out {
		for i := range s.Fields {
			f := &s.Fields[i]
			for _, t := range f.Targets {
				if f.isRef() && !f.KeyOnly && t.Order() >= s.Kind.Order() {
					f.Late = true
				}
			}
		}
	}
	return out
}

// newSpec maps one declaration: the fields the agent writes or matches by,
// the natural keys in NetBox's field names, and how it is matched.
func newSpec(d *inventory.Decl, e extras) *kindSpec {
	s := &kindSpec{Kind: d.Kind, Endpoint: d.NetBox.Endpoint, ObjectType: d.NetBox.ObjectType,
		FetchAll: d.Shared, Candidates: e.candidates, OrphanStatus: e.orphanStatus,
		CreateDefaults: e.createDefaults, checkCreate: e.checkCreate, checkUpdate: e.checkUpdate,
		MatchMAC: inventory.HoldsMACs(d.Kind) || macParents[d.Kind] != (macParent{}),
		order:    d.Order()}
	if e.batchByParent {
		s.BatchByParent = d.Parent
	}
	for i := range d.Fields {
		f := &d.Fields[i]
		if f.Use == inventory.UseInventory || f.Type == inventory.TypeTags {
			continue // tags are written with the agent's own (tags.go)
		}
		s.Fields = append(s.Fields, fieldOf(d, f))
		s.MatchSerial = s.MatchSerial || f.Identifies
	}
	key := make([]string, len(d.Key))
	for i, name := range d.Key {
		key[i] = d.Field(name).NetBoxField()
	}
	keys := [][]string{key}
	if d.Field("slug") != nil {
		bySlug := slices.Clone(key)
		bySlug[slices.Index(d.Key, d.Name)] = "slug"
		keys = append(keys, bySlug)
	}
	s.NaturalKeys = keys
	if e.scopedFrom != nil {
		s.ScopedKeys, s.Scoped = keys, e.scopedFrom
		s.NaturalKeys = unscoped(d, keys)
	}
	return s
}

// unscoped drops the references from natural keys.
func unscoped(d *inventory.Decl, keys [][]string) [][]string {
	out := make([][]string, len(keys))
	for i, k := range keys {
		for _, name := range k {
			if f := d.Field(name); f == nil || !f.IsRef() {
				out[i] = append(out[i], name)
			}
		}
	}
	return out
}

// fieldOf maps a declared field to how the engine reads, compares and writes it.
func fieldOf(d *inventory.Decl, f *inventory.Field) field {
	out := field{Name: f.NetBoxField(), Targets: f.Targets, Required: f.Required && f.IsRef(),
		KeyOnly: f.Use == inventory.UseMatch, Derive: deriver(f.Name), SameHost: f.SameHost}
	if f.NetBoxName != "" {
		out.Attr = f.Name
	}
	switch f.Type {
	case inventory.TypeSlug:
		out.Type, out.SlugFrom = typeSlug, d.Name
	case inventory.TypeChoice:
		// Any value go-netbox's enum knows stands in for the real value when
		// a body is checked against go-netbox's request model (requestCheck).
		out.Type, out.Probe = typeChoice, f.Choices[0]
	case inventory.TypeInt, inventory.TypeMegabytes:
		out.Type = typeInt
	case inventory.TypeNumber:
		out.Type = typeFloat
	case inventory.TypeBool:
		out.Type = typeBool
	case inventory.TypeMAC:
		out.Type = typeMAC
	case inventory.TypeIP:
		out.Type = typeIP
	case inventory.TypeColor:
		out.Type = typeColor
	case inventory.TypePorts:
		out.Type = typeIntList
	case inventory.TypeRef:
		out.Type = typeRef
		if f.NetBoxTypeField != "" {
			out.Type, out.TypeField = typeGeneric, f.NetBoxTypeField
		}
	default:
		out.Type = typeString
	}
	return out
}

// specFor returns the spec of kind k, or nil when the engine does not write k.
func specFor(k inventory.Kind) *kindSpec { return specs[k] }

// Kinds lists the kinds the engine writes, in dependency order.
func Kinds() []inventory.Kind {
	out := make([]inventory.Kind, len(specOrder))
	for i, s := range specOrder {
		out[i] = s.Kind
	}
	return out
}

// objectTypes lists the content types of every kind, sorted.
func objectTypes() []string {
	out := make([]string, 0, len(specs))
	for _, s := range specs {
		out = append(out, s.ObjectType)
	}
	sort.Strings(out)
	return out
}

// decodeAs checks that data decodes into go-netbox's model T, which
// rejects missing required fields and wrong types.
func decodeAs[T any]() func([]byte) error {
	return func(data []byte) error {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("decode %T: %w", v, err)
		}
		return nil
	}
}

// macParentsOf derives macParents from the declarations: each kind whose
// records hold MACs (interfaces) finds the kinds its parent reference
// points to (devices, VMs).
func macParentsOf() map[inventory.Kind]macParent {
	out := map[inventory.Kind]macParent{}
	for _, d := range inventory.Declarations() {
		if !inventory.HoldsMACs(d.Kind) {
			continue
		}
		for _, host := range d.Field(d.Parent).Targets {
			out[host] = macParent{ifaceKind: d.Kind, ifaceType: d.NetBox.ObjectType, parentField: d.Parent}
		}
	}
	return out
}
