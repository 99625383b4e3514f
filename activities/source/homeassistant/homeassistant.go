// Package homeassistant discovers the devices Home Assistant knows: its
// device registry, read over the WebSocket API (the REST API does not
// expose it), becomes NetBox devices with their manufacturer, model,
// serial number, role, area as location and MAC addresses.
//
// Every key carries the instance name and the registry's device id, which
// Home Assistant keeps for the life of a device, so renaming a device in
// Home Assistant renames it in NetBox instead of replacing it. The devices
// that 2026.8 split from one device of several config entries, and devices
// sharing a connection or identifier, are one NetBox device keyed by the
// composite's (or the oldest's) id, with the others as aliases, so that an
// upgrade across the split keeps every NetBox object. Child devices
// (2026.9) are listed on their parent; floors are the parent locations of
// their areas.
package homeassistant

import (
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
	source.Instance
	opts options
}

// New builds a homeassistant source from its config: it decodes and
// validates the settings and checks that the token resolves.
func New(cfg source.Config, log *zap.Logger) (source.Source, error) {
	inst, o, err := source.NewInstance(cfg, log, DefaultSettings(), Settings.validate, TokenSetting)
	if err != nil {
		return nil, err
	}
	if o.plainText {
		// Home Assistant on a LAN often has no TLS: allowed with
		// allow_plaintext, and said on each start.
		source.WarnIfPlaintext(inst.Log, o.wsURL)
	} else {
		o.tls.WarnIfOff(inst.Log, o.wsURL)
	}
	return &Source{Instance: inst, opts: o}, nil
}
