package proxmox

import (
	"regexp"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Settings are the options of one proxmox source instance, as written under
// the instance in the config file. The token secret and the password are
// not among them: they come from cfg.Secret("token_secret") or
// cfg.Secret("password") (an environment variable or a *_file setting), so
// they never pass through the decoded config.
type Settings struct {
	// URL of the API, "https://pve1.example.com:8006"; "/api2/json" is
	// appended when missing.
	URL string `yaml:"url" json:"url"`
	// TokenID is the API token, "user@realm!tokenid". Either it or
	// Username is set.
	TokenID string `yaml:"token_id" json:"token_id"`
	// Username, "user@realm", logs in with a password instead of a token
	// (POST /access/ticket); the password comes from cfg.Secret("password").
	Username string `yaml:"username" json:"username"`
	// VerifyTLS checks the server certificate (default true);
	// insecure_skip_verify: true turns it off as well, the way other tools
	// spell it. ca_file adds the CA that signed the certificate.
	VerifyTLS          bool `yaml:"verify_tls" json:"verify_tls"`
	source.TLSSettings `yaml:",inline"`
	// Timeout bounds each API request.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Concurrency bounds the API requests in flight.
	Concurrency int `yaml:"concurrency" json:"concurrency"`
	// ClusterName names the cluster of a standalone node; a real cluster
	// keeps the name Proxmox gives it.
	ClusterName string `yaml:"cluster_name" json:"cluster_name"`
	// Site is the NetBox site of the cluster, its nodes and guests.
	Site string `yaml:"site" json:"site"`
	// DeviceRole is the role of node devices.
	DeviceRole string `yaml:"device_role" json:"device_role"`
	// VMRole, when set, is the role of every guest.
	VMRole string `yaml:"vm_role" json:"vm_role"`
	// Manufacturer and Model make the device type of node devices.
	Manufacturer string `yaml:"manufacturer" json:"manufacturer"`
	Model        string `yaml:"model" json:"model"`
	// IncludeTemplates reports templates as virtual machines.
	IncludeTemplates bool `yaml:"include_templates" json:"include_templates"`
	// ImportTags copies Proxmox tags onto virtual machines.
	ImportTags bool `yaml:"import_tags" json:"import_tags"`
	// NodeInterfaceTypes maps node interface names or shell patterns
	// ("enp65s0f*") to NetBox interface types ("10gbase-x-sfpp"); the
	// Proxmox API does not tell link speeds, so physical NICs are "other"
	// unless named here.
	NodeInterfaceTypes map[string]string `yaml:"node_interface_types" json:"node_interface_types"`
}

// Defaults of the settings.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultConcurrency  = 4
	DefaultDeviceRole   = "Hypervisor"
	DefaultManufacturer = "Generic"
	DefaultModel        = "Proxmox VE node"
	maxConcurrency      = 64
)

// DefaultSettings are the settings a config starts from; Decode overwrites
// what the config names.
func DefaultSettings() Settings {
	return Settings{
		VerifyTLS:    true,
		Timeout:      DefaultTimeout,
		Concurrency:  DefaultConcurrency,
		DeviceRole:   DefaultDeviceRole,
		Manufacturer: DefaultManufacturer,
		Model:        DefaultModel,
	}
}

// secret is the secret setting the credential needs: the token secret or
// the password.
func (o options) secret() string {
	if o.Username != "" {
		return SecretPassword
	}
	return SecretTokenSecret
}

// credential names who the source acts as, for errors: never the secret.
func (o options) credential() string {
	if o.Username != "" {
		return "user " + o.Username
	}
	return "API token " + o.TokenID
}

// credentialSettings names the settings a refused credential comes from.
func (o options) credentialSettings() string {
	if o.Username != "" {
		return "username and the password"
	}
	return "token_id and the token secret"
}

// options are the validated settings in the form the source uses.
type options struct {
	Settings
	baseURL string
	host    string
	tls     source.TLS
	timeout time.Duration
}

var (
	tokenIDPattern  = regexp.MustCompile(`^[^\s@!]+@[^\s@!]+![A-Za-z][A-Za-z0-9._-]*$`)
	usernamePattern = regexp.MustCompile(`^[^\s@!:]+@[^\s@!:]+$`)
)

// validate applies defaults and checks every setting; baseDir resolves a
// relative ca_file.
func (s Settings) validate(baseDir string) (options, error) {
	o := options{Settings: s}
	u, err := source.ParseURL("url", s.URL, "")
	if err != nil {
		return o, err
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return o, source.SettingError("url", "%q is not an http(s) URL", s.URL)
	}
	if err := s.CheckPlaintext(u); err != nil {
		return o, err
	}
	u.Path = source.WithPathSuffix(u, "/api2/json")
	o.baseURL = u.String()
	o.host = u.Host

	switch {
	case s.TokenID == "" && s.Username == "":
		return o, source.SettingError("token_id", "is required (or username, to log in with a password)")
	case s.TokenID != "" && s.Username != "":
		return o, source.SettingError("username", "is set beside token_id; set one of them")
	case s.TokenID != "" && !tokenIDPattern.MatchString(s.TokenID):
		return o, source.SettingError("token_id", "%q is not of the form user@realm!tokenid", s.TokenID)
	case s.Username != "" && !usernamePattern.MatchString(s.Username):
		return o, source.SettingError("username", "%q is not of the form user@realm", s.Username)
	}
	if o.tls, err = s.TLSSettings.Resolve(baseDir, s.VerifyTLS); err != nil {
		return o, err
	}
	if o.timeout, err = source.Timeout("timeout", s.Timeout, DefaultTimeout); err != nil {
		return o, err
	}
	switch {
	case s.Concurrency == 0:
		o.Concurrency = DefaultConcurrency
	case s.Concurrency < 0 || s.Concurrency > maxConcurrency:
		return o, source.SettingError("concurrency", "%d is not between 1 and %d", s.Concurrency, maxConcurrency)
	}
	return o, o.names()
}

// names trims the names the records carry and fills in their defaults.
func (o *options) names() error {
	var err error
	if o.Site, err = source.Required("site", o.Site); err != nil {
		return err
	}
	o.ClusterName = strings.TrimSpace(o.ClusterName)
	o.DeviceRole = source.OrDefault(o.DeviceRole, DefaultDeviceRole)
	o.VMRole = strings.TrimSpace(o.VMRole)
	o.Manufacturer = source.OrDefault(o.Manufacturer, DefaultManufacturer)
	o.Model = source.OrDefault(o.Model, DefaultModel)
	return source.CheckInterfaceTypes("node_interface_types", o.NodeInterfaceTypes)
}

// ChoiceSettings lists the interface types node_interface_types names, for
// the plan to check against the connected NetBox.
func (s *Source) ChoiceSettings() []source.ChoiceSetting {
	return source.InterfaceTypeSettings("node_interface_types", s.opts.NodeInterfaceTypes)
}

// Source names NetBox choices in its settings.
var _ source.ChoiceSettings = (*Source)(nil)
