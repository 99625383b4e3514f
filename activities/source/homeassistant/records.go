package homeassistant

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Placeholders for what NetBox requires and Home Assistant may not know:
// a device type needs a manufacturer and a model. "Unknown" is what an
// operator searches for to find devices whose type needs filling in.
const (
	UnknownManufacturer = "Unknown"
	UnknownModel        = "Unknown"
)

// NetBox's length limits on the fields the source fills.
const (
	maxDeviceName    = 64
	maxNameLength    = 100 // manufacturer, model, location, role
	maxSerial        = 50
	maxPartNumber    = 50
	entryTypeService = "service"
)

// Connection types of the device registry that carry a MAC address, and
// the interface each becomes.
var macConnections = []struct {
	kind      string // the connection's type in Home Assistant
	name      string // interface name; numbered when a device has several
	ifaceType string // NetBox interface type
}{
	{"mac", "mac", "other"},
	{"bluetooth", "bluetooth", "ieee802.15.1"},
}

// mapStats counts what the mapping reported and left out.
type mapStats struct {
	reported int
	services int
	disabled int
}

// mapper turns the registry into records.
type mapper struct {
	opts     options
	reg      *registry
	siteKey  string
	warnings []string
}

func (m *mapper) warn(w string) { m.warnings = append(m.warnings, w) }

// snapshot maps the registry to records and gathers the warnings.
func (s *Source) snapshot(reg *registry) (*source.Snapshot, mapStats) {
	b := source.NewBuilder(SourceType, s.Name)
	m := &mapper{opts: s.opts, reg: reg}
	m.warnings = append(m.warnings, reg.Warnings...)
	m.siteKey = b.Shared(inventory.KindSite, m.opts.Site)

	var st mapStats
	var devices, children []device
	for _, d := range reg.Devices {
		switch {
		case str(d.EntryType) == entryTypeService:
			// integrations' own entries (Sun, Met.no, the Supervisor): no hardware
			st.services++
		case str(d.DisabledBy) != "" && !m.opts.IncludeDisabled:
			st.disabled++
		case str(d.ParentDeviceID) != "":
			children = append(children, d)
		default:
			devices = append(devices, d)
		}
	}
	us, orphans := units(devices, children, reg.Splits)
	for _, c := range orphans {
		m.warn("child device " + baseName(c) + ": its parent " + str(c.ParentDeviceID) + " is not reported (a service, disabled or unknown); skipped")
	}
	names := m.deviceNames(us)
	for _, u := range us {
		m.device(b, u, names[u.dev.ID])
		st.reported++
	}
	unreadGaps(b, reg.Unread, reg.Splits)
	if reg.SplitsUnread != "" {
		b.KindsUnseen(reg.SplitsUnread+"; devices Home Assistant split cannot be told from new ones", inventory.WithParts(inventory.KindDevice)...)
	}

	warnings := append([]string(nil), m.warnings...)
	sort.Strings(warnings)
	return b.Snapshot(warnings), st
}

// unreadGaps records the devices whose registry entries did not decode:
// that device, and the composite it was split from, under whose key NetBox
// holds it; or, when not even its id could be read, every device of the
// instance, since which one is missing is not known.
func unreadGaps(b *source.Builder, unread []unreadEntry, splits map[string]composite) {
	for _, u := range unread {
		if u.ID == "" {
			b.KindsUnseen(u.Why+"; which device it is is not known", inventory.WithParts(inventory.KindDevice)...)
			continue
		}
		b.RecordUnseen(inventory.KindDevice, b.Key("device", u.ID), u.Why)
		for _, old := range sortedKeys(splits) {
			if slices.Contains(splits[old].SplitIDs, u.ID) {
				b.RecordUnseen(inventory.KindDevice, b.Key("device", old), u.Why)
			}
		}
	}
}

