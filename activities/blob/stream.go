package blob

import (
	"encoding/json"
	"io"
	"reflect"
	"strings"
)

// encodeStream writes v as JSON the way encoding/json would, except that
// slices (at the top and in the fields of a top-level struct) are written
// element by element: encoding/json builds a whole document in memory
// before writing it, which for a 100,000-record inventory or plan is as
// large as the records themselves.
func encodeStream(w io.Writer, v any) error {
	enc := &elemEncoder{w: w, json: json.NewEncoder(w)}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if each, ok := v.(streamed); ok {
		return encodeEach(w, enc, each)
	}
	switch {
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8:
		return encodeSlice(w, enc, rv)
	case rv.Kind() == reflect.Struct && streamable(rv.Type()):
		return encodeStruct(w, enc, rv)
	}
	return enc.json.Encode(v)
}

// jsonAppender is a value that writes its own JSON, as json.Marshal
// would, without encoding/json's reflection (inventory.Record).
type jsonAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// elemEncoder writes the elements of a streamed array.
type elemEncoder struct {
	w    io.Writer
	json *json.Encoder
	buf  []byte
}

// encode writes v as json.Encoder.Encode does, through its AppendJSON
// when it has one.
func (e *elemEncoder) encode(v any) error {
	a, ok := v.(jsonAppender)
	if !ok {
		return e.json.Encode(v)
	}
	b, err := a.AppendJSON(e.buf[:0])
	if err != nil {
		return err
	}
	e.buf = append(b, '\n')
	_, err = e.w.Write(e.buf)
	return err
}

// streamable reports whether encodeStruct can write t: no embedded fields
// and no custom marshaller, whose rules it does not repeat.
func streamable(t reflect.Type) bool {
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return false
	}
	for i := range t.NumField() {
		if t.Field(i).Anonymous {
			return false
		}
	}
	return true
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// streamed is an array whose elements are made as it is written (PutEach).
type streamed func(put func(v any) error) error

// encodeEach writes the array each puts, as encodeSlice writes a slice.
func encodeEach(w io.Writer, enc *elemEncoder, each streamed) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	first := true
	err := each(func(v any) error {
		if !first {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		first = false
		return enc.encode(v)
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "]")
	return err
}

func encodeSlice(w io.Writer, enc *elemEncoder, rv reflect.Value) error {
	if rv.IsNil() {
		_, err := io.WriteString(w, "null")
		return err
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for i := range rv.Len() {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		ev := rv.Index(i)
		v := ev.Interface()
		if ev.CanAddr() {
			if a, ok := ev.Addr().Interface().(jsonAppender); ok {
				v = a
			}
		}
		if err := enc.encode(v); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]")
	return err
}

func encodeStruct(w io.Writer, enc *elemEncoder, rv reflect.Value) error {
	t := rv.Type()
	if _, err := io.WriteString(w, "{"); err != nil {
		return err
	}
	first := true
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fv := rv.Field(i)
		if strings.Contains(","+opts+",", ",omitempty,") && empty(fv) {
			continue
		}
		if !first {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		first = false
		if err := enc.json.Encode(name); err != nil {
			return err
		}
		if _, err := io.WriteString(w, ":"); err != nil {
			return err
		}
		var err error
		if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() != reflect.Uint8 {
			err = encodeSlice(w, enc, fv)
		} else {
			err = enc.json.Encode(fv.Interface())
		}
		if err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "}")
	return err
}

// empty is encoding/json's omitempty test.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
