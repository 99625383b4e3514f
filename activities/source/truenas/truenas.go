// Package truenas discovers a TrueNAS system through its JSON-RPC 2.0 API
// over a WebSocket (25.04 and later) or the legacy WebSocket API (TrueNAS
// CORE 13, SCALE up to 24.10): the system as a storage device with
// its DMI manufacturer and product, its interfaces with their MAC and IP
// addresses, NFS, SMB and iSCSI as services, and its pools' health and
// capacity as device attributes.
//
// Every key starts with the source type and the instance name
// ("truenas/nas1/iface/eno1"), so two systems never share a record.
package truenas

import (
	"sync/atomic"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// SourceType is the name the source registers under.
const SourceType = "truenas"

// SecretAPIKey is the secret setting that holds the API key
// (NETBOX_AGENT_SOURCES_<NAME>_API_KEY or api_key_file).
const SecretAPIKey = "api_key"

func init() { source.Register(SourceType, New) }

// Source discovers one TrueNAS system.
type Source struct {
	source.Instance
	opts options
	// fellBack records that protocol auto fell back to the legacy API
	// once, which is logged at info level the first time only.
	fellBack atomic.Bool
}

// New builds a truenas source from its config: it decodes and validates
// the settings, refuses unencrypted URLs and checks that the API key
// resolves and has the form of a TrueNAS key. Nothing is sent anywhere.
func New(cfg source.Config, log *zap.Logger) (source.Source, error) {
	inst, o, err := source.NewInstance(cfg, log, DefaultSettings(), Settings.validate)
	if err != nil {
		return nil, err
	}
	src := &Source{Instance: inst, opts: o}
	if _, err := src.apiKey(); err != nil {
		return nil, err
	}
	o.tls.WarnIfOff(inst.Log, "https://"+o.host)
	return src, nil
}

// apiKey resolves the key on every discovery, so that a rotated key file
// is picked up without a restart, and checks its form.
func (s *Source) apiKey() (string, error) {
	v, err := s.Secret(SecretAPIKey)
	if err != nil {
		return "", err
	}
	if !validKey(v) {
		return "", source.SettingError(SecretAPIKey, "not a TrueNAS API key (<id>-<key>, as TrueNAS shows it once on creation)")
	}
	return v, nil
}