// device adds the device of a unit with its type, role, location,
// interfaces and the address Home Assistant reaches it at. The registry
// ids of the unit's other devices are the record's aliases, so that NetBox
// objects written under any of them stay the unit's.
func (m *mapper) device(b *source.Builder, u *unit, name string) {
	d := u.dev
	dev := source.NewRecord(inventory.KindDevice, b.Key("device", d.ID))
	for _, id := range u.aliases {
		dev.Aliases = append(dev.Aliases, b.Key("device", id))
	}
	dev.Set("comments", childrenComment(u.children))
	dev.Set("name", name)
	dev.Set("status", "active")
	if str(d.DisabledBy) != "" {
		dev.Set("status", "offline")
	}
	if serial := str(d.SerialNumber); len([]rune(serial)) > maxSerial {
		m.warn("device " + name + ": serial number longer than NetBox's 50 characters; reported without serial")
	} else {
		dev.Set("serial", serial)
	}
	dev.Set("sw_version", str(d.SWVersion))
	dev.Set("hw_version", str(d.HWVersion))
	m.badTuples(d, name)
	dev.Ref("site", m.siteKey)
	dev.Ref("device_type", m.deviceType(b, d))
	dev.Ref("role", m.role(b, d))
	dev.Ref("location", m.location(b, d, name))

	ifaces := m.interfaces(b, d, dev.Key, name)
	if ip, field, ok := m.configurationIP(b, d, ifaces); ok {
		dev.Ref(field, ip)
	}
	b.Add(dev)
}

// badTuples warns of the identifiers and connections of d that are not a
// list of at least two strings; they are left out, the device is reported.
func (m *mapper) badTuples(d device, name string) {
	for what, list := range map[string][]tuple{"identifier": d.Identifiers, "connection": d.Connections} {
		for i, t := range list {
			if !t.valid() {
				m.warn(fmt.Sprintf("device %s: %s %d is not a list of at least two strings; skipped", name, what, i))
			}
		}
	}
}

// deviceType adds the device's manufacturer and type and returns the
// type's key. The model ID, where Home Assistant has one apart from the
// model's name ("LCA001" for "Hue color lamp"), is the part number.
func (m *mapper) deviceType(b *source.Builder, d device) string {
	maker := truncate(str(d.Manufacturer), maxNameLength)
	if maker == "" {
		maker = UnknownManufacturer
	}
	model := truncate(str(d.Model), maxNameLength)
	modelID := str(d.ModelID)
	if model == "" {
		model = truncate(modelID, maxNameLength)
	}
	if model == "" {
		model = UnknownModel
	}
	partNumber := ""
	if modelID != "" && modelID != model && len([]rune(modelID)) <= maxPartNumber {
		partNumber = modelID
	}
	return b.DeviceType(maker, model, partNumber)
}

// role adds the device's role and returns its key: the first of its
// integrations that roles names, else its manufacturer, else default_role.
func (m *mapper) role(b *source.Builder, d device) string {
	name := m.opts.DefaultRole
	found := false
	for _, domain := range m.integrations(d) {
		if r, ok := m.opts.roles[strings.ToLower(domain)]; ok {
			name, found = r, true
			break
		}
	}
	if !found {
		if r, ok := m.opts.roles[strings.ToLower(str(d.Manufacturer))]; ok {
			name = r
		}
	}
	name = truncate(name, maxNameLength)
	return b.Shared(inventory.KindDeviceRole, name)
}

// integrations lists the domains of the integrations that provide the
// device, most telling first: its primary config entry (the integration
// Home Assistant takes the device's details from), then its other entries,
// then the domains of its identifiers (which also serve when the config
// entries could not be read).
func (m *mapper) integrations(d device) []string {
	var out []string
	seen := map[string]bool{}
	add := func(domain string) {
		if domain != "" && !seen[domain] {
			seen[domain] = true
			out = append(out, domain)
		}
	}
	add(m.reg.Domains[str(d.PrimaryConfigEntry)])
	add(m.reg.Domains[str(d.ConfigEntryID)])
	var others []string
	for _, id := range d.ConfigEntries {
		if domain := m.reg.Domains[id]; domain != "" {
			others = append(others, domain)
		}
	}
	sort.Strings(others)
	for _, domain := range others {
		add(domain)
	}
	var idDomains []string
	for _, id := range d.Identifiers {
		if id.valid() {
			idDomains = append(idDomains, id.kind())
		}
	}
	sort.Strings(idDomains)
	for _, domain := range idDomains {
		add(domain)
	}
	return out
}

