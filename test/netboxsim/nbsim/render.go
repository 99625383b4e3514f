package nbsim

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// timeLayout is how DRF renders datetimes in UTC.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// renderQuery writes o as a GET asks for it: brief (any non-empty ?brief), only the ?fields
// named (comma-separated; unknown names are ignored, as NetBox does), or in full.
func (v *view) renderQuery(b *bytes.Buffer, k *kindSpec, o *object, q url.Values) {
	if q.Get("brief") == "" && q.Get("fields") != "" {
		v.renderSchema(b, k, o, k.schema, strings.Split(q.Get("fields"), ","), 0)
		return
	}
	v.render(b, k, o, q.Get("brief") != "")
}

// render writes o's full (or brief) representation, in the field order of NetBox's serializer.
func (v *view) render(b *bytes.Buffer, k *kindSpec, o *object, brief bool) {
	switch {
	case !brief:
		v.renderSchema(b, k, o, k.schema, nil, 0)
	case k.Brief != "":
		v.renderSchema(b, k, o, v.st.cat.schemas[k.Brief], nil, 1)
	default:
		v.renderSchema(b, k, o, k.schema, k.BriefFields, 1)
	}
}

// renderSchema writes o with the properties of s (only those in fields, when given). depth
// counts nesting so that nested objects' own references stay brief.
func (v *view) renderSchema(b *bytes.Buffer, k *kindSpec, o *object, s *schemaSpec, fields []string, depth int) {
	b.WriteByte('{')
	first := true
	emit := func(p *propSpec) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, p.Name)
		b.WriteByte(':')
		v.renderProp(b, k, o, p, depth)
	}
	if fields != nil {
		for _, f := range fields {
			if p := s.props[strings.TrimSpace(f)]; p != nil {
				emit(p)
			}
		}
	} else {
		for i := range s.Properties {
			emit(&s.Properties[i])
		}
	}
	b.WriteByte('}')
}

// appendObjectURL appends the URL of object id of k: its API URL, or the
// page of it NetBox's UI shows.
func (v *view) appendObjectURL(dst []byte, k *kindSpec, id int64, api bool) []byte {
	dst = append(dst, v.base...)
	if api {
		dst = append(dst, "/api"...)
	}
	dst = append(dst, '/')
	dst = append(dst, k.Endpoint...)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, id, 10)
	return append(dst, '/')
}

// writeObjectURL writes an object's URL as a JSON string.
func (v *view) writeObjectURL(b *bytes.Buffer, k *kindSpec, id int64, api bool) {
	var text [128]byte
	u := v.appendObjectURL(text[:0], k, id, api)
	if !plainString(u) {
		writeString(b, string(u))
		return
	}
	b.WriteByte('"')
	b.Write(u)
	b.WriteByte('"')
}

// writeInt writes n in decimal.
func writeInt(b *bytes.Buffer, n int64) {
	var digits [20]byte
	b.Write(strconv.AppendInt(digits[:0], n, 10))
}

// writeTime writes t as DRF renders a datetime, in UTC.
func writeTime(b *bytes.Buffer, t time.Time) {
	var text [40]byte
	b.WriteByte('"')
	b.Write(t.UTC().AppendFormat(text[:0], timeLayout))
	b.WriteByte('"')
}

func (v *view) renderProp(b *bytes.Buffer, k *kindSpec, o *object, p *propSpec, depth int) {
	switch p.Name {
	case "id":
		writeInt(b, o.ID)
		return
	case "url":
		v.writeObjectURL(b, k, o.ID, true)
		return
	case "display_url":
		v.writeObjectURL(b, k, o.ID, false)
		return
	case "display":
		writeString(b, k.Display(v, o))
		return
	case "custom_fields":
		v.renderCustomFields(b, k, o)
		return
	case "created":
		writeTime(b, o.Created)
		return
	case "last_updated":
		writeTime(b, o.Updated)
		return
	}
	for _, g := range k.Generic {
		if g.Render == p.Name {
			typ, _ := o.Fields[g.TypeField].(string)
			target := g.Targets[typ]
			id := o.id(g.IDField)
			v.memoized(b, nestedKey{endpoint: target, id: id, depth: briefDepth}, func() {
				if obj := v.get(target, id); obj != nil {
					v.render(b, v.table(target).kind, obj, true)
					return
				}
				b.WriteString("null")
			})
			return
		}
	}
	val, ok := v.value(k, o, p)
	if !ok {
		val = zeroValue(p)
	}
	v.writeValue(b, k, p, val, depth)
}

// value finds a property's value: computed, counted, stored or defaulted.
func (v *view) value(k *kindSpec, o *object, p *propSpec) (any, bool) {
	if f := k.Computed[p.Name]; f != nil {
		return f(v, o), true
	}
	if c, ok := k.Counts[p.Name]; ok {
		key := itoa(o.ID)
		if c.Generic != "" {
			key = c.Generic + ":" + key
		}
		return int64(len(v.table(c.Endpoint).index(c.Field, key))), true
	}
	if val, ok := o.Fields[p.Name]; ok {
		return val, true
	}
	if d, ok := k.Defaults[p.Name]; ok {
		return d, true
	}
	return nil, false
}

