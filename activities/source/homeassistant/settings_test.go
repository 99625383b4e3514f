package homeassistant

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

func TestSettingsValidation(t *testing.T) {
	valid := func() Settings {
		s := DefaultSettings()
		s.URL = "http://homeassistant.local:8123"
		s.Site = "Home"
		s.AllowPlaintext = true
		return s
	}
	sourcetest.CheckSettings(t, valid, Settings.validate, []sourcetest.SettingsCase[Settings]{
		{Name: "url missing", Change: func(s *Settings) { s.URL = "" }, Setting: "url"},
		{Name: "url without scheme", Change: func(s *Settings) { s.URL = "homeassistant.local:8123" }, Setting: "url"},
		{Name: "url of another scheme", Change: func(s *Settings) { s.URL = "ftp://ha:8123" }, Setting: "url"},
		{Name: "plain http to another host", Change: func(s *Settings) { s.AllowPlaintext = false }, Setting: "url"},
		{Name: "plain ws to another host", Change: func(s *Settings) { s.URL, s.AllowPlaintext = "ws://ha:8123", false }, Setting: "url"},
		{Name: "plain http on loopback", Change: func(s *Settings) { s.URL, s.AllowPlaintext = "http://127.0.0.1:8123", false }},
		{Name: "https without allow_plaintext", Change: func(s *Settings) { s.URL, s.AllowPlaintext = "https://ha:8123", false }},
		{Name: "url with credentials", Change: func(s *Settings) { s.URL = "https://user:pw@ha:8123" }, Setting: "url"},
		{Name: "url with a query", Change: func(s *Settings) { s.URL = "https://ha:8123/?token=x" }, Setting: "url"},
		{Name: "site missing", Change: func(s *Settings) { s.Site = " " }, Setting: "site"},
		{Name: "negative timeout", Change: func(s *Settings) { s.Timeout = -time.Second }, Setting: "timeout"},
		{Name: "ca file missing", Change: func(s *Settings) { s.URL = "https://ha:8123"; s.CAFile = "/nonexistent/ca.pem" }, Setting: "ca_file"},
		{Name: "ca file with plain http", Change: func(s *Settings) { s.CAFile = "ca.pem" }, Setting: "ca_file"},
		{Name: "ca file with verification off", Change: func(s *Settings) {
			s.URL, s.CAFile, s.InsecureSkipVerify = "https://ha:8123", "ca.pem", true
		}, Setting: "ca_file"},
		{Name: "role for nothing", Change: func(s *Settings) { s.Roles = map[string]string{" ": "Lighting"} }, Setting: "roles"},
		{Name: "empty role", Change: func(s *Settings) { s.Roles = map[string]string{"hue": ""} }, Setting: "roles"},
		{Name: "same name twice", Change: func(s *Settings) { s.Roles = map[string]string{"Hue": "Lighting", "hue": "Lamps"} }, Setting: "roles"},
		{Name: "same name twice, same role", Change: func(s *Settings) { s.Roles = map[string]string{"Hue": "Lighting", "hue": "Lighting"} }},
	})
}

func TestWebSocketURL(t *testing.T) {
	cases := []struct {
		url, ws string
		plain   bool
	}{
		{"http://homeassistant.local:8123", "ws://homeassistant.local:8123/api/websocket", true},
		{"http://192.168.1.10:8123/", "ws://192.168.1.10:8123/api/websocket", true},
		{"https://ha.example.com", "wss://ha.example.com/api/websocket", false},
		{"https://ha.example.com/api/websocket", "wss://ha.example.com/api/websocket", false},
		{"https://proxy.example.com/home-assistant/", "wss://proxy.example.com/home-assistant/api/websocket", false},
		{"ws://ha:8123/api/websocket", "ws://ha:8123/api/websocket", true},
		{"wss://ha:8123", "wss://ha:8123/api/websocket", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			s := DefaultSettings()
			s.URL, s.Site, s.AllowPlaintext = tc.url, "Home", true
			o, err := s.validate("")
			require.NoError(t, err)
			assert.Equal(t, tc.ws, o.wsURL)
			assert.Equal(t, tc.plain, o.plainText)
		})
	}
}

