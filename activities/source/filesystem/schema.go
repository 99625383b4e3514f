package filesystem

import (
	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// valueType says how a field's text becomes an attribute value.
type valueType int

const (
	vString   valueType = iota
	vInt                // whole number
	vNumber             // number, fractions allowed (vcpus, u_height)
	vMegabyte           // whole MB, or a number with a binary unit (8GiB, 512M)
	vBool               // true/false, yes/no, on/off
	vInts               // list of whole numbers, or "22, 80"
	vStrings            // list of strings, or "a, b"
	vMAC                // 48-bit MAC in any common notation
	vIP                 // address with or without prefix length
	vColor              // six hex digits, with or without #
	vEnum               // one of attrSpec.enum
	// vChoice is a NetBox choice whose values change between releases
	// (interface types): only its shape is checked here, the plan checks
	// the value against the connected NetBox.
	vChoice
)

type attrSpec struct {
	typ  valueType
	enum []string
}

// refSpec describes a reference field: which kind it points to and how the
// name written in the file is looked up.
type refSpec struct {
	kind inventory.Kind
	// host: the name is looked up among the records of the same device or
	// virtual machine (an interface's parent, a device's primary_ip4).
	host bool
}

// ownerSpec says which record a kind's key extends and how a top-level
// record names it: `device: nas` for an interface, `device: nas` plus
// `interface: eth0` for an IP address.
type ownerSpec struct {
	ref       string           // the reference field that holds the owner's key
	hosts     []inventory.Kind // the kinds that can own it (through an interface when viaIface)
	viaIface  bool             // the owner is an interface of the host, named by `interface:`
	optional  bool             // a record may stand alone (an IP address on no interface)
	keyByName bool             // the key ends with the record's name (false: one per owner, a MAC)
}

// kindSpec is the per-kind table that drives decoding and resolution.
type kindSpec struct {
	kind     inventory.Kind
	plural   string // section name in YAML/JSON, file name for CSV
	keyPart  string // key segment after the owner or source instance
	name     string // the attribute that names the record
	attrs    map[string]attrSpec
	refs     map[string]refSpec
	children map[string]inventory.Kind // nested lists: interfaces, disks, services, ...
	owner    *ownerSpec
}

// hostField is the field a top-level record uses to name its device, VM or
// other owner (the kind's name: vlan_group for a VLAN), and hostIface the
// interface kind of each host: the kinds whose records hold MACs, by the
// kind their parent reference points to.
var hostField, hostIface = func() (map[inventory.Kind]string, map[inventory.Kind]inventory.Kind) {
	fields, ifaces := map[inventory.Kind]string{}, map[inventory.Kind]inventory.Kind{}
	for _, d := range inventory.Declarations() {
		for _, h := range inventory.HostsOf(d.Kind) {
			fields[h] = string(h)
		}
		if !inventory.HoldsMACs(d.Kind) {
			continue
		}
		for _, h := range d.Field(d.Parent).Targets {
			fields[h], ifaces[h] = string(h), d.Kind
		}
	}
	return fields, ifaces
}()

// kindFormat is what inventory files add to a kind's declaration: how a
// record's key is made.
type kindFormat struct {
	keyPart    string // key segment after the owner or source instance
	oneOnly    bool   // one per owner: the key ends with keyPart alone (a MAC)
	standalone bool   // a record may belong to nothing (an IP address on no interface)
}

var formats = map[inventory.Kind]kindFormat{
	inventory.KindCluster: {keyPart: "cluster"}, inventory.KindDevice: {keyPart: "device"},
	inventory.KindVirtualMachine: {keyPart: "vm"}, inventory.KindInterface: {keyPart: "iface"},
	inventory.KindVMInterface: {keyPart: "iface"}, inventory.KindVirtualDisk: {keyPart: "disk"},
	inventory.KindMACAddress: {keyPart: "mac", oneOnly: true}, inventory.KindIPAddress: {keyPart: "ip", standalone: true},
	inventory.KindService: {keyPart: "service"}, inventory.KindVLANGroup: {keyPart: "vlan-group"},
	inventory.KindVLAN: {keyPart: "vlan"},
}

var (
	str     = attrSpec{typ: vString}
	whole   = attrSpec{typ: vInt}
	num     = attrSpec{typ: vNumber}
	mb      = attrSpec{typ: vMegabyte}
	boolean = attrSpec{typ: vBool}
)

// attrOf is how a file writes a field of the declared type.
func attrOf(f *inventory.Field) attrSpec {
	switch f.Type {
	case inventory.TypeInt:
		return whole
	case inventory.TypeNumber:
		return num
	case inventory.TypeMegabytes:
		return mb
	case inventory.TypeBool:
		return boolean
	case inventory.TypeMAC:
		return attrSpec{typ: vMAC}
	case inventory.TypeIP:
		return attrSpec{typ: vIP}
	case inventory.TypeColor:
		return attrSpec{typ: vColor}
	case inventory.TypePorts:
		return attrSpec{typ: vInts}
	case inventory.TypeTags:
		return attrSpec{typ: vStrings}
	case inventory.TypeChoice:
		if f.OpenChoices {
			return attrSpec{typ: vChoice}
		}
		return attrSpec{typ: vEnum, enum: f.Choices}
	}
	return str
}

// specs is the per-kind table, made from the kinds' declarations in their
// order: the fields a file takes, the references it names, the lists nested
// in a record and the record each kind belongs to.
var specs = func() []*kindSpec {
	decls := inventory.Declarations()
	out := make([]*kindSpec, 0, len(decls))
	byKind := make(map[inventory.Kind]*kindSpec, len(decls))
	for _, d := range decls {
		s := &kindSpec{kind: d.Kind, plural: d.Section, keyPart: formats[d.Kind].keyPart, name: d.Name,
			attrs: map[string]attrSpec{}, refs: map[string]refSpec{}}
		for i := range d.Fields {
			f := &d.Fields[i]
			switch {
			case !f.InFiles() || f.Name == d.Parent:
			case f.IsRef():
				s.refs[f.Name] = refSpec{kind: f.Targets[0], host: f.SameHost}
			default:
				s.attrs[f.Name] = attrOf(f)
			}
		}
		if d.Parent != "" {
			p := d.Field(d.Parent)
			s.owner = &ownerSpec{ref: d.Parent, hosts: inventory.HostsOf(d.Kind),
				viaIface: p.Targets[0].Decl().Parent != "", optional: formats[d.Kind].standalone,
				keyByName: !formats[d.Kind].oneOnly}
		}
		out = append(out, s)
		byKind[d.Kind] = s
	}
	for _, d := range decls {
		if len(d.Nested) == 0 {
			continue
		}
		for _, t := range d.Field(d.NestedVia()).Targets {
			if byKind[t].children == nil {
				byKind[t].children = map[string]inventory.Kind{}
			}
			for _, n := range d.Nested {
				byKind[t].children[n] = d.Kind
			}
		}
	}
	return out
}()

// specByKind and specByName index specs by kind and by any name a file may
// use for it: the kind itself or its plural.
var specByKind, specByName = func() (map[inventory.Kind]*kindSpec, map[string]*kindSpec) {
	byKind := make(map[inventory.Kind]*kindSpec, len(specs))
	byName := make(map[string]*kindSpec, 2*len(specs))
	for _, s := range specs {
		byKind[s.kind] = s
		byName[string(s.kind)] = s
		byName[s.plural] = s
	}
	return byKind, byName
}()
