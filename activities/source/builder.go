package source

import (
	"net/netip"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Builder collects the records of one discovery: it qualifies keys with
// the source type and instance, sets each record's source, keeps a record
// added twice once (the site, manufacturer or role that many records name)
// and hands them over in a stable order.
type Builder struct {
	typ, instance string
	recs          []inventory.Record
	keys          map[string]bool
	gaps          []inventory.Gap
}

// NewBuilder starts the records of the instance of source type typ.
func NewBuilder(typ, instance string) *Builder {
	return &Builder{typ: typ, instance: instance, keys: map[string]bool{}}
}

// Key is the key of a record of this instance: the source type, the
// instance name and parts ("proxmox/alpha/node/pve1"), each part escaped
// as inventory.Key escapes it. With no parts it is the instance's own key.
func (b *Builder) Key(parts ...string) string {
	return inventory.Key(append([]string{b.typ, b.instance}, parts...)...)
}

// Add keeps r with the instance as its source. A record whose key was
// added already is left out: the first one stands.
func (b *Builder) Add(r inventory.Record) {
	if b.keys[r.Key] {
		return
	}
	b.keys[r.Key] = true
	r.Source = b.instance
	b.recs = append(b.recs, r)
}

// Shared adds the shared record of kind (a site, a role, a platform) with
// the name and returns its key.
func (b *Builder) Shared(kind inventory.Kind, name string) string {
	r := SharedRecord(kind, name)
	b.Add(r)
	return r.Key
}

// DeviceType adds the manufacturer and its device type model and returns
// the type's key; partNumber is set when it is not empty.
func (b *Builder) DeviceType(manufacturer, model, partNumber string) string {
	mf := b.Shared(inventory.KindManufacturer, manufacturer)
	dt := NewRecord(inventory.KindDeviceType, inventory.SharedKey(inventory.KindDeviceType, manufacturer+" "+model))
	dt.Set("model", model)
	dt.Set("part_number", partNumber)
	dt.Ref("manufacturer", mf)
	b.Add(dt)
	return dt.Key
}

// MACAddress adds the MAC address of the interface with key iface and
// returns its key.
func (b *Builder) MACAddress(iface, mac string) string {
	r := NewRecord(inventory.KindMACAddress, ChildKey(iface, "mac"))
	r.Set("mac_address", mac)
	r.Ref("interface", iface)
	b.Add(r)
	return r.Key
}

// IPAddress adds the address (CIDR form) of the interface with key iface,
// with its status, and returns its key and the address without its prefix
// length, which primary IPs are matched by.
func (b *Builder) IPAddress(iface, cidr, status string) (string, netip.Addr) {
	r := NewRecord(inventory.KindIPAddress, ChildKey(iface, "ip", cidr))
	r.Set("address", cidr)
	r.Set("status", status)
	r.Ref("interface", iface)
	b.Add(r)
	var addr netip.Addr
	if p, err := netip.ParsePrefix(r.String("address")); err == nil {
		addr = p.Addr()
	}
	return r.Key, addr
}

// Snapshot hands the records over in inventory order (kind, then key),
// with the warnings as given and the parts the source could not see.
func (b *Builder) Snapshot(warnings []string) *Snapshot {
	inventory.Sort(b.recs)
	sortGaps(b.gaps)
	return &Snapshot{Source: b.instance, Type: b.typ, Records: b.recs, Warnings: warnings, Gaps: b.gaps}
}

// NewRecord is an empty record of kind with key.
func NewRecord(kind inventory.Kind, key string) inventory.Record {
	return inventory.Record{Kind: kind, Key: key}
}

// SharedRecord is the shared record of kind with the name: its key is the
// kind and the name's slug, so every source that names "Dell Inc." reaches
// the same one.
func SharedRecord(kind inventory.Kind, name string) inventory.Record {
	r := NewRecord(kind, inventory.SharedKey(kind, name))
	r.Set("name", name)
	return r
}

// ChildKey extends a record's key with more parts, escaped like
// inventory.Key's ("…/node/pve1" + "iface", "eno1").
func ChildKey(parent string, parts ...string) string {
	return parent + "/" + inventory.Key(parts...)
}

// PrimaryIPField is the device or VM field that names a as its primary
// address: primary_ip4 or primary_ip6.
func PrimaryIPField(a netip.Addr) string {
	if a.Unmap().Is4() {
		return "primary_ip4"
	}
	return "primary_ip6"
}
