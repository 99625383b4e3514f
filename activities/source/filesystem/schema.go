package filesystem

import (
	netbox "github.com/netbox-community/go-netbox/v4"

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

// hostField is the field a top-level record uses to name its device or VM.
var hostField = map[inventory.Kind]string{
	inventory.KindDevice:         "device",
	inventory.KindVirtualMachine: "virtual_machine",
}

// hostIface is the interface kind that belongs to each host kind.
var hostIface = map[inventory.Kind]inventory.Kind{
	inventory.KindDevice:         inventory.KindInterface,
	inventory.KindVirtualMachine: inventory.KindVMInterface,
}

func enum[T ~string](vals []T) attrSpec {
	s := make([]string, 0, len(vals))
	for _, v := range vals {
		if v != "" {
			s = append(s, string(v))
		}
	}
	return attrSpec{typ: vEnum, enum: s}
}

var (
	str     = attrSpec{typ: vString}
	whole   = attrSpec{typ: vInt}
	num     = attrSpec{typ: vNumber}
	mb      = attrSpec{typ: vMegabyte}
	boolean = attrSpec{typ: vBool}
)

// ifaceChildren are the records an interface nests: its MAC address (one;
// `mac:` is short for `mac_address:`) and its IP addresses.
var ifaceChildren = map[string]inventory.Kind{
	"mac": inventory.KindMACAddress, "mac_address": inventory.KindMACAddress, "ips": inventory.KindIPAddress,
}

func shared(k inventory.Kind) refSpec { return refSpec{kind: k} }

// withCommon adds the attributes every kind accepts.
func withCommon(m map[string]attrSpec) map[string]attrSpec {
	m["tags"] = attrSpec{typ: vStrings}
	m["description"] = str
	return m
}

var specs = []*kindSpec{
	{kind: inventory.KindSite, plural: "sites", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "slug": str, "status": enum(netbox.AllowedLocationStatusValueEnumValues)})},
	{kind: inventory.KindLocation, plural: "locations", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "slug": str}),
		refs:  map[string]refSpec{"site": shared(inventory.KindSite)}},
	{kind: inventory.KindManufacturer, plural: "manufacturers", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "slug": str})},
	{kind: inventory.KindDeviceType, plural: "device_types", name: "model",
		attrs: withCommon(map[string]attrSpec{"model": str, "slug": str, "part_number": str, "u_height": num}),
		refs:  map[string]refSpec{"manufacturer": shared(inventory.KindManufacturer)}},
	{kind: inventory.KindDeviceRole, plural: "device_roles", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "slug": str, "color": {typ: vColor}, "vm_role": boolean})},
	{kind: inventory.KindPlatform, plural: "platforms", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "slug": str}),
		refs:  map[string]refSpec{"manufacturer": shared(inventory.KindManufacturer)}},
	{kind: inventory.KindClusterType, plural: "cluster_types", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "slug": str})},
	{kind: inventory.KindCluster, plural: "clusters", keyPart: "cluster", name: "name",
		attrs:    withCommon(map[string]attrSpec{"name": str, "status": enum(netbox.AllowedClusterStatusValueEnumValues), "comments": str}),
		refs:     map[string]refSpec{"type": shared(inventory.KindClusterType), "site": shared(inventory.KindSite)},
		children: map[string]inventory.Kind{"virtual_machines": inventory.KindVirtualMachine, "devices": inventory.KindDevice}},
	{kind: inventory.KindDevice, plural: "devices", keyPart: "device", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "serial": str, "asset_tag": str,
			"status": enum(netbox.AllowedDeviceStatusValueEnumValues), "comments": str}),
		refs: map[string]refSpec{"site": shared(inventory.KindSite), "location": shared(inventory.KindLocation),
			"device_type": shared(inventory.KindDeviceType), "role": shared(inventory.KindDeviceRole),
			"platform": shared(inventory.KindPlatform), "cluster": {kind: inventory.KindCluster},
			"primary_ip4": {kind: inventory.KindIPAddress, host: true}, "primary_ip6": {kind: inventory.KindIPAddress, host: true}},
		children: map[string]inventory.Kind{"interfaces": inventory.KindInterface, "services": inventory.KindService}},
	{kind: inventory.KindVirtualMachine, plural: "virtual_machines", keyPart: "vm", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "status": enum(netbox.AllowedPatchedWritableVirtualMachineWithConfigContextRequestStatusEnumValues),
			"vcpus": num, "memory": mb, "comments": str}),
		refs: map[string]refSpec{"cluster": {kind: inventory.KindCluster}, "site": shared(inventory.KindSite),
			"device": {kind: inventory.KindDevice}, "role": shared(inventory.KindDeviceRole), "platform": shared(inventory.KindPlatform),
			"primary_ip4": {kind: inventory.KindIPAddress, host: true}, "primary_ip6": {kind: inventory.KindIPAddress, host: true}},
		children: map[string]inventory.Kind{"interfaces": inventory.KindVMInterface, "disks": inventory.KindVirtualDisk, "services": inventory.KindService}},
	{kind: inventory.KindInterface, plural: "interfaces", keyPart: "iface", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "type": {typ: vChoice},
			"enabled": boolean, "mtu": whole, "mgmt_only": boolean}),
		refs: map[string]refSpec{"parent": {kind: inventory.KindInterface, host: true}, "bridge": {kind: inventory.KindInterface, host: true},
			"lag": {kind: inventory.KindInterface, host: true}},
		children: ifaceChildren,
		owner:    &ownerSpec{ref: "device", hosts: []inventory.Kind{inventory.KindDevice}, keyByName: true}},
	{kind: inventory.KindVMInterface, plural: "vm_interfaces", keyPart: "iface", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "enabled": boolean, "mtu": whole}),
		refs: map[string]refSpec{"parent": {kind: inventory.KindVMInterface, host: true},
			"bridge": {kind: inventory.KindVMInterface, host: true}},
		children: ifaceChildren,
		owner:    &ownerSpec{ref: "virtual_machine", hosts: []inventory.Kind{inventory.KindVirtualMachine}, keyByName: true}},
	{kind: inventory.KindVirtualDisk, plural: "virtual_disks", keyPart: "disk", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "size": mb}),
		owner: &ownerSpec{ref: "virtual_machine", hosts: []inventory.Kind{inventory.KindVirtualMachine}, keyByName: true}},
	{kind: inventory.KindMACAddress, plural: "mac_addresses", keyPart: "mac", name: "mac_address",
		attrs: withCommon(map[string]attrSpec{"mac_address": {typ: vMAC}}),
		owner: &ownerSpec{ref: "interface", hosts: []inventory.Kind{inventory.KindDevice, inventory.KindVirtualMachine}, viaIface: true}},
	{kind: inventory.KindIPAddress, plural: "ip_addresses", keyPart: "ip", name: "address",
		attrs: withCommon(map[string]attrSpec{"address": {typ: vIP}, "status": enum(netbox.AllowedIPAddressStatusValueEnumValues),
			"dns_name": str, "role": enum(netbox.AllowedIPAddressRoleValueEnumValues)}),
		owner: &ownerSpec{ref: "interface", hosts: []inventory.Kind{inventory.KindDevice, inventory.KindVirtualMachine},
			viaIface: true, optional: true, keyByName: true}},
	{kind: inventory.KindService, plural: "services", keyPart: "service", name: "name",
		attrs: withCommon(map[string]attrSpec{"name": str, "protocol": enum(netbox.AllowedPatchedWritableServiceRequestProtocolEnumValues),
			"ports": {typ: vInts}}),
		owner: &ownerSpec{ref: "parent", hosts: []inventory.Kind{inventory.KindDevice, inventory.KindVirtualMachine}, keyByName: true}},
}

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