// location adds the location of the device's area and returns its key,
// or "" when the device has no area or areas are not wanted.
func (m *mapper) location(b *source.Builder, d device, name string) string {
	id := str(d.AreaID)
	if !m.opts.LocationFromArea || id == "" {
		return ""
	}
	a, ok := m.reg.Areas[id]
	if !ok {
		m.warn("device " + name + ": area " + id + " is not in the area registry; reported without location")
		return ""
	}
	areaName := truncate(strings.TrimSpace(a.Name), maxNameLength)
	loc := source.SharedRecord(inventory.KindLocation, areaName)
	loc.Ref("site", m.siteKey)
	if parent := m.floor(b, a); parent != "" && parent != loc.Key {
		loc.Ref("parent", parent)
	}
	b.Add(loc)
	return loc.Key
}

// floor adds the location of an area's floor and returns its key, or ""
// when the area is on no floor. A floor is the parent location of its
// areas; one named like its area is the same location and no parent.
func (m *mapper) floor(b *source.Builder, a area) string {
	id := str(a.FloorID)
	if id == "" {
		return ""
	}
	f, ok := m.reg.Floors[id]
	if !ok {
		if len(m.reg.Floors) > 0 {
			m.warn("area " + a.Name + ": floor " + id + " is not in the floor registry; reported on no floor")
		}
		return ""
	}
	loc := source.SharedRecord(inventory.KindLocation, truncate(strings.TrimSpace(f.Name), maxNameLength))
	loc.Ref("site", m.siteKey)
	b.Add(loc)
	return loc.Key
}

// interfaces adds an interface with its MAC address for every MAC and
// Bluetooth connection of the device, and returns the keys of the
// interfaces that came from "mac" connections.
func (m *mapper) interfaces(b *source.Builder, d device, devKey, name string) []string {
	var macIfaces []string
	for _, mc := range macConnections {
		var macs []string
		seen := map[string]bool{}
		for _, c := range d.Connections {
			if !c.valid() || c.kind() != mc.kind {
				continue
			}
			mac, ok := inventory.NormalizeMAC(c.value())
			if !ok {
				m.warn("device " + name + ": " + mc.kind + " connection " + c.value() + " is not a MAC address; skipped")
				continue
			}
			if !seen[mac] {
				seen[mac] = true
				macs = append(macs, mac)
			}
		}
		sort.Strings(macs)
		for i, mac := range macs {
			ifName := mc.name
			if len(macs) > 1 {
				ifName += strconv.Itoa(i)
			}
			iface := source.NewRecord(inventory.KindInterface, source.ChildKey(devKey, "iface", ifName))
			iface.Set("name", ifName)
			iface.Set("type", mc.ifaceType)
			iface.Ref("device", devKey)
			b.Add(iface)
			b.MACAddress(iface.Key, mac)
			if mc.kind == "mac" {
				macIfaces = append(macIfaces, iface.Key)
			}
		}
	}
	return macIfaces
}

// configurationIP adds the address of the device's configuration URL when
// it is a literal IP (a Shelly's or a NAS's web interface) and the device
// has exactly one network interface to put it on. It returns the address
// record's key and the primary IP field it fills.
func (m *mapper) configurationIP(b *source.Builder, d device, ifaces []string) (string, string, bool) {
	raw := str(d.ConfigurationURL)
	if raw == "" || len(ifaces) != 1 {
		return "", "", false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", false
	}
	a, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		return "", "", false // a host name: resolving it is the scanner's business
	}
	addr, ok := inventory.NormalizeIP(a.String())
	if !ok || !inventory.IsUsableIP(addr) {
		return "", "", false
	}
	key, _ := b.IPAddress(ifaces[0], addr, "active")
	return key, source.PrimaryIPField(a), true
}