func zeroValue(p *propSpec) any {
	if p.Nullable {
		return nil
	}
	switch p.Type {
	case "string":
		return ""
	case "integer":
		return int64(0)
	case "number":
		return 0.0
	case "boolean":
		return false
	case "array":
		return []any{}
	case "object":
		return map[string]any{}
	}
	return nil
}

func (v *view) writeValue(b *bytes.Buffer, k *kindSpec, p *propSpec, val any, depth int) {
	switch p.Type {
	case "choice":
		s := scalarString(val)
		if val == nil || s == "" {
			b.WriteString("null")
			return
		}
		b.WriteString(`{"value":`)
		writeJSON(b, val)
		b.WriteString(`,"label":`)
		writeJSON(b, p.labels[s])
		b.WriteByte('}')
	case "ref":
		id, _ := val.(int64)
		v.writeNested(b, p.Ref, k.relations[p.Name].Target, id, depth)
	case "array":
		ids, isIDs := val.([]int64)
		if p.Items == nil || p.Items.Type != "ref" || !isIDs {
			writeJSON(b, val)
			return
		}
		target := v.st.cat.byBrief[p.Items.Ref]
		b.WriteByte('[')
		for i, id := range ids {
			if i > 0 {
				b.WriteByte(',')
			}
			v.writeNested(b, p.Items.Ref, target, id, depth)
		}
		b.WriteByte(']')
	default:
		writeJSON(b, val)
	}
}

// writeNested writes the object id of endpoint as the nested schema ref names it. A reference
// to a full schema (Service.ipaddresses names IPAddress) is written in brief form, as NetBox's
// nested serializers do.
func (v *view) writeNested(b *bytes.Buffer, ref, endpoint string, id int64, depth int) {
	if endpoint == "" {
		endpoint = v.st.cat.byBrief[ref]
	}
	v.memoized(b, nestedKey{ref: ref, endpoint: endpoint, id: id, depth: depth}, func() {
		v.renderNested(b, ref, endpoint, id, depth)
	})
}

// briefDepth keys the brief form of a generic relation's object in the memo.
const briefDepth = -1

// memoized writes what render writes into b, once per key and request when
// the view keeps a memo; render must write only what the key names.
func (v *view) memoized(b *bytes.Buffer, key nestedKey, render func()) {
	if v.memo == nil {
		render()
		return
	}
	if text, ok := v.memo.nested[key]; ok {
		b.Write(text)
		return
	}
	start := b.Len()
	render()
	v.memo.nested[key] = bytes.Clone(b.Bytes()[start:])
}

// renderNested writes what writeNested does, without the memo.
func (v *view) renderNested(b *bytes.Buffer, ref, endpoint string, id int64, depth int) {
	obj := v.get(endpoint, id)
	if obj == nil {
		b.WriteString("null")
		return
	}
	tk := v.table(endpoint).kind
	if s := v.st.cat.schemas[ref]; s != nil && ref != tk.Schema && depth < 4 {
		v.renderSchema(b, tk, obj, s, nil, depth+1)
		return
	}
	v.render(b, tk, obj, true)
}

func (v *view) renderCustomFields(b *bytes.Buffer, k *kindSpec, o *object) {
	data := o.customFields()
	b.WriteByte('{')
	for i, cf := range v.customFieldsFor(k.ObjectType) {
		if i > 0 {
			b.WriteByte(',')
		}
		name := cf.str("name")
		writeString(b, name)
		b.WriteByte(':')
		typ := cf.str("type")
		if data[name] != nil && (typ == "select" || typ == "multiselect") && v.st.cat.rel.selectLabels() {
			v.writeSelection(b, cf, data[name])
			continue
		}
		writeJSON(b, data[name])
	}
	b.WriteByte('}')
}

// writeJSON appends the JSON encoding of a value; strings and integers, the common cases, skip
// reflection.
func writeJSON(b *bytes.Buffer, val any) {
	switch t := val.(type) {
	case nil:
		b.WriteString("null")
		return
	case string:
		writeString(b, t)
		return
	case int64:
		writeInt(b, t)
		return
	case bool:
		b.WriteString(strconv.FormatBool(t))
		return
	case time.Time:
		writeTime(b, t)
		return
	}
	enc, err := json.Marshal(val)
	if err != nil {
		b.WriteString("null")
		return
	}
	b.Write(enc)
}

// plainString reports whether s is its own JSON text between quotes.
func plainString[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			return false
		}
	}
	return true
}

func writeString(b *bytes.Buffer, s string) {
	if plainString(s) {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		b.WriteString(`""`)
		return
	}
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
