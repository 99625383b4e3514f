package config

import (
	"time"

	"github.com/spf13/pflag"
)

// ConfigFlag is the flag that names the config file; EnvConfig is its
// environment variable.
const (
	ConfigFlag = "config"
	EnvConfig  = EnvPrefix + "CONFIG"
)

// RegisterFlags adds --config and one flag per scalar setting to fs. A flag
// is the setting's key path with '_' written as '-': netbox.url becomes
// --netbox.url, sync.apply_concurrency becomes --sync.apply-concurrency.
// Defaults shown in --help are Default()'s; only flags the user set
// override the file and the environment.
func RegisterFlags(fs *pflag.FlagSet) {
	fs.String(ConfigFlag, "", "config file (env "+EnvConfig+")")
	def := Default()
	for _, s := range Settings() {
		help := s.Help + " (env " + s.Env + ")"
		v := s.field(def)
		switch x := v.Interface().(type) {
		case string:
			fs.String(s.Flag, x, help)
		case int:
			fs.Int(s.Flag, x, help)
		case float64:
			fs.Float64(s.Flag, x, help)
		case bool:
			fs.Bool(s.Flag, x, help)
		case Duration:
			d := x
			fs.Var(&d, s.Flag, help)
		case time.Duration:
			fs.Duration(s.Flag, x, help)
		default:
			panic("config: no flag for setting type " + v.Type().String())
		}
	}
}

// Path returns the config file to load: --config when set, else
// NETBOX_AGENT_CONFIG from environ, else "".
func Path(fs *pflag.FlagSet, environ []string) string {
	if fs != nil {
		if f := fs.Lookup(ConfigFlag); f != nil && f.Changed {
			return f.Value.String()
		}
	}
	if v, ok := envMap(environ)[EnvConfig]; ok {
		return v
	}
	return ""
}
