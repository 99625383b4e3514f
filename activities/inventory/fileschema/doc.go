package fileschema

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// The fields table of docs/inventory-files.md lies between these lines.
const (
	tableStart = "<!-- fields: made from the kind declarations by go generate ./activities/inventory/fileschema; edit those, not this table -->\n"
	tableEnd   = "<!-- end of fields -->\n"
)

// UpdateDoc returns doc with its fields table made anew.
func UpdateDoc(doc []byte) ([]byte, error) {
	start := bytes.Index(doc, []byte(tableStart))
	end := bytes.Index(doc, []byte(tableEnd))
	if start < 0 || end < start {
		return nil, errors.New("update inventory-files doc: no fields table markers")
	}
	var b bytes.Buffer
	b.Write(doc[:start+len(tableStart)])
	b.WriteString(FieldsTable())
	b.Write(doc[end:])
	return b.Bytes(), nil
}

// FieldsTable is the Markdown table of what each kind takes in a file.
func FieldsTable() string {
	var b strings.Builder
	b.WriteString("| kind | fields | references | required |\n| --- | --- | --- | --- |\n")
	for _, d := range inventory.Declarations() {
		var fields, refs, required []string
		if d.Parent != "" {
			refs = append(refs, owner(d))
		}
		for i := range d.Fields {
			f := &d.Fields[i]
			if !f.InFiles() || f.Name == "description" || f.Name == "tags" {
				continue
			}
			switch {
			case f.Name == d.Parent:
			case f.IsRef():
				refs = append(refs, refLabel(f))
			default:
				fields = append(fields, fieldLabel(f))
			}
			switch {
			case !f.Required:
			case f.Name == d.Parent:
				required = append(required, owner(d))
			default:
				required = append(required, f.Name)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", d.Kind, strings.Join(fields, ", "), strings.Join(refs, ", "),
			strings.Join(required, ", "))
	}
	return b.String()
}

// owner names the record a kind belongs to as a file names it.
func owner(d *inventory.Decl) string {
	hosts := inventory.HostsOf(d.Kind)
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = string(h)
	}
	if d.Field(d.Parent).Targets[0].Decl().Parent != "" {
		return "interface (with " + strings.Join(names, " or ") + ")"
	}
	return strings.Join(names, " or ")
}

func refLabel(f *inventory.Field) string {
	if f.QualifiedBy != "" {
		return f.Name + " (+ " + f.QualifiedBy + ")"
	}
	return f.Name
}

func fieldLabel(f *inventory.Field) string {
	switch f.Type {
	case inventory.TypeChoice:
		if f.OpenChoices {
			return f.Name + " (NetBox's, by release: " + strings.Join(f.Choices[:min(4, len(f.Choices))], ", ") + ", ...)"
		}
		return f.Name + " (" + strings.Join(f.Choices, ", ") + ")"
	case inventory.TypeMegabytes:
		return f.Name + " (MB)"
	case inventory.TypeColor:
		return f.Name + " (six hex digits, `#` optional)"
	case inventory.TypePorts:
		return f.Name + " (list)"
	}
	return f.Name
}
