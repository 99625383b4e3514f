package filesystem

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// issue is a problem found at a line of the file being read.
type issue struct {
	line int
	msg  string
}

// ref is a reference as written: a name to look up, an explicit key
// (`{key: proxmox/pve/qemu/100}`), or the enclosing record.
type ref struct {
	name   string
	key    string
	line   int
	parent *entry
}

// entry is one record as read from a file, before keys and references are
// resolved across all files.
type entry struct {
	spec     *kindSpec
	file     string
	line     int
	key      string // explicit key; the computed one after resolution
	attrs    map[string]any
	refs     map[string]ref
	maker    *ref // the manufacturer that qualifies a device_type reference
	host     *ref // a top-level record's device or virtual machine
	hostKind inventory.Kind
	iface    *ref // a top-level MAC or IP address's interface on host
	parent   *entry

	// Set by the resolver.
	label    string            // the name, kept once attrs are released
	hostKey  string            // the device or VM the record belongs to
	resolved map[string]string // reference field -> key
	internal map[string]bool   // references that point to records of this source
	dropped  bool
}

// name is the value of the attribute that names the record, for messages.
func (e *entry) name() string {
	if e.attrs == nil {
		return e.label
	}
	v, ok := e.attrs[e.spec.name]
	if !ok {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// release drops what the entry held for building its record, keeping what
// warnings and the cascade still read: a large inventory would otherwise be
// in memory twice, as entries and as records.
func (e *entry) release() {
	e.label = e.name()
	e.attrs, e.refs, e.resolved = nil, nil, nil
}

func (e *entry) where() string {
	if n := e.name(); n != "" {
		return fmt.Sprintf("%s:%d: %s %q", e.file, e.line, e.spec.kind, n)
	}
	return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.spec.kind)
}

// fileReader turns the nodes of one file into entries and warnings.
type fileReader struct {
	file     string
	entries  []*entry
	warnings []string
}

func (r *fileReader) warn(line int, format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf("%s:%d: ", r.file, line)+fmt.Sprintf(format, args...))
}

// readFile parses one inventory file; name is its path relative to the
// inventory directory and decides the format. A file that cannot be parsed
// is one warning; a record that cannot be read is one warning; neither stops
// the other records.
func readFile(name string, data []byte) ([]*entry, []string) {
	r := &fileReader{file: name}
	var (
		docs   []*node
		issues []issue
		err    error
		def    *kindSpec
	)
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml":
		docs, err = parseYAML(data)
	case ".json":
		docs, err = parseJSON(data)
	case ".csv":
		docs, issues, err = parseCSV(data)
		def = csvKind(name)
	default:
		err = errors.New("unsupported file type")
	}
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: %s", name, err.Error())}
	}
	for _, is := range issues {
		r.warn(is.line, "%s", is.msg)
	}
	for _, d := range docs {
		r.document(d, def)
	}
	return r.entries, r.warnings
}

// csvKind derives the kind of a CSV file's rows from its name: devices.csv,
// device.csv, 20-ip_addresses.csv.
func csvKind(name string) *kindSpec {
	base := strings.ToLower(strings.TrimSuffix(path.Base(name), path.Ext(name)))
	base = strings.ReplaceAll(base, "-", "_")
	if s, ok := specByName[base]; ok {
		return s
	}
	if i := strings.IndexByte(base, '_'); i >= 0 {
		if s, ok := specByName[base[i+1:]]; ok {
			return s
		}
	}
	return nil
}

// document reads a top-level value: a mapping of sections (sites:,
// devices:, records:) or a list of records that each name their kind.
func (r *fileReader) document(n *node, def *kindSpec) {
	switch n.kind {
	case nodeList:
		r.records(n, def)
	case nodeMap:
		for _, f := range n.fields {
			if f.value.kind == nodeNull {
				continue
			}
			if f.name == "records" {
				if f.value.kind != nodeList {
					r.warn(f.line, "records must be a list, not %s", f.value.kind)
					continue
				}
				r.records(f.value, nil)
				continue
			}
			spec, ok := specByName[f.name]
			if !ok || f.name != spec.plural {
				r.warn(f.line, "unknown section %q (sections: records, %s)", f.name, strings.Join(sectionNames(), ", "))
				continue
			}
			if f.value.kind != nodeList {
				r.warn(f.line, "%s must be a list, not %s", f.name, f.value.kind)
				continue
			}
			for _, item := range f.value.items {
				r.record(spec, item, nil, "")
			}
		}
	default:
		r.warn(n.line, "a file holds a mapping of lists (sites:, devices:, ...) or a list of records, not %s", n.kind)
	}
}

