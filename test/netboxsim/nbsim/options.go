package nbsim

import (
	"bytes"
	"net/http"
	"strings"
)

// OPTIONS answers the endpoint's metadata as DRF's SimpleMetadata does under NetBox's
// BulkOperationMetadata (netbox/api/metadata.py): the serializer's fields for each write
// method the view allows, each with its type, whether it is required or read-only, its label
// and, for a writable choice field, its choices as [{"value", "display_name"}].
func (s *Server) serveOptions(w http.ResponseWriter, r *http.Request, k *kindSpec) {
	detailView := strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 3
	fields := optionFields(k)
	actions := map[string]any{"PUT": fields}
	name := k.Verbose
	if !detailView {
		// A list endpoint takes bulk updates too, so it allows both.
		actions["POST"] = fields
		name += " List"
	} else {
		name += " Instance"
	}
	writeBody(w, http.StatusOK, map[string]any{
		"name":        capfirstWords(name),
		"description": "",
		"renders":     []string{"application/json", "text/html"},
		"parses":      []string{"application/json", "multipart/form-data"},
		"actions":     actions,
	})
}

// optionFields describes k's serializer fields in their order.
func optionFields(k *kindSpec) orderedFields {
	out := orderedFields{}
	for i := range k.schema.Properties {
		p := &k.schema.Properties[i]
		req := k.request.props[p.Name]
		info := orderedFields{{"type", metadataType(p, req)}, {"required", req != nil && k.request.required[p.Name]},
			{"read_only", req == nil}, {"label", fieldLabel(p.Name)}}
		if req != nil && req.MaxLength > 0 {
			info = append(info, field{"max_length", req.MaxLength})
		}
		if req != nil && len(req.Enum) > 0 && k.relations[p.Name].Target == "" {
			info = append(info, field{"choices", req.choiceList(p.labels)})
		}
		out = append(out, field{p.Name, info})
	}
	return out
}

// metadataType is DRF's label_lookup of the field's serializer class. NetBox's ChoiceField is
// a plain serializers.Field, so choices are "field".
func metadataType(p, req *propSpec) string {
	switch {
	case p.Type == "choice" || (req != nil && len(req.Enum) > 0):
		return "field"
	case p.Type == "ref":
		return "nested object"
	case p.Type == "array":
		return "list"
	case p.Type == "integer":
		return "integer"
	case p.Type == "number":
		return "float"
	case p.Type == "boolean":
		return "boolean"
	case p.Type == "object" || p.Type == "any":
		return "json"
	case p.Format == "date-time":
		return "datetime"
	case p.Format == "uri":
		return "url"
	}
	return "string"
}

// fieldLabel is the verbose name a field's label shows: capitalised, underscores as spaces.
func fieldLabel(name string) string {
	return capfirst(strings.ReplaceAll(strings.TrimPrefix(name, "_"), "_", " "))
}

func capfirstWords(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = capfirst(w)
	}
	return strings.Join(words, " ")
}

// field is one name and value of an orderedFields.
type field struct {
	name string
	val  any
}

// orderedFields is a JSON object that keeps its keys in order, as DRF's OrderedDicts do.
type orderedFields []field

// MarshalJSON writes the fields as one object, in order.
func (f orderedFields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(&b, x.name)
		b.WriteByte(':')
		writeJSON(&b, x.val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
