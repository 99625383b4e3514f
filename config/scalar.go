package config

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// setScalar parses s into v. tag is the YAML tag of the scalar, or "" for
// text from the environment or a flag, where any spelling is accepted.
func setScalar(v reflect.Value, s, tag string) error {
	t := v.Type()
	wrong := func() error {
		if tag == "!!str" && setScalar(reflect.New(t).Elem(), s, "") == nil {
			return fmt.Errorf("expected %s, got the string %q (remove the quotes)", want(t), s)
		}
		return fmt.Errorf("expected %s, got %q", want(t), s)
	}
	if t == durationType || t == timeDurationType {
		return setDuration(v, s, tag, wrong)
	}
	if v.CanAddr() && reflect.PointerTo(t).Implements(textUnmarshaler) {
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("invalid value %q: %w", s, err)
		}
		return nil
	}
	return setKind(v, s, tag, wrong)
}

// setDuration parses a duration with a day unit ("30d", "90s") into a
// Duration or a time.Duration; wrong is the error for a scalar of another
// type.
func setDuration(v reflect.Value, s, tag string, wrong func() error) error {
	if tag != "" && tag != "!!str" && tag != "!!int" {
		return wrong()
	}
	dur, err := ParseDuration(s)
	if err != nil {
		return err
	}
	if v.Type() == durationType {
		v.Set(reflect.ValueOf(dur))
	} else {
		v.SetInt(int64(dur.Duration))
	}
	return nil
}

// setKind parses s by the kind of v: text, a boolean or a number; wrong is
// the error for a scalar of another type.
func setKind(v reflect.Value, s, tag string, wrong func() error) error {
	t := v.Type()
	switch t.Kind() {
	case reflect.String:
		// Numbers and booleans read as strings verbatim: a name "42" or a
		// token id is text whatever it looks like.
		v.SetString(s)
	case reflect.Bool:
		if tag != "" && tag != "!!bool" {
			return wrong()
		}
		b, err := parseBool(s, tag)
		if err != nil {
			return wrong()
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if tag != "" && tag != "!!int" {
			return wrong()
		}
		i, err := parseInt(s)
		if err != nil || v.OverflowInt(i) {
			return wrong()
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if tag != "" && tag != "!!int" {
			return wrong()
		}
		i, err := parseInt(s)
		if err != nil || i < 0 || v.OverflowUint(uint64(i)) {
			return wrong()
		}
		v.SetUint(uint64(i))
	case reflect.Float32, reflect.Float64:
		if tag != "" && tag != "!!int" && tag != "!!float" {
			return wrong()
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || v.OverflowFloat(f) {
			return wrong()
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("unsupported setting type %s", t)
	}
	return nil
}

func parseBool(s, tag string) (bool, error) {
	if tag == "!!bool" {
		// yaml.v3 resolves only true/false in any case as booleans.
		s = strings.ToLower(s)
	}
	return strconv.ParseBool(s)
}

func parseInt(s string) (int64, error) {
	s = strings.ReplaceAll(s, "_", "")
	if strings.HasPrefix(s, "0o") || strings.HasPrefix(s, "-0o") {
		s = strings.Replace(s, "0o", "0", 1)
	}
	return strconv.ParseInt(s, 0, 64)
}

// want names the kind of value a type expects, for error messages.
func want(t reflect.Type) string {
	switch {
	case t == durationType || t == timeDurationType:
		return "a duration"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	}
	return t.String()
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "something else"
}

// yamlErrText strips yaml.v3's "yaml: unmarshal errors:\n  line N: " framing,
// since our messages carry the line themselves.
func yamlErrText(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "yaml: unmarshal errors:\n")
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ": "); strings.HasPrefix(s, "line ") && i > 0 {
		s = s[i+2:]
	}
	return s
}
