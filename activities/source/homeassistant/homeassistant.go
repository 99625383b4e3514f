// Package homeassistant discovers the devices Home Assistant knows: its
// device registry, read over the WebSocket API (the REST API does not
// expose it), becomes NetBox devices with their manufacturer, model,
// serial number, role, area as location and MAC addresses.
//
// Every key carries the instance name and the registry's device id, which
// Home Assistant keeps for the life of a device, so renaming a device in
// Home Assistant renames it in NetBox instead of replacing it.
package homeassistant

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// SourceType is the name the source registers under.
const SourceType = "homeassistant"

// TokenSetting is the secret setting that holds the long-lived access
// token: NETBOX_AGENT_SOURCES_<NAME>_TOKEN or token_file.
const TokenSetting = "token"

func init() { source.Register(SourceType, New) }

// Source discovers the devices of one Home Assistant instance.
type Source struct {
	name   string
	opts   options
	secret func(setting string) (string, error)
	log    *zap.Logger
}

// New builds a homeassistant source from its config: it decodes and
// validates the settings and checks that the token resolves.
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
	if _, err := src.token(); err != nil {
		return nil, err
	}
	switch {
	case o.plainText:
		// Home Assistant on a LAN often has no TLS; allowed, but said once.
		log.Warn("access token sent without TLS", zap.String("url", o.wsURL))
	case o.InsecureSkipVerify:
		log.Warn("TLS certificate verification is off", zap.String("url", o.wsURL))
	}
	return src, nil
}

// token resolves the access token on every discovery, so that a rotated
// token file is picked up without a restart.
func (s *Source) token() (string, error) {
	if s.secret == nil {
		return "", fmt.Errorf("%w: %s: no secret resolver", source.ErrConfig, TokenSetting)
	}
	v, err := s.secret(TokenSetting)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", source.ErrConfig, TokenSetting, err)
	}
	if v == "" {
		return "", fmt.Errorf("%w: %s: is empty", source.ErrConfig, TokenSetting)
	}
	return v, nil
}
