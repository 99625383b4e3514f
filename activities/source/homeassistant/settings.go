package homeassistant

import (
	"net/url"
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
	// CAFile is the PEM file of the CA that signed Home Assistant's
	// certificate; InsecureSkipVerify turns verification off.
	CAFile             string `yaml:"ca_file" json:"ca_file"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify" json:"insecure_skip_verify"`
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
	wsURL     string            // ws(s)://host:port/api/websocket
	plainText bool              // ws://: the token crosses the network unencrypted
	caFile    string            // absolute
	roles     map[string]string // lower-cased key -> role name
}

// websocketPath is where Home Assistant serves its WebSocket API.
const websocketPath = "/api/websocket"

// validate applies defaults and checks every setting; baseDir resolves a
// relative ca_file.
func (s Settings) validate(baseDir string) (options, error) {
	o := options{Settings: s}
	if strings.TrimSpace(s.URL) == "" {
		return o, source.SettingError("url", "is required")
	}
	u, err := url.Parse(strings.TrimSpace(s.URL))
	if err != nil || u.Host == "" {
		return o, source.SettingError("url", "%q is not a URL with a host", s.URL)
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
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return o, source.SettingError("url", "must not carry credentials, a query or a fragment")
	}
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, websocketPath) {
		p += websocketPath
	}
	u.Path = p
	o.wsURL = u.String()

	if s.CAFile != "" {
		if o.plainText {
			return o, source.SettingError("ca_file", "is set but url is not https")
		}
		if s.InsecureSkipVerify {
			return o, source.SettingError("ca_file", "is set but insecure_skip_verify is true")
		}
		caFile, err := source.ResolveFile("ca_file", baseDir, s.CAFile)
		if err != nil {
			return o, err
		}
		o.caFile = caFile
	}

	switch {
	case s.Timeout == 0:
		o.Timeout = DefaultTimeout
	case s.Timeout < 0:
		return o, source.SettingError("timeout", "%s is negative", s.Timeout)
	}

	o.Site = strings.TrimSpace(s.Site)
	if o.Site == "" {
		return o, source.SettingError("site", "is required")
	}
	o.DefaultRole = strings.TrimSpace(s.DefaultRole)
	if o.DefaultRole == "" {
		o.DefaultRole = DefaultRole
	}
	o.roles = make(map[string]string, len(s.Roles))
	for from, role := range s.Roles {
		key := strings.ToLower(strings.TrimSpace(from))
		role = strings.TrimSpace(role)
		if key == "" {
			return o, source.SettingError("roles", "an empty integration or manufacturer name")
		}
		if role == "" {
			return o, source.SettingError("roles", "%q maps to an empty role", from)
		}
		if prev, dup := o.roles[key]; dup && prev != role {
			return o, source.SettingError("roles", "%q is named twice with different roles (%q, %q)", from, prev, role)
		}
		o.roles[key] = role
	}
	return o, nil
}
