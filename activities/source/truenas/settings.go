package truenas

import (
	"regexp"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Settings are the options of one truenas source instance, as written under
// the instance in the config file. The API key is not among them: it comes
// from cfg.Secret("api_key") (an environment variable or an api_key_file),
// so it never passes through the decoded config.
type Settings struct {
	// URL of the system, "https://nas1.example.com" or
	// "wss://nas1.example.com"; the JSON-RPC API path /api/current (or the
	// legacy /websocket) is added when the URL has no path. Plain http://
	// and ws:// are refused.
	URL string `yaml:"url" json:"url"`
	// Protocol is the API the source speaks: "auto" (the JSON-RPC 2.0 API
	// at /api/current, else the legacy WebSocket API at /websocket, which
	// TrueNAS CORE 13 and SCALE up to 24.10 serve), "jsonrpc" or "legacy".
	Protocol string `yaml:"protocol" json:"protocol"`
	// Username is the user the API key belongs to. When set, the source logs
	// in with auth.login_ex (API_KEY_PLAIN); when empty, with
	// auth.login_with_api_key, which TrueNAS 27 no longer offers.
	Username string `yaml:"username" json:"username"`
	// TLSSettings: ca_file adds the CA that signed the system's
	// certificate; insecure_skip_verify turns verification off.
	source.TLSSettings `yaml:",inline"`
	// Timeout bounds the connection and each API call.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Site is the NetBox site of the system's device.
	Site string `yaml:"site" json:"site"`
	// DeviceRole is the role of the system's device.
	DeviceRole string `yaml:"device_role" json:"device_role"`
	// Manufacturer and Model override what DMI reports for the device type.
	Manufacturer string `yaml:"manufacturer" json:"manufacturer"`
	Model        string `yaml:"model" json:"model"`
	// IncludeServices reports NFS, SMB and iSCSI as services of the device.
	IncludeServices bool `yaml:"include_services" json:"include_services"`
	// InterfaceTypes maps interface names or shell patterns ("enp65s0f*")
	// to NetBox interface types, for NICs whose speed and medium the API
	// cannot tell (a link that is down, a virtual NIC).
	InterfaceTypes map[string]string `yaml:"interface_types" json:"interface_types"`
}

// Defaults of the settings.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultDeviceRole = "Storage"
	// DefaultManufacturer and DefaultModel stand in when DMI names no
	// manufacturer or product and the config sets none.
	DefaultManufacturer = "Generic"
	DefaultModel        = "TrueNAS system"
	// APIPath is where TrueNAS 25.04 and later serve the JSON-RPC API.
	APIPath = "/api/current"
	// LegacyPath is where TrueNAS CORE 13 and SCALE serve the legacy
	// WebSocket API (kept, deprecated, by later releases).
	LegacyPath = "/websocket"
)

// Protocols the source speaks.
const (
	ProtocolAuto    = "auto"
	ProtocolJSONRPC = "jsonrpc"
	ProtocolLegacy  = "legacy"
)

// DefaultSettings are the settings a config starts from; Decode overwrites
// what the config names.
func DefaultSettings() Settings {
	return Settings{
		Protocol:        ProtocolAuto,
		Timeout:         DefaultTimeout,
		DeviceRole:      DefaultDeviceRole,
		IncludeServices: true,
	}
}

// options are the validated settings in the form the source uses.
type options struct {
	Settings
	wsURL     string // wss://host/api/current; "" when only legacy is spoken
	legacyURL string // wss://host/websocket; "" when only JSON-RPC is spoken
	host      string
	tls       source.TLS
	timeout   time.Duration
}

// apiPathPattern accepts the current API and a pinned version
// ("/api/v25.04.2"), which TrueNAS serves side by side; the REST API
// (/api/v2.0) is not it.
var apiPathPattern = regexp.MustCompile(`^/api/(current|v[0-9]{2}\.[0-9]+(\.[0-9]+)*)$`)

// validate applies defaults and checks every setting; baseDir resolves a
// relative ca_file.
func (s Settings) validate(baseDir string) (options, error) {
	o := options{Settings: s}
	var err error
	o.Protocol = strings.ToLower(source.OrDefault(s.Protocol, ProtocolAuto))
	switch o.Protocol {
	case ProtocolAuto, ProtocolJSONRPC, ProtocolLegacy:
	default:
		return o, source.SettingError("protocol", "%q: must be auto, jsonrpc or legacy", s.Protocol)
	}
	if err = o.parseURL(s.URL); err != nil {
		return o, err
	}
	if o.tls, err = s.TLSSettings.Resolve(baseDir, true); err != nil {
		return o, err
	}
	if o.timeout, err = source.Timeout("timeout", s.Timeout, DefaultTimeout); err != nil {
		return o, err
	}
	o.Username = strings.TrimSpace(s.Username)
	if o.Site, err = source.Required("site", s.Site); err != nil {
		return o, err
	}
	o.DeviceRole = source.OrDefault(s.DeviceRole, DefaultDeviceRole)
	o.Manufacturer = strings.TrimSpace(s.Manufacturer)
	o.Model = strings.TrimSpace(s.Model)
	return o, source.CheckInterfaceTypes("interface_types", s.InterfaceTypes)
}

// parseURL checks the URL and derives the WebSocket address. TrueNAS
// revokes a user's API key the moment it arrives over an unencrypted
// connection, so a plain URL is refused here, before anything is sent.
func (o *options) parseURL(raw string) error {
	u, err := source.ParseURL("url", raw, " (https://nas.example.com)")
	if err != nil {
		return err
	}
	raw = strings.TrimSpace(raw)
	switch u.Scheme {
	case "https", "wss":
	case "http", "ws":
		return source.SettingError("url", "%q is unencrypted: TrueNAS revokes an API key that is sent over plain %s, so the key is never sent there; use https:// or wss://",
			raw, u.Scheme)
	default:
		return source.SettingError("url", "%q: scheme must be https or wss", raw)
	}
	p := strings.TrimRight(u.Path, "/")
	u.Scheme, u.RawPath = "wss", ""
	switch {
	case p == "":
	case p == LegacyPath:
		if o.Protocol == ProtocolJSONRPC {
			return source.SettingError("url", "path %s is the legacy API, but protocol is jsonrpc: leave the path out or set protocol: legacy", LegacyPath)
		}
		o.Protocol = ProtocolLegacy
	case apiPathPattern.MatchString(p):
		if o.Protocol == ProtocolLegacy {
			return source.SettingError("url", "path %s is the JSON-RPC API, but protocol is legacy: leave the path out or set protocol: jsonrpc", p)
		}
		o.Protocol = ProtocolJSONRPC
	default:
		return source.SettingError("url", "path %q is not a TrueNAS API: leave it out (%s or %s is used) or pin a version (/api/v25.04.2)", u.Path, APIPath, LegacyPath)
	}
	o.host = u.Host
	if o.Protocol != ProtocolLegacy {
		u.Path = source.OrDefault(p, APIPath)
		o.wsURL = u.String()
	}
	if o.Protocol != ProtocolJSONRPC {
		u.Path = LegacyPath
		o.legacyURL = u.String()
	}
	return nil
}

// ChoiceSettings lists the interface types interface_types names, for the
// plan to check against the connected NetBox.
func (s *Source) ChoiceSettings() []source.ChoiceSetting {
	return source.InterfaceTypeSettings("interface_types", s.opts.InterfaceTypes)
}

// Source names NetBox choices in its settings.
var _ source.ChoiceSettings = (*Source)(nil)
