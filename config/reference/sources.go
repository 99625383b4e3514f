package reference

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/source/filesystem"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox"
	"github.com/netbox-agent/netbox-agent/activities/source/scanner"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas"
	"github.com/netbox-agent/netbox-agent/config"
)

// module is the import path prefix of the repository's packages.
const module = "github.com/netbox-agent/netbox-agent/"

// sourceDefaults are, per source type, the settings an instance starts
// from before its entry is decoded over them. A test holds it to the
// registered types.
func sourceDefaults() map[string]any {
	return map[string]any{
		"filesystem":    filesystem.Settings{},
		"homeassistant": homeassistant.DefaultSettings(),
		"proxmox":       proxmox.DefaultSettings(),
		"scanner":       scanner.DefaultSettings(),
		"truenas":       truenas.DefaultSettings(),
	}
}

func writeSourceTypes(b *strings.Builder, root string) error {
	b.WriteString("## Source types\n\n")
	b.WriteString("The settings each source type takes in its `sources[]` entry, beside `name`, `type`,\n" +
		"`enabled` and `task_queue`. A setting left out keeps the default shown.\n\n")
	defaults := sourceDefaults()
	types := make([]string, 0, len(defaults))
	for t := range defaults {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, typ := range types {
		v := reflect.ValueOf(defaults[typ])
		dir := strings.TrimPrefix(v.Type().PkgPath(), module)
		docs, err := fieldDocs(root, dir, v.Type().Name())
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "### `%s`\n\n", typ)
		b.WriteString("| key | type | default | meaning |\n| --- | --- | --- | --- |\n")
		fields := yamlFields(v.Type())
		for _, f := range fields {
			fd := docs
			if f.owner != v.Type() {
				if fd, err = fieldDocs(root, strings.TrimPrefix(f.owner.PkgPath(), module), f.owner.Name()); err != nil {
					return err
				}
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", f.key, typeName(f.typ), code(defaultOf(v.FieldByIndex(f.index))), cell(fd.of(f, fields)))
		}
		secrets, err := secretSettings(filepath.Join(root, dir))
		if err != nil {
			return err
		}
		if len(secrets) > 0 {
			b.WriteString("\n| secret | variable | file key | meaning |\n| --- | --- | --- | --- |\n")
			for _, s := range secrets {
				fmt.Fprintf(b, "| `%s` | `%sSOURCES_<NAME>_%s` | `%s_file` | %s |\n",
					s.name, config.EnvPrefix, strings.ToUpper(s.name), s.name, cell(s.doc))
			}
		}
		b.WriteString("\n")
	}
	return nil
}

// field is one key of a struct as YAML decodes it; inlined structs' keys
// are their own, with the struct that declares them as owner.
type field struct {
	key, goName string
	typ         reflect.Type
	index       []int
	owner       reflect.Type
}

func yamlFields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if opts == "inline" {
			for _, f := range yamlFields(sf.Type) {
				f.index = append([]int{i}, f.index...)
				out = append(out, f)
			}
			continue
		}
		out = append(out, field{key: name, goName: sf.Name, typ: sf.Type, index: []int{i}, owner: t})
	}
	return out
}

var durationType = reflect.TypeFor[time.Duration]()

// typeName names a value type as the file writes it.
func typeName(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return "duration"
	case t.Kind() == reflect.Bool:
		return "boolean"
	case t.Kind() == reflect.Int:
		return "integer"
	case t.Kind() == reflect.Float64:
		return "number"
	case t.Kind() == reflect.String:
		return "text"
	case t.Kind() == reflect.Slice:
		return "list of " + typeName(t.Elem())
	case t.Kind() == reflect.Map:
		return "map of " + typeName(t.Elem())
	}
	return t.Kind().String()
}

// defaultOf renders a default as the file would write it; "" for none.
func defaultOf(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == durationType:
		return v.Interface().(time.Duration).String()
	case v.Kind() == reflect.Slice, v.Kind() == reflect.Map:
		if v.Len() == 0 {
			return ""
		}
		if v.Kind() == reflect.Slice {
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = fmt.Sprint(v.Index(i).Interface())
			}
			return "[" + strings.Join(parts, ", ") + "]"
		}
	case v.Kind() == reflect.String && v.String() == "":
		return ""
	}
	return fmt.Sprint(v.Interface())
}

// docs are the doc comments of a struct's fields, by Go name.
type docs map[string]string

// of is the field's doc comment as an operator reads it: the Go names of
// the struct's fields written as their keys, and a secret the code reads
// named as the secret setting.
func (d docs) of(f field, all []field) string {
	text := secretCall.ReplaceAllString(d[f.goName], "the secret `$1`")
	for _, g := range all {
		text = replaceWord(text, g.goName, "`"+g.key+"`")
	}
	return text
}

// replaceWord replaces each whole-word old in text with new.
func replaceWord(text, old, new string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, old)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		end := i + len(old)
		whole := (i == 0 || !isWordByte(text[i-1])) && (end == len(text) || !isWordByte(text[end]))
		b.WriteString(text[:i])
		if whole {
			b.WriteString(new)
		} else {
			b.WriteString(old)
		}
		text = text[end:]
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// secretCall is how a doc comment names a secret the source reads.
var secretCall = regexp.MustCompile(`cfg\.Secret\("([a-z_]+)"\)`)

// fieldDocs reads the doc comments of the fields of struct typeName in
// the package directory dir under root. A field without a comment of its
// own shares the one before it ("Manufacturer and Model make ...").
func fieldDocs(root, dir, typeName string) (docs, error) {
	pkgs, err := parsePackage(filepath.Join(root, dir))
	if err != nil {
		return nil, err
	}
	for _, f := range pkgs {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok || ts.Name.Name != typeName {
					continue
				}
				out := docs{}
				last := ""
				for _, fl := range st.Fields.List {
					text := strings.TrimSpace(fl.Doc.Text())
					if text == "" {
						text = last
					}
					last = text
					for _, n := range fl.Names {
						out[n.Name] = text
					}
				}
				return out, nil
			}
		}
	}
	return nil, fmt.Errorf("reference: no struct %s in %s", typeName, dir)
}

// secret is a secret setting a source type reads.
type secret struct{ name, doc string }

// secretSettings finds the secret settings a source package declares: its
// string constants documented as "the secret setting that holds ...".
func secretSettings(dir string) ([]secret, error) {
	files, err := parsePackage(dir)
	if err != nil {
		return nil, err
	}
	var out []secret
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				doc := vs.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				_, holds, ok := strings.Cut(doc.Text(), "is the secret setting that holds ")
				if !ok || len(vs.Values) != 1 {
					continue
				}
				lit, ok := vs.Values[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				name, err := strconv.Unquote(lit.Value)
				if err != nil {
					return nil, fmt.Errorf("reference: %s: %w", dir, err)
				}
				holds = strings.Join(strings.Fields(holds), " ")
				holds, _, _ = strings.Cut(holds, " (")
				holds, _, _ = strings.Cut(holds, ": ")
				out = append(out, secret{name: name, doc: strings.TrimSuffix(holds, ".")})
			}
		}
	}
	slices.SortFunc(out, func(a, b secret) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// parsePackage parses the non-test Go files of dir, with comments.
func parsePackage(dir string) ([]*ast.File, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("reference: %w", err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("reference: no Go files in %s", dir)
	}
	return files, nil
}