func TestSettingsDefaults(t *testing.T) {
	s := DefaultSettings()
	s.URL, s.Site, s.AllowPlaintext = "http://ha:8123", " Home ", true
	s.DefaultRole = " "
	o, err := s.validate("")
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, o.Timeout)
	assert.Equal(t, "IoT", o.DefaultRole)
	assert.Equal(t, "Home", o.Site)
	assert.True(t, o.LocationFromArea)
	assert.False(t, o.IncludeDisabled)
	assert.Empty(t, o.roles)
}

func TestCAFileRelativeToConfig(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ha-ca.pem"), []byte("-"), 0o600))
	s := DefaultSettings()
	s.URL, s.Site, s.CAFile = "https://ha:8123", "Home", "ha-ca.pem"
	o, err := s.validate(dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "ha-ca.pem"), o.tls.CAFile)
}

func TestNewThroughConfig(t *testing.T) {
	t.Run("decodes every setting", func(t *testing.T) {
		dir := t.TempDir()
		ca := filepath.Join(dir, "ca.pem")
		require.NoError(t, os.WriteFile(ca, []byte("-"), 0o600))
		cfg := loadConfig(t, "house", `url: https://ha.example.com
ca_file: `+ca+`
timeout: 45s
site: Home
default_role: Smart Home
roles:
  hue: Lighting
  Shelly: Power
include_disabled: true
location_from_area: false`, hatest.Token)
		src, err := New(cfg, zap.NewNop())
		require.NoError(t, err)
		o := src.(*Source).opts
		assert.Equal(t, 45*time.Second, o.Timeout)
		assert.Equal(t, ca, o.tls.CAFile)
		assert.Equal(t, "Smart Home", o.DefaultRole)
		assert.Equal(t, map[string]string{"hue": "Lighting", "shelly": "Power"}, o.roles)
		assert.True(t, o.IncludeDisabled)
		assert.False(t, o.LocationFromArea)
		assert.Equal(t, "wss://ha.example.com/api/websocket", o.wsURL)
	})
	t.Run("token missing", func(t *testing.T) {
		cfg := loadConfig(t, "house", "url: http://ha:8123\nallow_plaintext: true\nsite: Home", "")
		_, err := New(cfg, zap.NewNop())
		sourcetest.RequireError(t, err, source.ErrConfig, "NETBOX_AGENT_SOURCES_HOUSE_TOKEN")
	})
	t.Run("token from a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "ha.token")
		require.NoError(t, os.WriteFile(file, []byte(hatest.Token+"\n"), 0o600))
		cfg := loadConfig(t, "house", "url: http://ha:8123\nallow_plaintext: true\nsite: Home\ntoken_file: "+file, "")
		src, err := New(cfg, zap.NewNop())
		require.NoError(t, err)
		token, err := src.(*Source).Secret(TokenSetting)
		require.NoError(t, err)
		assert.Equal(t, hatest.Token, token)
	})
	t.Run("invalid setting named", func(t *testing.T) {
		cfg := loadConfig(t, "house", "url: http://ha:8123\nallow_plaintext: true", hatest.Token)
		_, err := New(cfg, zap.NewNop())
		sourcetest.RequireError(t, err, source.ErrConfig, "site: is required")
	})
	t.Run("unknown setting rejected", func(t *testing.T) {
		cfg := loadConfig(t, "house", "url: http://ha:8123\nallow_plaintext: true\nsite: Home\nlocation_from_areas: false", hatest.Token)
		_, err := New(cfg, zap.NewNop())
		sourcetest.RequireError(t, err, source.ErrConfig, "location_from_areas")
	})
	t.Run("a token in the settings is no setting", func(t *testing.T) {
		cfg := loadConfig(t, "house", "url: http://ha:8123\nallow_plaintext: true\nsite: Home\ntoken: "+hatest.Token, hatest.Token)
		_, err := New(cfg, zap.NewNop())
		require.Error(t, err, "secrets come from the environment or token_file only")
		assert.NotContains(t, err.Error(), hatest.Token)
	})
}

func TestRegistered(t *testing.T) {
	assert.Contains(t, source.Types(), SourceType)
}
