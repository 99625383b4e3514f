package inventory

// A kind's declaration is the one place its shape is written down: its
// fields and their types, which are required, how a record of it is told
// apart from others, what it belongs to, how inventory files write it and
// where it lives in NetBox. Validation, normalisation, the merge, the
// inventory-file schema and the NetBox mapping all read it; none of them
// lists a kind's fields again.

// FieldType says what a field holds: how a source's value is normalised,
// how an inventory file writes it and how NetBox stores and compares it.
type FieldType uint8

// The field types.
const (
	TypeText      FieldType = iota // free text, trimmed
	TypeSerial                     // text in which firmware placeholders ("To be filled by O.E.M.") mean none
	TypeSlug                       // NetBox slug ([a-z0-9_-]), made from the record's name when it has none
	TypeChoice                     // one of NetBox's choice values (Field.Choices)
	TypeInt                        // whole number
	TypeMegabytes                  // whole number of MB; inventory files also take units (4G, 512M, 1.5TiB)
	TypeNumber                     // decimal number (vcpus, u_height)
	TypeBool                       // true or false
	TypeMAC                        // 48-bit MAC address, lower case with colons
	TypeIP                         // IP address with its prefix length
	TypeColor                      // six hex digits, lower case
	TypePorts                      // list of whole numbers
	TypeTags                       // list of tag names
	TypeRef                        // reference to a record of one of Field.Targets, by key
)

// Use says which parts of the pipeline read and write a field, and so
// whether the agent owns it in NetBox.
type Use uint8

// The uses of a field.
const (
	// UseOwned: sources and inventory files give it; the agent writes it to
	// NetBox and keeps it there. Most fields are owned.
	UseOwned Use = iota
	// UseDerived: the agent works it out from other records when no record
	// names it (an interface's primary MAC, its only MAC) and writes it;
	// inventory files do not take it.
	UseDerived
	// UseMatch: read from NetBox to match objects by their natural key and
	// never written; inventory files do not take it (an IP address's VRF).
	UseMatch
	// UseInventory: sources and inventory files give it and the inventory
	// keeps it, but the agent does not write it to NetBox (a cluster's comments).
	UseInventory
)

// Field declares one attribute or reference of a kind.
type Field struct {
	// Name is the attribute or reference as records carry it, NetBox's field
	// name (serial, site, mac_address).
	Name string
	// Type says what the field holds.
	Type FieldType
	// Use says who gives the field and whether the agent writes it.
	Use Use
	// Required fields make a record without them invalid (Record.Validate);
	// a required reference must also resolve for the record to be written.
	Required bool
	// Targets are the kinds a reference may point to.
	Targets []Kind
	// SameHost references point to a record of the same device or virtual
	// machine (an interface's parent, a device's primary IP).
	SameHost bool
	// Identifies a record by value: records with the same value are the same
	// thing, whichever source reports them (a device's serial).
	Identifies bool
	// Choices are the values a choice takes, as go-netbox knows them.
	Choices []string
	// OpenChoices: NetBox releases add values (interface types), so a value
	// is checked for its shape only until the plan reads the connected
	// NetBox's choices.
	OpenChoices bool
	// QualifiedBy names a field that an inventory file may give next to the
	// reference to say whose target it is (a device type's manufacturer).
	QualifiedBy string
	// NetBoxName is NetBox's field when it differs from Name: the ID field
	// of a generic key (assigned_object_id for an interface reference).
	NetBoxName string
	// NetBoxTypeField holds the object type of a generic key (assigned_object_type).
	NetBoxTypeField string
	// Min and Max bound a whole number when Max is not 0 (a VLAN's VID:
	// 1-4094); a record with a value outside is invalid.
	Min, Max int64
}

// IsRef reports whether f is a reference to other records.
func (f *Field) IsRef() bool { return f.Type == TypeRef }

// InFiles reports whether inventory files take f.
func (f *Field) InFiles() bool { return f.Use == UseOwned || f.Use == UseInventory }

// Written reports whether the agent writes f to NetBox.
func (f *Field) Written() bool { return f.Use == UseOwned || f.Use == UseDerived }

// NetBoxField is f's name in NetBox's API.
func (f *Field) NetBoxField() string {
	if f.NetBoxName != "" {
		return f.NetBoxName
	}
	return f.Name
}

// NetBoxObject says where a kind lives in NetBox.
type NetBoxObject struct {
	Endpoint   string // API path below /api/, without slashes at the ends (dcim/devices)
	ObjectType string // content type, for custom fields and generic keys (dcim.device)
}

