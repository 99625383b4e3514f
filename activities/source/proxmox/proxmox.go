// Package proxmox discovers a Proxmox VE cluster (or a standalone node): the
// cluster, its nodes as devices with their network configuration, and its
// VMs and containers as virtual machines with interfaces, MAC and IP
// addresses and disks.
//
// Every key carries the source instance name and the guest type, so qemu
// 100 and lxc 100 stay apart, and so do same-named guests of two clusters.
package proxmox

import (
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// SourceType is the name the source registers under.
const SourceType = "proxmox"

// SecretTokenSecret is the secret setting that holds the API token's
// secret (NETBOX_AGENT_SOURCES_<NAME>_TOKEN_SECRET or token_secret_file).
const SecretTokenSecret = "token_secret"

func init() { source.Register(SourceType, New) }

// Source discovers one Proxmox VE cluster.
type Source struct {
	source.Instance
	opts options
	runs runCache
}

// New builds a proxmox source from its config: it decodes and validates the
// settings and checks that the token secret resolves.
func New(cfg source.Config, log *zap.Logger) (source.Source, error) {
	inst, o, err := source.NewInstance(cfg, log, DefaultSettings(), Settings.validate, SecretTokenSecret)
	if err != nil {
		return nil, err
	}
	o.tls.WarnIfOff(inst.Log, o.baseURL)
	return &Source{Instance: inst, opts: o}, nil
}
