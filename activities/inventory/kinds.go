package inventory

import (
	"fmt"
	"slices"
)

// Kind names the type of a record; the values match DESIGN.md's model.
type Kind string

// The kinds of the canonical model; each has a declaration (Declarations).
const (
	KindSite           Kind = "site"
	KindLocation       Kind = "location"
	KindManufacturer   Kind = "manufacturer"
	KindDeviceType     Kind = "device_type"
	KindDeviceRole     Kind = "device_role"
	KindPlatform       Kind = "platform"
	KindDevice         Kind = "device"
	KindInterface      Kind = "interface"
	KindMACAddress     Kind = "mac_address"
	KindIPAddress      Kind = "ip_address"
	KindClusterType    Kind = "cluster_type"
	KindCluster        Kind = "cluster"
	KindVirtualMachine Kind = "virtual_machine"
	KindVMInterface    Kind = "vm_interface"
	KindVirtualDisk    Kind = "virtual_disk"
	KindService        Kind = "service"
	KindVLANGroup      Kind = "vlan_group"
	KindVLAN           Kind = "vlan"
)

// declarations lists every kind's declaration in write order; the family
// files (kinds_dcim.go, kinds_ipam.go, kinds_virtualization.go) hold them.
func declarations() []Decl {
	return []Decl{
		site(), location(), manufacturer(), deviceType(), deviceRole(), platform(),
		clusterType(), cluster(), vlanGroup(), vlan(), device(), virtualMachine(),
		iface(), vmInterface(), virtualDisk(), macAddress(), ipAddress(), service(),
	}
}

// declTable is the declaration table with the indexes its readers use.
type declTable struct {
	list   []*Decl
	byKind map[Kind]*Decl
	// attrTypes is the type of each attribute name: NetBox's field names
	// mean one thing on every kind, so a value is normalised by its name.
	attrTypes map[string]FieldType
	// macHolders are the kinds MAC address records belong to (interfaces):
	// the targets of the MAC kind's parent reference.
	macHolders map[Kind]bool
	// names holds every declared field name once, so that the records
	// read from JSON share their keys instead of holding a copy each.
	names map[string]string
}

// decls is the declaration table, built once.
var decls = newDeclTable(declarations())

func newDeclTable(list []Decl) *declTable {
	t := &declTable{byKind: make(map[Kind]*Decl, len(list)), attrTypes: map[string]FieldType{},
		macHolders: map[Kind]bool{}, names: map[string]string{}}
	for i := range list {
		d := &list[i]
		d.Fields = append(d.Fields, Field{Name: "tags", Type: TypeTags})
		d.order = i
		d.index = make(map[string]int, len(d.Fields))
		for j := range d.Fields {
			f := &d.Fields[j]
			d.index[f.Name] = j
			t.names[f.Name] = f.Name
			switch {
			case f.Required && f.IsRef():
				d.requiredRefs = append(d.requiredRefs, f.Name)
			case f.Required:
				d.requiredAttrs = append(d.requiredAttrs, f.Name)
			}
			if !f.IsRef() {
				t.attrTypes[f.Name] = f.Type
			}
			if f.Max != 0 {
				d.bounded = append(d.bounded, f)
			}
		}
		if !d.Shared {
			d.scope, d.nameParts = d.mergeIdentity()
		}
		if d.Parent != "" && d.Field(d.Name).Type == TypeMAC {
			for _, k := range d.Field(d.Parent).Targets {
				t.macHolders[k] = true
			}
		}
		t.list = append(t.list, d)
		t.byKind[d.Kind] = d
	}
	return t
}

// fieldName returns b as a string: the declared name's own when b is one.
func fieldName(b []byte) string {
	if name, ok := decls.names[string(b)]; ok {
		return name
	}
	return string(b)
}

// HoldsMACs reports whether records of kind k carry MAC address records
// (interfaces and VM interfaces): a device or VM is known by the MACs of
// its interfaces of such a kind.
func HoldsMACs(k Kind) bool { return decls.macHolders[k] }

// mergeIdentity splits the merge key into its scoping reference and the
// fields that make the name.
func (d *Decl) mergeIdentity() (string, []*Field) {
	key := d.MergeKey
	if key == nil {
		key = d.Key
	}
	scope := ""
	var parts []*Field
	for _, name := range key {
		f := d.Field(name)
		if f == nil {
			panic(fmt.Sprintf("inventory: %s: key field %q is not declared", d.Kind, name))
		}
		if f.IsRef() {
			scope = name
			continue
		}
		parts = append(parts, f)
	}
	return scope, parts
}

// Declarations returns every kind's declaration in write order. The
// declarations are shared: do not modify them.
func Declarations() []*Decl { return decls.list }

// Kinds lists every kind in write order: a record only references records
// of kinds listed before its own, except through late references.
func Kinds() []Kind {
	out := make([]Kind, len(decls.list))
	for i, d := range decls.list {
		out[i] = d.Kind
	}
	return out
}

// Decl returns the declaration of k, or nil when k is no kind of the model.
func (k Kind) Decl() *Decl { return decls.byKind[k] }

// Valid reports whether k is one of the model's kinds.
func (k Kind) Valid() bool { return k.Decl() != nil }

// Order is the position of k in the write order; unknown kinds sort last.
func (k Kind) Order() int {
	if d := k.Decl(); d != nil {
		return d.order
	}
	return len(decls.list)
}

// Shared reports whether records of kind k are shared between sources
// (sites, manufacturers, types, roles, platforms, cluster types): their keys
// are not qualified by a source and the agent never deletes them.
func (k Kind) Shared() bool {
	d := k.Decl()
	return d != nil && d.Shared
}

// HostsOf lists the kinds records of kind k may belong to directly or
// through an interface: a device or VM for an interface, MAC, IP or
// service. It follows Parent references up to a kind without a parent.
func HostsOf(k Kind) []Kind {
	d := k.Decl()
	if d == nil || d.Parent == "" {
		return nil
	}
	var out []Kind
	for _, t := range d.Field(d.Parent).Targets {
		if up := HostsOf(t); len(up) > 0 {
			for _, h := range up {
				if !slices.Contains(out, h) {
					out = append(out, h)
				}
			}
			continue
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