func sectionNames() []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.plural
	}
	return out
}

// records reads a list of records, each with a kind: field unless def
// gives the kind (a CSV file named after its kind).
func (r *fileReader) records(n *node, def *kindSpec) {
	for _, item := range n.items {
		spec := def
		if item.kind == nodeMap {
			if f := item.get("kind"); f != nil {
				s, ok := specByName[strings.ToLower(strings.TrimSpace(f.value.text))]
				if f.value.kind != nodeScalar || !ok {
					r.warn(f.line, "unknown kind %q", f.value.text)
					continue
				}
				spec = s
			}
		}
		if spec == nil {
			r.warn(item.line, "record has no kind: add a kind field (or name the CSV file after its kind)")
			continue
		}
		r.record(spec, item, nil, "")
	}
}

// record reads one record of kind spec. parent is the enclosing record when
// the record is nested (an interface inside a device) and parentRef the
// reference field that points to it. A bad record is one warning and is
// skipped together with everything nested in it.
func (r *fileReader) record(spec *kindSpec, n *node, parent *entry, parentRef string) *entry {
	if n.kind == nodeScalar && parent != nil {
		// Nested shorthand: `mac: aa:bb:..` or `ips: [10.0.0.5/24]`.
		n = &node{line: n.line, kind: nodeMap, fields: []*field{{name: spec.name, line: n.line, value: n}}}
	}
	e := &entry{spec: spec, file: r.file, line: n.line, attrs: map[string]any{}, refs: map[string]ref{}, parent: parent}
	if n.kind != nodeMap {
		r.warn(n.line, "a %s must be a mapping, not %s", spec.kind, n.kind)
		return nil
	}
	// Read the name first so that every message can say which record it is about.
	if f := n.get(spec.name); f != nil && f.value.kind == nodeScalar {
		if v, err := convert(spec.attrs[spec.name], f.value); err == nil {
			e.attrs[spec.name] = v
		}
	}
	fail := func(line int, format string, args ...any) *entry {
		msg := fmt.Sprintf(format, args...)
		if name := e.name(); name != "" {
			r.warn(line, "%s %q: %s", spec.kind, name, msg)
		} else {
			r.warn(line, "%s: %s", spec.kind, msg)
		}
		return nil
	}
	var nested []*field
	seen := make(map[string]bool, len(n.fields))
	for _, f := range n.fields {
		if seen[f.name] {
			return fail(f.line, "field %q given twice", f.name)
		}
		seen[f.name] = true
		if f.value.kind == nodeNull {
			continue
		}
		if parent != nil && f.name == parentRef {
			return fail(f.line, "%s is given by the enclosing %s", f.name, parent.spec.kind)
		}
		if err := r.field(e, f, &nested); err != nil {
			return fail(f.line, "%s", err.Error())
		}
	}
	for _, a := range spec.kind.Decl().RequiredAttrs() {
		if _, ok := e.attrs[a]; !ok {
			return fail(n.line, "missing %s", a)
		}
	}
	if o := spec.owner; o != nil && parent == nil {
		switch {
		case e.host == nil && e.key == "" && !o.optional:
			return fail(n.line, "missing %s (the record it belongs to)", hostFields(o.hosts))
		case o.viaIface && e.host != nil && e.iface == nil:
			return fail(n.line, "missing interface (the %s's interface it belongs to)", e.hostKind)
		case o.viaIface && e.host == nil && e.iface != nil:
			return fail(n.line, "interface needs %s", hostFields(o.hosts))
		}
	}
	if parent != nil {
		e.refs[parentRef] = ref{parent: parent, line: n.line}
	}
	r.entries = append(r.entries, e)
	for _, f := range nested {
		r.children(e, f)
	}
	return e
}

