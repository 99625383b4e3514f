package truenas

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// connect opens a session in the configured protocol. With protocol auto
// it tries the JSON-RPC API at /api/current first and falls back to the
// legacy API at /websocket only when the system has no /api/current (HTTP
// 404: TrueNAS CORE 13, SCALE 24.10 and older); a refused certificate, a
// refused login or a system that does not answer never falls back.
func (s *Source) connect(ctx context.Context) (*conn, error) {
	o := s.opts
	switch o.Protocol {
	case ProtocolLegacy:
		c, err := dial(ctx, o, o.legacyURL, true)
		return c, noEndpoint(err, "no legacy WebSocket API there (TrueNAS serves it at "+LegacyPath+"); set protocol: auto or jsonrpc for TrueNAS 25.04 and later")
	case ProtocolJSONRPC:
		c, err := dial(ctx, o, o.wsURL, false)
		return c, noEndpoint(err, "no JSON-RPC API there; TrueNAS CORE 13 and SCALE 24.10 and older lack it: set protocol: auto or legacy")
	}
	c, err := dial(ctx, o, o.wsURL, false)
	var ne *noEndpointError
	if !errors.As(err, &ne) {
		return c, err
	}
	c, err = dial(ctx, o, o.legacyURL, true)
	if err != nil {
		return nil, noEndpoint(err, "neither the JSON-RPC API ("+APIPath+") nor the legacy one ("+LegacyPath+") is there: is url a TrueNAS system?")
	}
	if s.fellBack.CompareAndSwap(false, true) {
		s.Log.Info("TrueNAS has no JSON-RPC API at "+APIPath+"; using the legacy WebSocket API (TrueNAS CORE 13, SCALE 24.10 or older)",
			zap.String("url", o.legacyURL))
	} else {
		s.Log.Debug("using the legacy WebSocket API", zap.String("url", o.legacyURL))
	}
	return c, nil
}

// noEndpoint explains a missing API; other errors pass unchanged.
func noEndpoint(err error, why string) error {
	var ne *noEndpointError
	if !errors.As(err, &ne) {
		return err
	}
	return fmt.Errorf("connect to %s: HTTP 404: %s: %w", ne.url, why, source.ErrConfig)
}

// protocolName names the session's protocol in logs and records' sources.
func (c *conn) protocolName() string {
	if c.legacy {
		return ProtocolLegacy
	}
	return ProtocolJSONRPC
}
