package homeassistant

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The WebSocket commands the source sends. All three only read; none needs
// an administrator's token.
const (
	cmdAreas         = "config/area_registry/list"
	cmdDevices       = "config/device_registry/list"
	cmdConfigEntries = "config_entries/get"
)

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
	ConfigEntryID      *string  `json:"config_entry_id"` // releases that give each device one entry
	PrimaryConfigEntry *string  `json:"primary_config_entry"`
	ConfigurationURL   *string  `json:"configuration_url"`
	Connections        []pair   `json:"connections"`
	Identifiers        []pair   `json:"identifiers"`
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

// pair is a connection or identifier: ["mac", "aa:bb:cc:dd:ee:ff"],
// ["hue", "001788fffe6a2b3c"].
type pair struct {
	Kind  string
	Value string
}

// UnmarshalJSON reads a two-element array of strings.
func (p *pair) UnmarshalJSON(b []byte) error {
	var v []string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("connection or identifier: %w", err)
	}
	if len(v) != 2 {
		return fmt.Errorf("connection or identifier has %d elements, want 2", len(v))
	}
	p.Kind, p.Value = v[0], v[1]
	return nil
}

// area is one entry of the area registry.
type area struct {
	AreaID string `json:"area_id"`
	Name   string `json:"name"`
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