// field reads one field of e; nested lists are kept for after the record
// itself proved good.
func (r *fileReader) field(e *entry, f *field, nested *[]*field) error {
	spec := e.spec
	if f.name == "key" {
		if f.value.kind != nodeScalar || strings.TrimSpace(f.value.text) == "" {
			return errors.New("key must be a non-empty value")
		}
		e.key = strings.TrimSpace(f.value.text)
		return nil
	}
	if f.name == "kind" {
		s, ok := specByName[strings.ToLower(strings.TrimSpace(f.value.text))]
		if f.value.kind != nodeScalar || !ok || s != spec {
			return fmt.Errorf("kind %q does not belong in %s", f.value.text, spec.plural)
		}
		return nil
	}
	if as, ok := spec.attrs[f.name]; ok {
		v, err := convert(as, f.value)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		e.attrs[f.name] = v
		return nil
	}
	if _, ok := spec.refs[f.name]; ok {
		rv, err := readRef(f)
		if err != nil {
			return err
		}
		e.refs[f.name] = rv
		return nil
	}
	if _, ok := spec.children[f.name]; ok {
		*nested = append(*nested, f)
		return nil
	}
	if f.name == "manufacturer" && spec.refs["device_type"] != (refSpec{}) {
		rv, err := readRef(f)
		if err != nil {
			return err
		}
		e.maker = &rv
		return nil
	}
	if o := spec.owner; o != nil {
		for _, h := range o.hosts {
			if f.name != hostField[h] {
				continue
			}
			if e.parent != nil {
				return fmt.Errorf("%s is given by the enclosing %s", f.name, e.parent.spec.kind)
			}
			if e.host != nil {
				return fmt.Errorf("give either %s, not both", hostFields(o.hosts))
			}
			rv, err := readRef(f)
			if err != nil {
				return err
			}
			e.host, e.hostKind = &rv, h
			return nil
		}
		if o.viaIface && f.name == "interface" {
			if e.parent != nil {
				return fmt.Errorf("interface is given by the enclosing %s", e.parent.spec.kind)
			}
			rv, err := readRef(f)
			if err != nil {
				return err
			}
			if rv.key != "" {
				return errors.New("interface is named, not given by key: name its device or virtual_machine too")
			}
			e.iface = &rv
			return nil
		}
	}
	return fmt.Errorf("unknown field %q", f.name)
}

// children reads a nested list (or a single nested value) of e.
func (r *fileReader) children(e *entry, f *field) {
	spec := specByKind[e.spec.children[f.name]]
	items := []*node{f.value}
	if f.value.kind == nodeList {
		items = f.value.items
	}
	link := ""
	if spec.owner != nil {
		link = spec.owner.ref
	} else {
		for name, rs := range spec.refs {
			if rs.kind == e.spec.kind {
				link = name
			}
		}
	}
	for _, item := range items {
		r.record(spec, item, e, link)
	}
}

func hostFields(kinds []inventory.Kind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = hostField[k]
	}
	sort.Strings(names)
	return strings.Join(names, " or ")
}

// readRef reads a reference: a name, or a mapping with an explicit key for
// records of other sources.
func readRef(f *field) (ref, error) {
	switch f.value.kind {
	case nodeScalar:
		name := strings.TrimSpace(f.value.text)
		if name == "" {
			return ref{}, fmt.Errorf("%s: empty name", f.name)
		}
		return ref{name: name, line: f.line}, nil
	case nodeMap:
		k := f.value.get("key")
		if len(f.value.fields) != 1 || k == nil || k.value.kind != nodeScalar || strings.TrimSpace(k.value.text) == "" {
			return ref{}, fmt.Errorf("%s: a reference is a name or {key: <key>}", f.name)
		}
		return ref{key: strings.TrimSpace(k.value.text), line: f.line}, nil
	}
	return ref{}, fmt.Errorf("%s: a reference is a name or {key: <key>}, not %s", f.name, f.value.kind)
}
