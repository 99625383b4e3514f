package proxmox

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

func TestSettingsValidation(t *testing.T) {
	valid := func() Settings {
		s := DefaultSettings()
		s.URL = "https://pve1.example.internal:8006"
		s.TokenID = "netbox-agent@pve!sync"
		s.Site = "Home"
		return s
	}
	sourcetest.CheckSettings(t, valid, Settings.validate, []sourcetest.SettingsCase[Settings]{
		{Name: "url missing", Change: func(s *Settings) { s.URL = "" }, Setting: "url"},
		{Name: "url without scheme", Change: func(s *Settings) { s.URL = "pve1:8006" }, Setting: "url"},
		{Name: "url with credentials", Change: func(s *Settings) { s.URL = "https://root:pw@pve1:8006" }, Setting: "url"},
		{Name: "token id missing", Change: func(s *Settings) { s.TokenID = "" }, Setting: "token_id"},
		{Name: "token id without token name", Change: func(s *Settings) { s.TokenID = "root@pam" }, Setting: "token_id"},
		{Name: "token id without realm", Change: func(s *Settings) { s.TokenID = "root!sync" }, Setting: "token_id"},
		{Name: "username instead of token", Change: func(s *Settings) { s.TokenID = ""; s.Username = "netbox-agent@pve" }},
		{Name: "username beside token", Change: func(s *Settings) { s.Username = "netbox-agent@pve" }, Setting: "username"},
		{Name: "username without realm", Change: func(s *Settings) { s.TokenID = ""; s.Username = "netbox-agent" }, Setting: "username"},
		{Name: "username that is a token", Change: func(s *Settings) { s.TokenID = ""; s.Username = "root@pam!sync" }, Setting: "username"},
		{Name: "site missing", Change: func(s *Settings) { s.Site = " " }, Setting: "site"},
		{Name: "negative timeout", Change: func(s *Settings) { s.Timeout = -time.Second }, Setting: "timeout"},
		{Name: "concurrency too high", Change: func(s *Settings) { s.Concurrency = 1000 }, Setting: "concurrency"},
		{Name: "negative concurrency", Change: func(s *Settings) { s.Concurrency = -1 }, Setting: "concurrency"},
		{Name: "ca file missing", Change: func(s *Settings) { s.CAFile = "/nonexistent/ca.pem" }, Setting: "ca_file"},
		{Name: "ca file with verification off", Change: func(s *Settings) { s.CAFile = "ca.pem"; s.InsecureSkipVerify = true }, Setting: "ca_file"},
		{Name: "interface type of another shape", Change: func(s *Settings) { s.NodeInterfaceTypes = map[string]string{"eno1": "Gigabit Ethernet"} }, Setting: "node_interface_types"},
		// A type of a NetBox release after go-netbox's (4.5.4) is taken here;
		// the plan checks it against the connected NetBox.
		{Name: "interface type of a later release", Change: func(s *Settings) { s.NodeInterfaceTypes = map[string]string{"eno1": "10gbase-cu"} }},
		{Name: "bad interface pattern", Change: func(s *Settings) { s.NodeInterfaceTypes = map[string]string{"eno[": "1000base-t"} }, Setting: "node_interface_types"},
		{Name: "interface types", Change: func(s *Settings) { s.NodeInterfaceTypes = map[string]string{"eno*": "1000base-t", "bond0": "lag"} }},
	})
}

func TestSettingsDerived(t *testing.T) {
	cases := []struct {
		name    string
		url     string
		baseURL string
	}{
		{"host and port", "https://pve1:8006", "https://pve1:8006/api2/json"},
		{"trailing slash", "https://pve1:8006/", "https://pve1:8006/api2/json"},
		{"api path given", "https://pve1:8006/api2/json", "https://pve1:8006/api2/json"},
		{"behind a proxy path", "https://proxy.example/pve/", "https://proxy.example/pve/api2/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			s.URL, s.TokenID, s.Site = tc.url, "a@pve!b", "Home"
			o, err := s.validate("")
			require.NoError(t, err)
			assert.Equal(t, tc.baseURL, o.baseURL)
			assert.True(t, o.tls.Verify)
			assert.Equal(t, DefaultTimeout, o.timeout)
			assert.Equal(t, DefaultConcurrency, o.Concurrency)
			assert.Equal(t, "Hypervisor", o.DeviceRole)
		})
	}
}

