package config

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// EnvPrefix starts every environment variable the configuration reads.
const EnvPrefix = "NETBOX_AGENT_"

// Setting describes one scalar setting: its key path in the file, its
// environment variable and its flag.
type Setting struct {
	// Path is the dotted key path: "netbox.batch_size".
	Path string
	// Env is the environment variable: "NETBOX_AGENT_NETBOX_BATCH_SIZE".
	Env string
	// Flag is the flag name without dashes: "netbox.batch-size".
	Flag string
	// Help says what the setting does.
	Help string

	index []int
	typ   reflect.Type
}

// Settings lists every scalar setting of Config in declaration order.
// Lists (sources, netbox.custom_fields) are file-only and not included.
func Settings() []Setting { return settingsTable() }

var settingsTable = sync.OnceValue(func() []Setting {
	return collectSettings(reflect.TypeFor[Config](), "", nil)
})

func collectSettings(t reflect.Type, prefix string, index []int) []Setting {
	var out []Setting
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		path := keyPath(prefix, name)
		idx := append(append([]int(nil), index...), i)
		switch {
		case sf.Type == durationType:
		case sf.Type.Kind() == reflect.Struct:
			out = append(out, collectSettings(sf.Type, path, idx)...)
			continue
		case sf.Type.Kind() == reflect.Slice, sf.Type.Kind() == reflect.Map:
			continue
		}
		out = append(out, Setting{
			Path:  path,
			Env:   EnvPrefix + envWord(path),
			Flag:  strings.ReplaceAll(path, "_", "-"),
			Help:  sf.Tag.Get("help"),
			index: idx,
			typ:   sf.Type,
		})
	}
	return out
}

// field returns the setting's value inside c.
func (s Setting) field(c *Config) reflect.Value {
	return reflect.ValueOf(c).Elem().FieldByIndex(s.index)
}

// Type names the setting's value type as the file writes it: text,
// integer, number, boolean or duration.
func (s Setting) Type() string {
	if s.typ == durationType {
		return "duration"
	}
	switch s.typ.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	default:
		return "text"
	}
}

// Default is the setting's default as the file writes it; "" when it has
// none.
func (s Setting) Default() string {
	return fmt.Sprint(s.field(Default()).Interface())
}
