// Package proxmox discovers a Proxmox VE cluster (or a standalone node): the
// cluster, its nodes as devices with their network configuration, and its
// VMs and containers as virtual machines with interfaces, MAC and IP
// addresses and disks.
//
// Every key carries the source instance name and the guest type, so qemu
// 100 and lxc 100 stay apart, and so do same-named guests of two clusters.
package proxmox

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// SourceType is the name the source registers under.
const SourceType = "proxmox"

func init() { source.Register(SourceType, New) }

// Source discovers one Proxmox VE cluster.
type Source struct {
	name   string
	opts   options
	secret func(setting string) (string, error)
	log    *zap.Logger
	runs   runCache
}

// New builds a proxmox source from its config: it decodes and validates the
// settings and checks that the token secret resolves.
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
	if _, err := src.tokenSecret(); err != nil {
		return nil, err
	}
	if !o.verifyTLS {
		log.Warn("TLS certificate verification is off", zap.String("url", o.baseURL))
	}
	return src, nil
}

// tokenSecret resolves the secret on every discovery, so that a rotated
// secret file is picked up without a restart.
func (s *Source) tokenSecret() (string, error) {
	if s.secret == nil {
		return "", fmt.Errorf("%w: token_secret: no secret resolver", source.ErrConfig)
	}
	v, err := s.secret("token_secret")
	if err != nil {
		return "", fmt.Errorf("%w: token_secret: %w", source.ErrConfig, err)
	}
	if v == "" {
		return "", fmt.Errorf("%w: token_secret: is empty", source.ErrConfig)
	}
	return v, nil
}
