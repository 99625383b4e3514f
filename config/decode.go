package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// nodeDecoder walks a yaml.Node tree against a Go value by its yaml tags.
// yaml.v3's KnownFields reports lines but neither key paths nor more than
// one problem, and it does not apply to yaml.Node.Decode; walking the tree
// ourselves gives all three.
type nodeDecoder struct {
	// file prefixes every line number ("netbox-agent.yaml:12").
	file string
	// origins, when not nil, records where each scalar came from.
	origins map[string]string
	errs    []error
}

// nodeUnmarshaler is implemented by types that decode their own mapping
// (Source keeps the keys it does not know for its source type).
type nodeUnmarshaler interface {
	decodeNode(d *nodeDecoder, n *yaml.Node, path string)
}

const maxDepth = 64

var (
	durationType     = reflect.TypeFor[Duration]()
	timeDurationType = reflect.TypeFor[time.Duration]()
	unmarshalerType  = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshaler  = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func (d *nodeDecoder) at(n *yaml.Node) string {
	if d.file == "" {
		return fmt.Sprintf("line %d", n.Line)
	}
	return fmt.Sprintf("%s:%d", d.file, n.Line)
}

func (d *nodeDecoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, fieldErr(d.at(n), path, format, args...))
}

func (d *nodeDecoder) record(n *yaml.Node, path string) {
	if d.origins != nil {
		d.origins[path] = d.at(n)
	}
}

// decode stores what n says into v; problems are collected, not returned,
// so that one run reports every mistake in the file.
func (d *nodeDecoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.decodeDepth(n, v, path, 0)
}

func (d *nodeDecoder) decodeDepth(n *yaml.Node, v reflect.Value, path string, depth int) {
	if depth > maxDepth {
		d.fail(n, path, "nested too deeply")
		return
	}
	switch n.Kind {
	case 0:
		// An empty file parses to a zero node: nothing to set.
		return
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return
		}
		d.decodeDepth(n.Content[0], v, path, depth+1)
		return
	case yaml.AliasNode:
		d.decodeDepth(n.Alias, v, path, depth+1)
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		// An empty value keeps the default, as if the key were absent.
		return
	}
	if v.CanAddr() {
		if u, ok := v.Addr().Interface().(nodeUnmarshaler); ok {
			u.decodeNode(d, n, path)
			return
		}
	}
	t := v.Type()
	switch {
	case t == durationType || t == timeDurationType:
		d.scalar(n, v, path)
		return
	case t.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decodeDepth(n, v.Elem(), path, depth+1)
		return
	case reflect.PointerTo(t).Implements(unmarshalerType) && v.CanAddr():
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.fail(n, path, "%s", yamlErrText(err))
		}
		d.record(n, path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.structure(n, v, path, depth)
	case reflect.Slice:
		d.sequence(n, v, path, depth)
	case reflect.Map:
		d.mapping(n, v, path, depth)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.fail(n, path, "%s", yamlErrText(err))
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		d.record(n, path)
	default:
		d.scalar(n, v, path)
	}
}

// pair is one key and value of a mapping.
type pair struct {
	key, value *yaml.Node
	merged     bool
}

// pairs lists a mapping's entries with YAML merge keys ("<<: *base")
// expanded; explicit keys come last so that they override merged ones.
func (d *nodeDecoder) pairs(n *yaml.Node, path string) []pair {
	var merged, own []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			for _, m := range mergeSources(val) {
				for j := 0; j+1 < len(m.Content); j += 2 {
					merged = append(merged, pair{key: m.Content[j], value: m.Content[j+1], merged: true})
				}
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "keys must be plain strings")
			continue
		}
		own = append(own, pair{key: k, value: val})
	}
	return append(merged, own...)
}

func mergeSources(n *yaml.Node) []*yaml.Node {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{n}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range n.Content {
			out = append(out, mergeSources(c)...)
		}
		return out
	}
	return nil
}

// isExtension reports whether a key is an extension key ("x-defaults"),
// ignored by the decoder so that a file can hold anchors for merge keys, as
// in Compose files.
func isExtension(key string) bool { return strings.HasPrefix(key, "x-") }

// keyPath joins a parent path and a key.
func keyPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func (d *nodeDecoder) structure(n *yaml.Node, v reflect.Value, path string, depth int) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	d.record(n, path)
	fields := fieldsOf(v.Type())
	seen := map[string]bool{}
	for _, p := range d.pairs(n, path) {
		name := p.key.Value
		kp := keyPath(path, name)
		if !p.merged {
			if seen[name] {
				d.fail(p.key, kp, "duplicate key")
				continue
			}
			seen[name] = true
		}
		if isExtension(name) {
			continue
		}
		f, ok := fields[name]
		if !ok {
			d.fail(p.key, kp, "unknown key%s", suggest(name, fields))
			continue
		}
		d.decodeDepth(p.value, v.FieldByIndex(f.index), kp, depth+1)
	}
}

func (d *nodeDecoder) sequence(n *yaml.Node, v reflect.Value, path string, depth int) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", describe(n))
		return
	}
	// A list in the file replaces the default list; it does not extend it.
	if len(n.Content) == 0 {
		v.Set(reflect.Zero(v.Type()))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		d.decodeDepth(c, out.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
	}
	v.Set(out)
}

func (d *nodeDecoder) mapping(n *yaml.Node, v reflect.Value, path string, depth int) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.fail(n, path, "unsupported map key type %s", t.Key())
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	seen := map[string]bool{}
	for _, p := range d.pairs(n, path) {
		kp := keyPath(path, p.key.Value)
		if !p.merged {
			if seen[p.key.Value] {
				d.fail(p.key, kp, "duplicate key")
				continue
			}
			seen[p.key.Value] = true
		}
		elem := reflect.New(t.Elem()).Elem()
		d.decodeDepth(p.value, elem, kp, depth+1)
		v.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(t.Key()), elem)
	}
}

// scalar decodes one scalar; YAML's own typing decides what it is, so
// `batch_size: "100"` (a quoted string) is not an integer.
func (d *nodeDecoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected %s, got %s", want(v.Type()), describe(n))
		return
	}
	if err := setScalar(v, n.Value, n.Tag); err != nil {
		d.fail(n, path, "%s", err.Error())
		return
	}
	d.record(n, path)
}

// field is a struct field as the decoder sees it.
type field struct {
	index []int
}

// fieldsOf maps yaml key names to fields, following yaml.v3's rules: the
// tag's name, else the lower-cased field name; ",inline" flattens a struct.
func fieldsOf(t reflect.Type) map[string]field {
	out := map[string]field{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") && sf.Type.Kind() == reflect.Struct {
			for k, f := range fieldsOf(sf.Type) {
				out[k] = field{index: append([]int{i}, f.index...)}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		out[name] = field{index: []int{i}}
	}
	return out
}
