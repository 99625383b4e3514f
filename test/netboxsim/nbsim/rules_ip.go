package nbsim

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// Rules of NetBox's address models: MAC and IP parsing, IP and prefix clean() checks.

var macDigits = regexp.MustCompile(`^[0-9A-Fa-f]{12}$`)

// parseMAC accepts the notations netaddr's EUI does and returns NetBox's form (upper case,
// colons).
func parseMAC(s string) (string, bool) {
	hex := strings.NewReplacer(":", "", "-", "", ".", "", " ", "").Replace(strings.TrimSpace(s))
	if !macDigits.MatchString(hex) {
		return "", false
	}
	hex = strings.ToUpper(hex)
	parts := make([]string, 6)
	for i := range parts {
		parts[i] = hex[2*i : 2*i+2]
	}
	return strings.Join(parts, ":"), true
}

// normalizeMAC is parseMAC for filter values: an invalid value stays as it is (and matches
// nothing).
func normalizeMAC(s string) string {
	if m, ok := parseMAC(s); ok {
		return m
	}
	return s
}

// parseAddress parses an IP address with an optional mask (/32 or /128 when absent, as
// netaddr's IPNetwork does); masked clears host bits, as a prefix does.
func parseAddress(s string, masked bool) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return "", false
		}
		s = fmt.Sprintf("%s/%d", s, a.BitLen())
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "", false
	}
	if masked {
		p = p.Masked()
	}
	return p.String(), true
}

// hostOf returns the address part of "addr/len".
func hostOf(s string) string {
	h, _, _ := strings.Cut(s, "/")
	if a, err := netip.ParseAddr(h); err == nil {
		return a.String()
	}
	return h
}

func familyOf(s string) int64 {
	if a, err := netip.ParseAddr(hostOf(s)); err == nil && a.Is6() && !a.Is4In6() {
		return 6
	}
	return 4
}

func ipFamily(_ *view, o *object) any {
	if a := o.str("address"); a != "" {
		return familyOf(a)
	}
	return familyOf(o.str("prefix"))
}

func natOutside(v *view, o *object) any {
	return []int64(v.table(epIPs).index("nat_inside", itoa(o.ID)))
}

// ipParent is the device or VM an IP address's interface belongs to (its endpoint and ID).
func (v *view) ipParent(o *object) (string, int64) {
	typ, _ := o.Fields["assigned_object_type"].(string)
	iface := v.get(interfaceTargets[typ], o.id("assigned_object_id"))
	switch {
	case iface == nil:
		return "", 0
	case typ == "dcim.interface":
		return epDevices, iface.id("device")
	}
	return epVMs, iface.id("virtual_machine")
}

var nonUniqueRoles = map[string]bool{"anycast": true, "vip": true, "vrrp": true, "hsrp": true, "glbp": true, "carp": true}

func cleanIP(v *view, o, old *object, errs fieldErrors) {
	addr := o.str("address")
	p, err := netip.ParsePrefix(addr)
	if err != nil {
		return
	}
	if p.Bits() == 0 {
		errs.add("address", "Cannot create IP address with /0 mask.")
		return
	}
	if o.Fields["assigned_object_id"] != nil && p.Bits() < p.Addr().BitLen()-1 {
		if p.Addr() == p.Masked().Addr() {
			errs.add("__all__", fmt.Sprintf("%s is a network ID, which may not be assigned to an interface.", addr))
		} else if p.Addr().Is4() && p.Addr() == broadcast(p) {
			errs.add("__all__", fmt.Sprintf("%s is a broadcast address, which may not be assigned to an interface.", addr))
		}
	}
	vrf := v.get(epVRFs, o.id("vrf"))
	if vrf == nil || vrf.Fields["enforce_unique"] == true {
		role := o.str("role")
		for _, id := range v.table(epIPs).index("address", hostOf(addr)) {
			dup := v.get(epIPs, id)
			if id == o.ID || dup.id("vrf") != o.id("vrf") {
				continue
			}
			if !nonUniqueRoles[role] || !nonUniqueRoles[dup.str("role")] {
				table := "global table"
				if vrf != nil {
					table = "VRF " + vrf.str("name")
				}
				errs.add("address", fmt.Sprintf("Duplicate IP address found in %s: %s", table, dup.str("address")))
				break
			}
		}
	}
	if o.str("status") == "slaac" && familyOf(addr) != 6 {
		errs.add("status", "Only IPv6 addresses can be assigned SLAAC status")
	}
	if old != nil {
		oldEp, oldID := v.ipParent(old)
		newEp, newID := v.ipParent(o)
		if oldEp != "" && (oldEp != newEp || oldID != newID) {
			owner := v.get(oldEp, oldID)
			field := fmt.Sprintf("primary_ip%d", familyOf(old.str("address")))
			if owner != nil && owner.id(field) == o.ID {
				errs.add("__all__", "Cannot reassign IP address while it is designated as the primary IP for the parent object")
			}
		}
	}
}

func broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n |= host
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// cleanPrefix is Prefix.clean(): no /0, and no duplicate in the global table
// (ENFORCE_GLOBAL_UNIQUE, on by default) or in a VRF that enforces unique space.
func cleanPrefix(v *view, o, _ *object, errs fieldErrors) {
	if p, err := netip.ParsePrefix(o.str("prefix")); err == nil && p.Bits() == 0 {
		errs.add("prefix", "Cannot create prefix with /0 mask.")
		return
	}
	vrf := v.get(epVRFs, o.id("vrf"))
	if vrf != nil && vrf.Fields["enforce_unique"] != true {
		return
	}
	for _, id := range v.table(epPrefixes).index("prefix", o.str("prefix")) {
		if dup := v.get(epPrefixes, id); id != o.ID && dup.id("vrf") == o.id("vrf") {
			table := "global table"
			if vrf != nil {
				table = "VRF " + vrf.str("name")
			}
			errs.add("prefix", fmt.Sprintf("Duplicate prefix found in %s: %s", table, dup.str("prefix")))
			return
		}
	}
}

func cleanMAC(v *view, o, old *object, errs fieldErrors) {
	if old == nil {
		return
	}
	typ, _ := old.Fields["assigned_object_type"].(string)
	iface := v.get(interfaceTargets[typ], old.id("assigned_object_id"))
	if iface == nil || iface.id("primary_mac_address") != o.ID {
		return
	}
	switch {
	case o.Fields["assigned_object_id"] == nil:
		errs.add("__all__", "Cannot unassign MAC Address while it is designated as the primary MAC for an object")
	case o.Fields["assigned_object_type"] != typ || o.id("assigned_object_id") != iface.ID:
		errs.add("__all__", "Cannot reassign MAC Address while it is designated as the primary MAC for an object")
	}
}
