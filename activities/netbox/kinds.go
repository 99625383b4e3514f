package netbox

import (
	"encoding/json"
	"fmt"
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

// kindSpec is everything the generic path needs to know about one kind.
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

	checkCreate func([]byte) error // decodes a create body into go-netbox's request model
	checkUpdate func([]byte) error // decodes an update body into go-netbox's patch model

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

// specs holds the kinds the engine writes, filled by the family files.
var specs = map[inventory.Kind]*kindSpec{}

// specOrder lists specs in dependency order (inventory.Kinds).
var specOrder []*kindSpec

// objectTypeKinds maps a content type back to its kind.
var objectTypeKinds = map[string]inventory.Kind{}

// register adds one family's kinds to the table; the family files call it
// from init so that the table is complete before any plan is made.
func register(list ...*kindSpec) {
	for _, s := range list {
		s.fieldIndex = make(map[string]*field, len(s.Fields))
		for i := range s.Fields {
			s.fieldIndex[s.Fields[i].Name] = &s.Fields[i]
		}
		s.kept = s.keptFields()
		specs[s.Kind] = s
		objectTypeKinds[s.ObjectType] = s.Kind
	}
	specOrder = specOrder[:0]
	for _, k := range inventory.Kinds {
		if s, ok := specs[k]; ok {
			s.order = k.Order()
			specOrder = append(specOrder, s)
		}
	}
	// A reference to a kind written at the same step or later can only be
	// set once its target exists: mark it late.
	for _, s := range specOrder {
		for i := range s.Fields {
			f := &s.Fields[i]
			for _, t := range f.Targets {
				if f.isRef() && !f.KeyOnly && t.Order() >= s.Kind.Order() {
					f.Late = true
				}
			}
		}
	}
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

// Field helpers keep the family tables short.

func str(name string) field { return field{Name: name, Type: typeString} }

// choice is a choice field; probe is a value go-netbox v4.3.0's enum knows,
// which stands in for the real value when a body is checked against
// go-netbox's request model (requestCheck).
func choice(name, probe string) field { return field{Name: name, Type: typeChoice, Probe: probe} }
func integer(name string) field {
	return field{Name: name, Type: typeInt}
}
func boolean(name string) field { return field{Name: name, Type: typeBool} }
func slug(from string) field    { return field{Name: "slug", Type: typeSlug, SlugFrom: from} }
func ref(name string, targets ...inventory.Kind) field {
	return field{Name: name, Type: typeRef, Targets: targets}
}
func requiredRef(name string, targets ...inventory.Kind) field {
	return field{Name: name, Type: typeRef, Targets: targets, Required: true}
}
func generic(attr, typeField, idField string, required bool, targets ...inventory.Kind) field {
	return field{Name: idField, Attr: attr, Type: typeGeneric, TypeField: typeField, Targets: targets, Required: required}
}
