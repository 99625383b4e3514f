package truenas

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
)

func TestSettingsAccepted(t *testing.T) {
	cases := []struct {
		name     string
		settings string
		wsURL    string
		check    func(t *testing.T, o options)
	}{
		{
			name: "defaults", settings: "url: https://nas1.example.com\nsite: Home", wsURL: "wss://nas1.example.com/api/current",
			check: func(t *testing.T, o options) {
				assert.Equal(t, DefaultTimeout, o.timeout)
				assert.Equal(t, DefaultDeviceRole, o.DeviceRole)
				assert.True(t, o.IncludeServices)
				assert.True(t, o.tls.Verify)
				assert.Empty(t, o.Username)
				assert.Equal(t, "nas1.example.com", o.host)
				assert.Equal(t, ProtocolAuto, o.Protocol)
				assert.Equal(t, "wss://nas1.example.com/websocket", o.legacyURL, "auto falls back to the legacy API")
			},
		},
		{name: "port and trailing slash", settings: "url: https://10.0.0.5:8443/\nsite: Home", wsURL: "wss://10.0.0.5:8443/api/current"},
		{name: "wss with the API path", settings: "url: wss://nas1/api/current\nsite: Home", wsURL: "wss://nas1/api/current"},
		{name: "pinned API version", settings: "url: https://nas1/api/v25.04.2\nsite: Home", wsURL: "wss://nas1/api/v25.04.2"},
		{name: "legacy path", settings: "url: https://nas1/websocket\nsite: Home", check: func(t *testing.T, o options) {
			assert.Equal(t, ProtocolLegacy, o.Protocol)
			assert.Empty(t, o.wsURL)
			assert.Equal(t, "wss://nas1/websocket", o.legacyURL)
		}},
		{name: "protocol legacy", settings: "url: https://nas1:8443\nprotocol: Legacy\nsite: Home", check: func(t *testing.T, o options) {
			assert.Equal(t, ProtocolLegacy, o.Protocol)
			assert.Equal(t, "wss://nas1:8443/websocket", o.legacyURL)
		}},
		{name: "protocol jsonrpc", settings: "url: https://nas1\nprotocol: jsonrpc\nsite: Home", wsURL: "wss://nas1/api/current", check: func(t *testing.T, o options) {
			assert.Empty(t, o.legacyURL)
		}},
		{name: "IPv6 host", settings: "url: https://[2001:db8::5]\nsite: Home", wsURL: "wss://[2001:db8::5]/api/current"},
		{
			name: "everything set", wsURL: "wss://nas1/api/current",
			settings: "url: https://nas1\nsite: ' Home '\nusername: svc-netbox\ntimeout: 90s\ninsecure_skip_verify: true\n" +
				"device_role: NAS\nmanufacturer: iXsystems\nmodel: TrueNAS M40\ninclude_services: false\n" +
				"interface_types:\n  'enp*': 25gbase-x-sfp28",
			check: func(t *testing.T, o options) {
				assert.Equal(t, "Home", o.Site)
				assert.Equal(t, "svc-netbox", o.Username)
				assert.Equal(t, 90*time.Second, o.timeout)
				assert.False(t, o.tls.Verify)
				assert.Equal(t, "NAS", o.DeviceRole)
				assert.Equal(t, "iXsystems", o.Manufacturer)
				assert.Equal(t, "TrueNAS M40", o.Model)
				assert.False(t, o.IncludeServices)
				assert.Equal(t, map[string]string{"enp*": "25gbase-x-sfp28"}, o.InterfaceTypes)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := source.New(loadConfig(t, "nas1", tc.settings, truenastest.APIKey), zap.NewNop())
			require.NoError(t, err)
			o := src.(*Source).opts
			assert.Equal(t, tc.wsURL, o.wsURL)
			if tc.check != nil {
				tc.check(t, o)
			}
		})
	}
}

func TestSettingsRefused(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	cases := []struct {
		name     string
		settings string
		key      string
		message  string
	}{
		{name: "no url", settings: "site: Home", message: "url: is required"},
		{name: "plain http", settings: "url: http://nas1\nsite: Home", message: "TrueNAS revokes an API key that is sent over plain http"},
		{name: "plain ws", settings: "url: ws://nas1/api/current\nsite: Home", message: "sent over plain ws"},
		{name: "other scheme", settings: "url: ftp://nas1\nsite: Home", message: "scheme must be https or wss"},
		{name: "no host", settings: "url: https:///api/current\nsite: Home", message: "not a URL with a host"},
		{name: "credentials in the URL", settings: "url: https://root:secret@nas1\nsite: Home", message: "must not carry credentials"},
		{name: "REST path", settings: "url: https://nas1/api/v2.0\nsite: Home", message: `path "/api/v2.0" is not a TrueNAS API`},
		{name: "legacy path with protocol jsonrpc", settings: "url: https://nas1/websocket\nprotocol: jsonrpc\nsite: Home", message: "is the legacy API, but protocol is jsonrpc"},
		{name: "JSON-RPC path with protocol legacy", settings: "url: https://nas1/api/current\nprotocol: legacy\nsite: Home", message: "is the JSON-RPC API, but protocol is legacy"},
		{name: "unknown protocol", settings: "url: https://nas1\nprotocol: rest\nsite: Home", message: `protocol: "rest": must be auto, jsonrpc or legacy`},
		{name: "no site", settings: "url: https://nas1", message: "site: is required"},
		{name: "negative timeout", settings: "url: https://nas1\nsite: Home\ntimeout: -5s", message: "timeout: -5s is negative"},
		{name: "missing ca_file", settings: "url: https://nas1\nsite: Home\nca_file: " + filepath.Join(dir, "none.pem"), message: "ca_file:"},
		{name: "ca_file and no verification", settings: "url: https://nas1\nsite: Home\nca_file: " + notPEM + "\ninsecure_skip_verify: true", message: "insecure_skip_verify is true"},
		{name: "interface type of another shape", settings: "url: https://nas1\nsite: Home\ninterface_types:\n  eno1: 10G Base-T", message: `"10G Base-T" is not a NetBox interface type value`},
		{name: "bad pattern", settings: "url: https://nas1\nsite: Home\ninterface_types:\n  'eno[': 1000base-t", message: `pattern "eno["`},
		{name: "unknown setting", settings: "url: https://nas1\nsite: Home\nverify_tls: false", message: "verify_tls"},
		{name: "no API key", settings: "url: https://nas1\nsite: Home", key: "-", message: "api_key"},
		{name: "not a TrueNAS key", settings: "url: https://nas1\nsite: Home", key: "abcdef0123456789", message: "not a TrueNAS API key"},
		{name: "key without a numeric id", settings: "url: https://nas1\nsite: Home", key: "x-abcdef0123456789", message: "not a TrueNAS API key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := truenastest.APIKey
			switch tc.key {
			case "-":
				key = ""
			case "":
			default:
				key = tc.key
			}
			_, err := source.New(loadConfig(t, "nas1", tc.settings, key), zap.NewNop())
			sourcetest.RequireError(t, err, source.ErrConfig, tc.message)
			if key != "" {
				assert.NotContains(t, err.Error(), key, "the key never enters an error")
			}
		})
	}
}

func TestCACertificateNotPEM(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	src, _ := newSourceWith(t, "nas1", "https://127.0.0.1:1", "ca_file: "+notPEM, truenastest.APIKey)
	_, err := src.Discover(t.Context(), nil)
	sourcetest.RequireError(t, err, source.ErrConfig, "holds no PEM certificate")
}

func TestRegistered(t *testing.T) {
	assert.Contains(t, source.Types(), SourceType)
}
