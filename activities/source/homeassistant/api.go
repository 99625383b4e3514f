package homeassistant

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// The WebSocket commands the source sends. All only read; none needs an
// administrator's token. Floors exist from Home Assistant 2024.4, the map
// of split devices from 2026.8; older releases answer unknown_command.
const (
	cmdAreas         = "config/area_registry/list"
	cmdFloors        = "config/floor_registry/list"
	cmdDevices       = "config/device_registry/list"
	cmdSplits        = "config/device_registry/list_composite_splits"
	cmdConfigEntries = "config_entries/get"
)

// codeUnknownCommand is Home Assistant's answer to a command it does not
// have (websocket_api.const.ERR_UNKNOWN_COMMAND).
const codeUnknownCommand = "unknown_command"

// Message types of the WebSocket API.
const (
	msgAuthRequired = "auth_required"
	msgAuth         = "auth"
	msgAuthOK       = "auth_ok"
	msgAuthInvalid  = "auth_invalid"
	msgResult       = "result"
)

// envelope is any message Home Assistant sends; Result stays raw until the
// caller knows what it holds.
type envelope struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	Success   bool            `json:"success"`
	Result    json.RawMessage `json:"result"`
	Error     *resultError    `json:"error"`
	HAVersion string          `json:"ha_version"`
	Message   string          `json:"message"`
}

type resultError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// command is what the source sends after authenticating.
type command struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// authMessage carries the access token; it is never logged.
type authMessage struct {
	Type        string `json:"type"`
	AccessToken string `json:"access_token"`
}

// device is one entry of the device registry, as DeviceEntry.dict_repr
// serialises it. Fields a source has no use for are not decoded.
type device struct {
	ID                 string   `json:"id"`
	AreaID             *string  `json:"area_id"`
	ConfigEntries      []string `json:"config_entries"`
	ConfigEntryID      *string  `json:"config_entry_id"`  // 2026.8 on: the device's one entry
	ParentDeviceID     *string  `json:"parent_device_id"` // 2026.9 on: a child device's parent
	CreatedAt          float64  `json:"created_at"`
	PrimaryConfigEntry *string  `json:"primary_config_entry"`
	ConfigurationURL   *string  `json:"configuration_url"`
	Connections        []tuple  `json:"connections"`
	Identifiers        []tuple  `json:"identifiers"`
	DisabledBy         *string  `json:"disabled_by"`
	EntryType          *string  `json:"entry_type"`
	Manufacturer       *string  `json:"manufacturer"`
	Model              *string  `json:"model"`
	ModelID            *string  `json:"model_id"`
	HWVersion          *string  `json:"hw_version"`
	SWVersion          *string  `json:"sw_version"`
	Name               *string  `json:"name"`
	NameByUser         *string  `json:"name_by_user"`
	SerialNumber       *string  `json:"serial_number"`
}

// tuple is a connection or identifier as the registry lists it:
// ["mac", "aa:bb:cc:dd:ee:ff"], ["hue", "001788fffe6a2b3c"]. Connections
// have two elements; identifiers are written by integrations and have two
// or more (["mysensors", "gateway", "1"]), all of them part of the
// identity. One that is not a list of at least two strings decodes as an
// empty tuple, so that the device is still read; the mapping reports it.
type tuple []string

// UnmarshalJSON reads a list of strings; any other shape leaves the tuple
// empty rather than failing the whole device.
func (t *tuple) UnmarshalJSON(b []byte) error {
	var v []string
	if err := json.Unmarshal(b, &v); err != nil || len(v) < 2 || v[0] == "" {
		*t = tuple{}
		return nil
	}
	*t = v
	return nil
}

// valid reports whether the tuple has a domain (or connection type) and
// at least one value.
func (t tuple) valid() bool { return len(t) >= 2 && t[0] != "" }

// kind is the connection type or the identifier's integration domain.
func (t tuple) kind() string { return t[0] }

// value is a connection's value (the MAC address of a "mac" connection).
func (t tuple) value() string { return t[1] }

// identity is the tuple as one string, every element kept, for matching
// the same hardware across registry entries. MACs compare normalised.
func (t tuple) identity() string {
	parts := slices.Clone([]string(t))
	if t.kind() == "mac" || t.kind() == "bluetooth" {
		if mac, ok := inventory.NormalizeMAC(t.value()); ok {
			parts[1] = mac
		}
	}
	b, err := json.Marshal(parts)
	if err != nil { // a []string always encodes
		return strings.Join(parts, "\x00")
	}
	return string(b)
}

// area is one entry of the area registry.
type area struct {
	AreaID  string  `json:"area_id"`
	Name    string  `json:"name"`
	FloorID *string `json:"floor_id"`
}

// floor is one entry of the floor registry.
type floor struct {
	FloorID string `json:"floor_id"`
	Name    string `json:"name"`
}

// composite is what list_composite_splits says of a device id that
// spanned several config entries before 2026.8: the devices it was split
// into, one per config entry, and the one that took its primary entry.
type composite struct {
	SplitIDs  []string `json:"split_ids"`
	PrimaryID *string  `json:"primary_id"`
}

// configEntry is one integration entry; its domain names the integration.
type configEntry struct {
	EntryID string `json:"entry_id"`
	Domain  string `json:"domain"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}
