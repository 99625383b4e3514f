package filesystem

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// resolveRefs turns every reference of e into a key.
func (r *resolver) resolveRefs(e *entry) {
	if e.resolved == nil {
		e.resolved = map[string]string{}
		e.internal = map[string]bool{}
	}
	if e.internal == nil {
		e.internal = map[string]bool{}
	}
	if _, ok := e.refs["site"]; !ok && r.defaultSite != "" && slices.Contains(e.spec.kind.Decl().RequiredRefs(), "site") {
		e.refs["site"] = ref{name: r.defaultSite, line: e.line}
	}
	fields := make([]string, 0, len(e.refs))
	for f := range e.refs {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		rv := e.refs[f]
		if e.spec.owner != nil && f == e.spec.owner.ref {
			continue // resolved with the key
		}
		key, internal, err := r.resolveRef(e, f, rv)
		if err != nil && strings.HasPrefix(f, "primary_ip") {
			// A wrong primary address is not worth losing the device over.
			r.warnings = append(r.warnings, fmt.Sprintf("%s: %s: %s; left unset", e.where(), f, err.Error()))
			continue
		}
		if err != nil {
			r.drop(e, "%s: %s", f, err.Error())
			return
		}
		e.resolved[f] = key
		e.internal[f] = internal
	}
	if e.maker != nil && e.refs["device_type"] == (ref{}) {
		r.drop(e, "manufacturer is given without device_type")
	}
}

func (r *resolver) resolveRef(e *entry, f string, rv ref) (string, bool, error) {
	rs := e.spec.refs[f]
	switch {
	case rv.parent != nil:
		if rv.parent.dropped {
			return "", false, fmt.Errorf("the enclosing %s was skipped", rv.parent.spec.kind)
		}
		return rv.parent.key, true, nil
	case rv.key != "":
		return rv.key, r.byKey[rv.key] != nil, nil
	case rs.kind == inventory.KindDeviceType:
		return r.deviceType(e, rv)
	case rs.kind == inventory.KindLocation && r.byKey[inventory.SharedKey(rs.kind, rv.name)] == nil && e.refs["site"].name == "":
		return "", false, fmt.Errorf("location %q is not declared and has no site to be created in", rv.name)
	case rs.kind.Shared():
		return r.sharedRef(e, rs.kind, rv.name, rv.name, nil), false, nil
	case rs.kind == inventory.KindIPAddress:
		return r.primaryIP(e, f, rv)
	}
	nk := nameKey{kind: rs.kind, name: rv.name}
	if rs.host {
		nk.scope = e.hostKey
	}
	target, err := r.lookup(nk)
	if err != nil {
		return "", false, err
	}
	if target == e {
		return "", false, fmt.Errorf("%s refers to itself", f)
	}
	return target.key, true, nil
}

// deviceType resolves `device_type: R640` with the device's manufacturer,
// or by model among the declared device types when no manufacturer is given.
func (r *resolver) deviceType(e *entry, rv ref) (string, bool, error) {
	if e.maker == nil {
		dt, err := r.lookup(nameKey{kind: inventory.KindDeviceType, name: rv.name})
		if err != nil {
			return "", false, fmt.Errorf("%w: give its manufacturer or declare it in device_types", err)
		}
		return dt.key, false, nil
	}
	if e.maker.name == "" {
		return "", false, fmt.Errorf("device type %q needs its manufacturer by name", rv.name)
	}
	maker := r.sharedRef(e, inventory.KindManufacturer, e.maker.name, e.maker.name, nil)
	return r.sharedRef(e, inventory.KindDeviceType, rv.name, e.maker.name+" "+rv.name, map[string]string{"manufacturer": maker}), false, nil
}

// sharedRef returns the key of a shared record named by e and records it
// as implicit, so that naming a site is enough to create it. keyName is
// the name the key is made of (a device type's manufacturer and model).
func (r *resolver) sharedRef(e *entry, kind inventory.Kind, name, keyName string, refs map[string]string) string {
	key := inventory.SharedKey(kind, keyName)
	rec, ok := r.implicit[key]
	if !ok {
		nr := source.NewRecord(kind, key)
		rec = &nr
		rec.Set(specByKind[kind].name, name)
		for f, k := range refs {
			rec.Ref(f, k)
		}
		if s := e.refs["site"]; kind == inventory.KindLocation && s.name != "" {
			rec.Ref("site", r.sharedRef(e, inventory.KindSite, s.name, s.name, nil))
		}
		r.implicit[key] = rec
	}
	if kind == inventory.KindDeviceRole && e.spec.kind == inventory.KindVirtualMachine {
		rec.Set("vm_role", true)
	}
	return key
}

// primaryIP resolves primary_ip4/primary_ip6 among the record's own
// addresses, by address with or without prefix length.
func (r *resolver) primaryIP(e *entry, f string, rv ref) (string, bool, error) {
	want := bareAddr(rv.name)
	a, err := netip.ParseAddr(want)
	if err != nil {
		return "", false, fmt.Errorf("%q is not an IP address", rv.name)
	}
	if (f == "primary_ip4") != a.Is4() {
		return "", false, fmt.Errorf("%s is not an IPv%s address", rv.name, strings.TrimPrefix(f, "primary_ip"))
	}
	ip, err := r.lookup(nameKey{kind: inventory.KindIPAddress, scope: e.key, name: want})
	if err != nil {
		return "", false, fmt.Errorf("%w among the addresses of its interfaces", err)
	}
	return ip.key, true, nil
}

// bareAddr returns the address of a CIDR or bare IP in canonical form.
func bareAddr(s string) string {
	n, ok := inventory.NormalizeIP(s)
	if !ok {
		return strings.TrimSpace(s)
	}
	return strings.SplitN(n, "/", 2)[0]
}
