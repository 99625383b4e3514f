package filesystem

import (
	"fmt"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// sourceType is the registered type name and the first part of every key
// this source makes.
const sourceType = "filesystem"

// nameKey finds a record by what a person writes: its kind, the device or
// VM it belongs to (for interfaces and addresses) and its name.
type nameKey struct {
	kind  inventory.Kind
	scope string
	name  string
}

// resolver joins the entries of every file: it gives each a key, turns the
// names they reference into keys, creates the shared records they name
// implicitly and drops what references nothing.
type resolver struct {
	b           *source.Builder
	defaultSite string
	byKey       map[string]*entry
	index       map[nameKey][]*entry
	implicit    map[string]*inventory.Record
	warnings    []string
}

func newResolver(b *source.Builder, defaultSite string) *resolver {
	return &resolver{
		b:           b,
		defaultSite: defaultSite,
		implicit:    map[string]*inventory.Record{},
	}
}

func (r *resolver) drop(e *entry, format string, args ...any) {
	e.dropped = true
	r.warnings = append(r.warnings, e.where()+": "+fmt.Sprintf(format, args...))
}

// resolve adds the records of entries to the builder and returns what was
// wrong.
func (r *resolver) resolve(entries []*entry) []string {
	// Every entry has a key and a name: the maps are made that size once
	// instead of grown record by record.
	r.byKey = make(map[string]*entry, len(entries))
	r.index = make(map[nameKey][]*entry, len(entries))
	byKind := map[inventory.Kind][]*entry{}
	for _, e := range entries {
		byKind[e.spec.kind] = append(byKind[e.spec.kind], e)
	}
	// Kinds are in dependency order, so every owner has its key before the
	// records whose keys extend it.
	for _, k := range inventory.Kinds() {
		for _, e := range byKind[k] {
			r.assignKey(e)
		}
	}
	for _, k := range inventory.Kinds() {
		for _, e := range byKind[k] {
			if !e.dropped {
				r.resolveRefs(e)
			}
		}
	}
	recs := make([]inventory.Record, 0, len(entries)+len(r.implicit))
	for _, k := range inventory.Kinds() {
		for _, e := range byKind[k] {
			if e.dropped {
				continue
			}
			rec := r.record(e)
			if missing := missingRefs(rec); len(missing) > 0 {
				r.drop(e, "missing %s", strings.Join(missing, ", "))
				continue
			}
			if err := rec.Validate(); err != nil {
				r.drop(e, "%s", err.Error())
				continue
			}
			recs = append(recs, rec)
			e.release()
		}
	}
	implicitKeys := make([]string, 0, len(r.implicit))
	for k := range r.implicit {
		if _, declared := r.byKey[k]; !declared {
			implicitKeys = append(implicitKeys, k)
		}
	}
	sort.Strings(implicitKeys)
	for _, k := range implicitKeys {
		rec := r.implicit[k]
		if err := rec.Validate(); err != nil {
			r.warnings = append(r.warnings, fmt.Sprintf("%s %q named by other records: %s", rec.Kind, k, err.Error()))
			continue
		}
		recs = append(recs, *rec)
	}
	for _, rec := range r.cascade(recs) {
		r.b.Add(rec)
	}
	return r.warnings
}

// assignKey computes e's key: the shared key of its name for shared kinds,
// the owner's key plus its own part for nested kinds (interfaces, MACs,
// IPs, disks, services), or a key qualified by this source instance.
func (r *resolver) assignKey(e *entry) {
	spec := e.spec
	if o := spec.owner; o != nil {
		owner, ok := r.owner(e)
		if !ok {
			return
		}
		e.resolved = map[string]string{}
		if owner != "" {
			e.resolved[o.ref] = owner
			e.internal = map[string]bool{o.ref: r.byKey[owner] != nil}
		}
		if e.key == "" {
			var tail string
			if o.keyByName {
				tail = inventory.Key(spec.keyPart, e.name())
			} else {
				tail = inventory.Key(spec.keyPart)
			}
			if owner == "" {
				e.key = r.b.Key() + "/" + tail
			} else {
				e.key = owner + "/" + tail
			}
		}
	} else if e.key == "" {
		switch {
		case spec.kind == inventory.KindDeviceType:
			maker := e.refs["manufacturer"]
			if maker.name == "" {
				r.drop(e, "missing manufacturer (by name) or key")
				return
			}
			e.key = inventory.SharedKey(spec.kind, maker.name+" "+e.name())
		case spec.kind.Shared():
			e.key = inventory.SharedKey(spec.kind, e.name())
		default:
			e.key = r.b.Key(spec.keyPart, e.name())
		}
	}
	if e.hostKey == "" && hostIface[spec.kind] != "" {
		e.hostKey = e.key
	}
	if first, dup := r.byKey[e.key]; dup {
		r.drop(e, "same key %q as the %s at %s:%d; skipped", e.key, first.spec.kind, first.file, first.line)
		return
	}
	r.byKey[e.key] = e
	nk := nameKey{kind: spec.kind, name: e.name()}
	switch spec.kind {
	case inventory.KindInterface, inventory.KindVMInterface:
		nk.scope = e.hostKey
	case inventory.KindIPAddress:
		nk.scope, nk.name = e.hostKey, bareAddr(e.name())
	}
	r.index[nk] = append(r.index[nk], e)
}

// owner finds the key of the record e's key extends: the enclosing record,
// or the device/VM (and interface) a top-level record names. "" with ok
// means a record that may stand alone.
func (r *resolver) owner(e *entry) (string, bool) {
	if p := e.parent; p != nil {
		if p.dropped || p.key == "" {
			// The enclosing record's warning covers what is nested in it.
			e.dropped = true
			return "", false
		}
		e.hostKey = p.hostKey
		return p.key, true
	}
	if e.host == nil {
		return "", true
	}
	host := e.host.key
	if host == "" {
		h, err := r.lookup(nameKey{kind: e.hostKind, name: e.host.name})
		if err != nil {
			r.drop(e, "%s: %s", hostField[e.hostKind], err.Error())
			return "", false
		}
		host = h.key
	}
	e.hostKey = host
	if e.iface == nil {
		return host, true
	}
	ik := hostIface[e.hostKind]
	if r.byKey[host] == nil {
		// A host of another source: its interface keys extend its key.
		return host + "/" + inventory.Key("iface", e.iface.name), true
	}
	iface, err := r.lookup(nameKey{kind: ik, scope: host, name: e.iface.name})
	if err != nil {
		r.drop(e, "interface: %s", err.Error())
		return "", false
	}
	return iface.key, true
}

// lookup finds the one live record a name refers to.
func (r *resolver) lookup(nk nameKey) (*entry, error) {
	var live []*entry
	for _, e := range r.index[nk] {
		if !e.dropped {
			live = append(live, e)
		}
	}
	switch len(live) {
	case 0:
		if len(r.index[nk]) > 0 {
			return nil, fmt.Errorf("%s %q was skipped", nk.kind, nk.name)
		}
		return nil, fmt.Errorf("no %s %q", nk.kind, nk.name)
	case 1:
		return live[0], nil
	}
	return nil, fmt.Errorf("%s %q is ambiguous (%s:%d and %s:%d); give a key", nk.kind, nk.name,
		live[0].file, live[0].line, live[1].file, live[1].line)
}

func (r *resolver) record(e *entry) inventory.Record {
	rec := source.NewRecord(e.spec.kind, e.key)
	for name, v := range e.attrs {
		rec.Set(name, v)
	}
	for f, k := range e.resolved {
		rec.Ref(f, k)
	}
	return rec
}

// cascade drops records whose references point to records of this source
// that were skipped, until nothing changes; a primary IP that was skipped
// only loses the reference.
func (r *resolver) cascade(recs []inventory.Record) []inventory.Record {
	live := make(map[string]bool, len(recs))
	for _, rec := range recs {
		live[rec.Key] = true
	}
	for changed := true; changed; {
		changed = false
		for i := range recs {
			rec := &recs[i]
			if !live[rec.Key] {
				continue
			}
			e := r.byKey[rec.Key]
			if e == nil || e.dropped {
				continue
			}
			for _, f := range sortedKeys(rec.Refs) {
				target := rec.Refs[f]
				if !e.internal[f] || live[target] {
					continue
				}
				if strings.HasPrefix(f, "primary_ip") {
					delete(rec.Refs, f)
					r.warnings = append(r.warnings, e.where()+": "+f+": the address was skipped; left unset")
					continue
				}
				if e.parent != nil && e.parent.key == target {
					e.dropped = true // skipped with the record it is nested in
				} else {
					r.drop(e, "%s: the %s it refers to was skipped", f, r.byKey[target].spec.kind)
				}
				live[rec.Key] = false
				changed = true
				break
			}
		}
	}
	out := recs[:0]
	for _, rec := range recs {
		if live[rec.Key] {
			out = append(out, rec)
		}
	}
	return out
}

// missingRefs lists the required references rec lacks.
func missingRefs(rec inventory.Record) []string {
	var out []string
	for _, f := range rec.Kind.Decl().RequiredRefs() {
		if rec.Refs[f] == "" {
			out = append(out, f)
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
