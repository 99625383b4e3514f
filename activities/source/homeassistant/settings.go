package homeassistant

import (
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Settings are the options of one Home Assistant source instance, as
// written under the instance in the config file. The long-lived access
// token is not among them: it comes from cfg.Secret("token") (an
// environment variable or a token_file), so it never passes through the
// decoded config.
type Settings struct {
	// URL of Home Assistant, "http://homeassistant.local:8123"; the
	// WebSocket API is reached at /api/websocket below it. ws:// and wss://
	// URLs are taken as they are.
	URL string `yaml:"url" json:"url"`
	// TLSSettings: ca_file is the PEM file of the CA that signed Home
	// Assistant's certificate; insecure_skip_verify turns verification off.
	source.TLSSettings `yaml:",inline"`
	// Timeout bounds the connection, the authentication and each command.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Site is the NetBox site of every device.
	Site string `yaml:"site" json:"site"`
	// DefaultRole is the role of a device that Roles does not name.
	DefaultRole string `yaml:"default_role" json:"default_role"`
	// Roles maps an integration domain ("hue", "shelly") or a manufacturer
	// ("Signify Netherlands B.V.") to a NetBox role name; domains are
	// matched first, both without regard to case.
	Roles map[string]string `yaml:"roles" json:"roles"`
	// IncludeDisabled reports devices disabled in Home Assistant, with
	// status offline; by default they are left out.
	IncludeDisabled bool `yaml:"include_disabled" json:"include_disabled"`
	// LocationFromArea makes each device's area its NetBox location.
	LocationFromArea bool `yaml:"location_from_area" json:"location_from_area"`
}

// Defaults of the settings.
const (
	DefaultTimeout = 30 * time.Second
	DefaultRole    = "IoT"
)

// DefaultSettings are the settings a config starts from; Decode overwrites
// what the config names.
func DefaultSettings() Settings {
	return Settings{
		Timeout:          DefaultTimeout,
		DefaultRole:      DefaultRole,
		LocationFromArea: true,
	}
}

// options are the validated settings in the form the source uses.
type options struct {
	Settings
	wsURL     string // ws(s)://host:port/api/websocket
	plainText bool   // ws://: the token crosses the network unencrypted
	tls       source.TLS
	roles     map[string]string // lower-cased key -> role name
}

// websocketPath is where Home Assistant serves its WebSocket API.
const websocketPath = "/api/websocket"

// validate applies defaults and checks every setting; baseDir resolves a
// relative ca_file.
func (s Settings) validate(baseDir string) (options, error) {
	o := options{Settings: s}
	u, err := source.ParseURL("url", s.URL, "")
	if err != nil {
		return o, err
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
		o.plainText = true
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return o, source.SettingError("url", "%q is not an http(s) or ws(s) URL", s.URL)
	}
	if err := s.CheckPlaintext(u); err != nil {
		return o, err
	}
	u.Path = source.WithPathSuffix(u, websocketPath)
	o.wsURL = u.String()

	if s.CAFile != "" && o.plainText {
		return o, source.SettingError("ca_file", "is set but url is not https")
	}
	if o.tls, err = s.TLSSettings.Resolve(baseDir, true); err != nil {
		return o, err
	}
	if o.Timeout, err = source.Timeout("timeout", s.Timeout, DefaultTimeout); err != nil {
		return o, err
	}
	if o.Site, err = source.Required("site", s.Site); err != nil {
		return o, err
	}
	o.DefaultRole = source.OrDefault(s.DefaultRole, DefaultRole)
	return o, o.mapRoles(s.Roles)
}

// mapRoles reads roles: integration domains and manufacturers, without
// regard to case, to role names.
func (o *options) mapRoles(roles map[string]string) error {
	o.roles = make(map[string]string, len(roles))
	for from, role := range roles {
		key := strings.ToLower(strings.TrimSpace(from))
		role = strings.TrimSpace(role)
		if key == "" {
			return source.SettingError("roles", "an empty integration or manufacturer name")
		}
		if role == "" {
			return source.SettingError("roles", "%q maps to an empty role", from)
		}
		if prev, dup := o.roles[key]; dup && prev != role {
			return source.SettingError("roles", "%q is named twice with different roles (%q, %q)", from, prev, role)
		}
		o.roles[key] = role
	}
	return nil
}