// Decl declares one kind. The table of declarations (Declarations) is in
// write order: a record references records of earlier kinds, except
// through references NetBox takes only once their targets exist (primary
// IPs and MACs, parent interfaces), which are written in a later step.
type Decl struct {
	// Kind is the kind declared.
	Kind Kind
	// Doc says in a line what a record of the kind is.
	Doc string
	// Shared kinds (sites, manufacturers, types, roles, platforms, cluster
	// types, locations) are one record whichever source names them: keyed
	// by kind and the slug of their name (SharedKey), joined by key alone,
	// read whole from NetBox and never deleted by the agent.
	Shared bool
	// Name is the field that names a record: a device type's model, a MAC
	// address record's mac_address.
	Name string
	// Key lists the fields whose values together identify a NetBox object of
	// the kind, in the order reports show them (name and site for a device,
	// device and name for an interface). A kind with a slug is also matched
	// by its slug in place of its name.
	Key []string
	// MergeKey is what the merge joins other sources' records of the kind
	// by, when it differs from Key: its one reference scopes the name, the
	// other fields together are the name (a service's protocol and name).
	MergeKey []string
	// Unscoped kinds are known by name even when a record lacks the scoping
	// reference (an IP address with no VRF is in the global table).
	Unscoped bool
	// Parent is the reference to the record this one is part of (an
	// interface's device): its key extends the parent's, and inventory files
	// write it inside the parent.
	Parent string
	// Section names the kind's list in inventory files (devices:) and its CSV file.
	Section string
	// Nested are the names an inventory file gives the kind's list inside
	// the record that NestedBy (default Parent) points to: `interfaces:` in
	// a device, `mac:` in an interface.
	Nested []string
	// NestedBy is the reference through which the kind nests when it is
	// not its parent (a device inside its cluster).
	NestedBy string
	// Fields are the kind's attributes and references, in the order reports
	// show their changes; every kind also takes tags.
	Fields []Field
	// NetBox says where the kind lives in NetBox.
	NetBox NetBoxObject

	order         int
	index         map[string]int
	requiredAttrs []string
	requiredRefs  []string
	bounded       []*Field // the whole numbers with bounds
	scope         string   // the reference that scopes the merge's natural key
	nameParts     []*Field // the fields that make the merge's name
}

// Order is the kind's place in the write order.
func (d *Decl) Order() int { return d.order }

// Field returns the declared field name, or nil.
func (d *Decl) Field(name string) *Field {
	if i, ok := d.index[name]; ok {
		return &d.Fields[i]
	}
	return nil
}

// NameField is the declaration of the field that names a record.
func (d *Decl) NameField() *Field { return d.Field(d.Name) }

// RequiredAttrs lists the attributes without which a record is invalid.
// The slice is shared: do not modify it.
func (d *Decl) RequiredAttrs() []string { return d.requiredAttrs }

// RequiredRefs lists the references a record must carry. The slice is
// shared: do not modify it.
func (d *Decl) RequiredRefs() []string { return d.requiredRefs }

// Scope is the reference that scopes the merge's natural key (a device's
// site, an interface's device), or "" for shared kinds.
func (d *Decl) Scope() string { return d.scope }

// NestedVia is the reference through which the kind nests in inventory files.
func (d *Decl) NestedVia() string {
	if d.NestedBy != "" {
		return d.NestedBy
	}
	return d.Parent
}

// Field constructors keep the declarations short; each returns a field the
// declaration can refine (required, sameHost, ...).

func text(name string) Field      { return Field{Name: name, Type: TypeText} }
func serial(name string) Field    { return Field{Name: name, Type: TypeSerial} }
func slug() Field                 { return Field{Name: "slug", Type: TypeSlug} }
func integer(name string) Field   { return Field{Name: name, Type: TypeInt} }
func megabytes(name string) Field { return Field{Name: name, Type: TypeMegabytes} }
func number(name string) Field    { return Field{Name: name, Type: TypeNumber} }
func boolean(name string) Field   { return Field{Name: name, Type: TypeBool} }
func mac(name string) Field       { return Field{Name: name, Type: TypeMAC} }
func ip(name string) Field        { return Field{Name: name, Type: TypeIP} }
func color(name string) Field     { return Field{Name: name, Type: TypeColor} }
func ports(name string) Field     { return Field{Name: name, Type: TypePorts} }

func ref(name string, targets ...Kind) Field {
	return Field{Name: name, Type: TypeRef, Targets: targets}
}

// choice is a choice field with the values go-netbox's enum of them knows.
func choice[T ~string](name string, enum []T) Field {
	vals := make([]string, 0, len(enum))
	for _, v := range enum {
		if v != "" {
			vals = append(vals, string(v))
		}
	}
	return Field{Name: name, Type: TypeChoice, Choices: vals}
}

func (f Field) required() Field   { f.Required = true; return f }
func (f Field) sameHost() Field   { f.SameHost = true; return f }
func (f Field) identifies() Field { f.Identifies = true; return f }
func (f Field) openChoices() Field {
	f.OpenChoices = true
	return f
}
func (f Field) use(u Use) Field { f.Use = u; return f }

// between bounds a whole number: a record with a value outside lo-hi is invalid.
func (f Field) between(lo, hi int64) Field {
	f.Min, f.Max = lo, hi
	return f
}
func (f Field) qualifiedBy(name string) Field {
	f.QualifiedBy = name
	return f
}

// generic makes f a generic key in NetBox: typeField holds the object
// type, idField the ID.
func (f Field) generic(typeField, idField string) Field {
	f.NetBoxTypeField, f.NetBoxName = typeField, idField
	return f
}
