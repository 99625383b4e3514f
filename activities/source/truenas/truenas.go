// Package truenas discovers a TrueNAS system (25.04 and later) through its
// JSON-RPC 2.0 API over a WebSocket: the system as a storage device with
// its DMI manufacturer and product, its interfaces with their MAC and IP
// addresses, NFS, SMB and iSCSI as services, and its pools' health and
// capacity as device attributes.
//
// Every key starts with the source type and the instance name
// ("truenas/nas1/iface/eno1"), so two systems never share a record.
package truenas

import (
	"fmt"

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
	name   string
	opts   options
	secret func(setting string) (string, error)
	log    *zap.Logger
}

// New builds a truenas source from its config: it decodes and validates
// the settings, refuses unencrypted URLs and checks that the API key
// resolves and has the form of a TrueNAS key. Nothing is sent anywhere.
func New(cfg source.Config, log *zap.Logger) (source.Source, error) {
	s := DefaultSettings()
	if err := cfg.DecodeSettings(&s); err != nil {
		return nil, err
	}
	o, err := s.validate(cfg.BaseDir)
	if err != nil {
		return nil, err
	}
	if cfg.Name == "" {
		return nil, fmt.Errorf("%w: instance name is empty", source.ErrConfig)
	}
	if log == nil {
		log = zap.NewNop()
	}
	src := &Source{name: cfg.Name, opts: o, secret: cfg.Secret, log: log}
	if _, err := src.apiKey(); err != nil {
		return nil, err
	}
	if !o.verifyTLS {
		log.Warn("TLS certificate verification is off", zap.String("url", o.wsURL))
	}
	return src, nil
}

// apiKey resolves the key on every discovery, so that a rotated key file
// is picked up without a restart.
func (s *Source) apiKey() (string, error) {
	if s.secret == nil {
		return "", fmt.Errorf("%w: %s: no secret resolver", source.ErrConfig, SecretAPIKey)
	}
	v, err := s.secret(SecretAPIKey)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", source.ErrConfig, SecretAPIKey, err)
	}
	if v == "" {
		return "", fmt.Errorf("%w: %s: is empty", source.ErrConfig, SecretAPIKey)
	}
	if !validKey(v) {
		return "", fmt.Errorf("%w: %s: not a TrueNAS API key (<id>-<key>, as TrueNAS shows it once on creation)", source.ErrConfig, SecretAPIKey)
	}
	return v, nil
}