func TestCAFileRelativeToConfig(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pve-ca.pem"), []byte("-"), 0o600))
	s := DefaultSettings()
	s.URL, s.TokenID, s.Site, s.CAFile = "https://pve1:8006", "a@pve!b", "Home", "pve-ca.pem"
	o, err := s.validate(dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "pve-ca.pem"), o.tls.CAFile)
}

func TestNewThroughConfig(t *testing.T) {
	t.Run("decodes every setting", func(t *testing.T) {
		cfg := loadConfig(t, "alpha", `url: https://pve1.example.internal:8006
token_id: netbox-agent@pve!sync
verify_tls: true
timeout: 45s
concurrency: 8
cluster_name: homelab
site: Home
device_role: Hypervisor
vm_role: Server
manufacturer: Supermicro
model: SYS-E300
include_templates: true
import_tags: true
node_interface_types:
  eno*: 1000base-t`, proxmoxtest.TokenSecret)
		src, err := New(cfg, zap.NewNop())
		require.NoError(t, err)
		o := src.(*Source).opts
		assert.Equal(t, 45*time.Second, o.timeout)
		assert.Equal(t, 8, o.Concurrency)
		assert.Equal(t, "homelab", o.ClusterName)
		assert.Equal(t, "Supermicro", o.Manufacturer)
		assert.Equal(t, "SYS-E300", o.Model)
		assert.True(t, o.IncludeTemplates)
		assert.True(t, o.ImportTags)
		assert.Equal(t, map[string]string{"eno*": "1000base-t"}, o.NodeInterfaceTypes)
	})
	t.Run("secret missing", func(t *testing.T) {
		cfg := loadConfig(t, "alpha", "url: https://pve1:8006\ntoken_id: a@pve!b\nsite: Home", "")
		_, err := New(cfg, zap.NewNop())
		sourcetest.RequireError(t, err, source.ErrConfig, "token_secret")
	})
	t.Run("secret from a file", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "pve.secret")
		require.NoError(t, os.WriteFile(file, []byte(proxmoxtest.TokenSecret+"\n"), 0o600))
		cfg := loadConfig(t, "alpha", "url: https://pve1:8006\ntoken_id: a@pve!b\nsite: Home\ntoken_secret_file: "+file, "")
		src, err := New(cfg, zap.NewNop())
		require.NoError(t, err)
		secret, err := src.(*Source).Secret(SecretTokenSecret)
		require.NoError(t, err)
		assert.Equal(t, proxmoxtest.TokenSecret, secret)
	})
	t.Run("invalid setting named", func(t *testing.T) {
		cfg := loadConfig(t, "alpha", "url: https://pve1:8006\ntoken_id: a@pve!b", proxmoxtest.TokenSecret)
		_, err := New(cfg, zap.NewNop())
		sourcetest.RequireError(t, err, source.ErrConfig, "site: is required")
	})
	t.Run("unknown setting rejected", func(t *testing.T) {
		cfg := loadConfig(t, "alpha", "url: https://pve1:8006\ntoken_id: a@pve!b\nsite: Home\nverfiy_tls: false", proxmoxtest.TokenSecret)
		_, err := New(cfg, zap.NewNop())
		sourcetest.RequireError(t, err, source.ErrConfig, "verfiy_tls")
	})
}

func TestRegistered(t *testing.T) {
	assert.Contains(t, source.Types(), SourceType)
}
