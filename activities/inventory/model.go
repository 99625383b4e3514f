// Package inventory holds the canonical model that every source reports into:
// records with a kind, a stable source-qualified key, typed attributes,
// references to other records by key and the origin of every field.
package inventory

import (
	"fmt"
	"sort"
)

// Kind names the type of a record; the values match DESIGN.md's model.
type Kind string

// The kinds of the canonical model.
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
)

// Kinds lists every kind in dependency order: a record only references
// records of kinds listed before its own.
var Kinds = []Kind{
	KindSite, KindLocation, KindManufacturer, KindDeviceType, KindDeviceRole, KindPlatform,
	KindClusterType, KindCluster, KindDevice, KindVirtualMachine,
	KindInterface, KindVMInterface, KindVirtualDisk, KindMACAddress, KindIPAddress, KindService,
}

// Valid reports whether k is one of the model's kinds.
func (k Kind) Valid() bool {
	_, ok := kindOrder[k]
	return ok
}

// Order is the position of k in Kinds; unknown kinds sort last.
func (k Kind) Order() int {
	if o, ok := kindOrder[k]; ok {
		return o
	}
	return len(Kinds)
}

var kindOrder = func() map[Kind]int {
	m := make(map[Kind]int, len(Kinds))
	for i, k := range Kinds {
		m[k] = i
	}
	return m
}()

// Shared reports whether records of kind k are shared between sources
// (sites, manufacturers, types, roles, platforms, cluster types): their keys
// are not qualified by a source and the agent never deletes them.
func (k Kind) Shared() bool {
	switch k {
	case KindSite, KindLocation, KindManufacturer, KindDeviceType, KindDeviceRole, KindPlatform, KindClusterType:
		return true
	}
	return false
}

// Record is one thing a source reports.
//
// Attrs hold the record's fields under NetBox's field names (name, serial,
// status, vcpus, memory, mac_address, address, ...). Values are strings,
// int64, float64, bool or []int64 after normalisation. Refs name other
// records by key under the NetBox field that points to them (site,
// device_type, device, virtual_machine, interface, ...). Origin names the
// source each attribute and reference came from.
type Record struct {
	Kind   Kind              `json:"kind"`
	Key    string            `json:"key"`
	Source string            `json:"source,omitempty"`
	Attrs  map[string]any    `json:"attrs,omitempty"`
	Refs   map[string]string `json:"refs,omitempty"`
	Origin map[string]string `json:"origin,omitempty"`
	// Aliases are other keys this record answers to after a merge, so that
	// references made by other sources still resolve.
	Aliases []string `json:"aliases,omitempty"`
}

// String returns the attribute name as a string, or "" when it is missing.
func (r *Record) String(name string) string {
	s, _ := r.Attrs[name].(string)
	return s
}

// Set stores an attribute after normalising it; empty values are dropped so
// that a missing field never overwrites what another source knows.
func (r *Record) Set(name string, v any) {
	v = Normalize(name, v)
	if IsEmpty(v) {
		return
	}
	if r.Attrs == nil {
		r.Attrs = make(map[string]any)
	}
	r.Attrs[name] = v
}

// Ref stores a reference to the record with the given key; an empty key is dropped.
func (r *Record) Ref(field, key string) {
	if key == "" {
		return
	}
	if r.Refs == nil {
		r.Refs = make(map[string]string)
	}
	r.Refs[field] = key
}

// Validate reports what is structurally wrong with the record.
func (r *Record) Validate() error {
	if !r.Kind.Valid() {
		return fmt.Errorf("unknown kind %q", r.Kind)
	}
	if r.Key == "" {
		return fmt.Errorf("%s: missing key", r.Kind)
	}
	for _, f := range RequiredAttrs[r.Kind] {
		if IsEmpty(r.Attrs[f]) {
			return fmt.Errorf("%s %s: missing %s", r.Kind, r.Key, f)
		}
	}
	for _, f := range RequiredRefs[r.Kind] {
		if r.Refs[f] == "" {
			return fmt.Errorf("%s %s: missing reference %s", r.Kind, r.Key, f)
		}
	}
	return nil
}

// RequiredAttrs lists, per kind, the attributes without which a record
// cannot become a NetBox object.
var RequiredAttrs = map[Kind][]string{
	KindSite:           {"name"},
	KindLocation:       {"name"},
	KindManufacturer:   {"name"},
	KindDeviceType:     {"model"},
	KindDeviceRole:     {"name"},
	KindPlatform:       {"name"},
	KindDevice:         {"name"},
	KindInterface:      {"name"},
	KindMACAddress:     {"mac_address"},
	KindIPAddress:      {"address"},
	KindClusterType:    {"name"},
	KindCluster:        {"name"},
	KindVirtualMachine: {"name"},
	KindVMInterface:    {"name"},
	KindVirtualDisk:    {"name", "size"},
	KindService:        {"name", "protocol", "ports"},
}

// RequiredRefs lists, per kind, the references a record must carry.
var RequiredRefs = map[Kind][]string{
	KindLocation:    {"site"},
	KindDeviceType:  {"manufacturer"},
	KindDevice:      {"site", "device_type", "role"},
	KindInterface:   {"device"},
	KindCluster:     {"type"},
	KindVMInterface: {"virtual_machine"},
	KindVirtualDisk: {"virtual_machine"},
}

// Sort orders records by kind dependency order, then key, so that every
// output built from them is stable.
func Sort(recs []Record) {
	sort.SliceStable(recs, func(i, j int) bool {
		oi, oj := recs[i].Kind.Order(), recs[j].Kind.Order()
		if oi != oj {
			return oi < oj
		}
		return recs[i].Key < recs[j].Key
	})
}
