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

// SecretPassword is the secret setting that holds the password of
// username (NETBOX_AGENT_SOURCES_<NAME>_PASSWORD or password_file).
const SecretPassword = "password"

func init() { source.Register(SourceType, New) }

// Source discovers one Proxmox VE cluster.
type Source struct {
	source.Instance
	opts options
	runs runCache
	// session is the login ticket kept between runs when the source logs
	// in with a password; nil with an API token.
	session *session
}

// New builds a proxmox source from its config: it decodes and validates the
// settings and checks that the secret of the credential resolves (the token
// secret, or the password of username) and that the other is not set too.
func New(cfg source.Config, log *zap.Logger) (source.Source, error) {
	inst, o, err := source.NewInstance(cfg, log, DefaultSettings(), Settings.validate)
	if err != nil {
		return nil, err
	}
	if _, err := inst.Secret(o.secret()); err != nil {
		return nil, err
	}
	other := SecretPassword
	if o.secret() == SecretPassword {
		other = SecretTokenSecret
	}
	if _, err := inst.Secret(other); err == nil {
		return nil, source.SettingError(other, "is set beside %s; set one of them", o.secret())
	}
	o.tls.WarnIfOff(inst.Log, o.baseURL)
	source.WarnIfPlaintext(inst.Log, o.baseURL)
	s := &Source{Instance: inst, opts: o}
	if o.Username != "" {
		s.session = newSession(o.Username, o.baseURL+"/access/ticket")
	}
	return s, nil
}
