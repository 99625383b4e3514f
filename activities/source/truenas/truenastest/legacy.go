package truenastest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/coder/websocket"
)

// legacyMessage is a client message of the legacy WebSocket API, as the
// middleware's Application.on_message reads it (main.py of CORE 13 and
// SCALE 24.10).
type legacyMessage struct {
	Msg     string            `json:"msg"`
	ID      json.RawMessage   `json:"id"`
	Method  *string           `json:"method"`
	Params  []json.RawMessage `json:"params"`
	Version string            `json:"version"`
}

// serveLegacy serves the legacy API of /websocket: a "connect" handshake,
// then "method" calls answered by "result" messages; "ping" gets "pong".
func (s *session) serveLegacy(ctx context.Context) {
	handshake := false
	for {
		typ, msg, err := s.ws.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			s.fake.Failed(s.ws.Close(websocket.StatusUnsupportedData, "Invalid websocket message type"))
			return
		}
		var m legacyMessage
		if err := json.Unmarshal(msg, &m); err != nil {
			// the middleware closes the connection on a message that is not JSON
			s.fake.Failed(fmt.Errorf("legacy message is not JSON: %s", msg))
			s.fake.Failed(ignoreClosed(s.ws.Close(websocket.StatusInvalidFramePayloadData, err.Error())))
			return
		}
		switch {
		case m.Msg == "connect":
			if m.Version != "1" || s.fake.refuseHandshake.Load() {
				s.send(ctx, map[string]any{"msg": "failed", "version": "1"})
				continue
			}
			handshake = true
			s.send(ctx, map[string]any{"msg": "connected", "session": "5d7f3c1e-8a2b-4c6d-9e0f-1a2b3c4d5e6f"})
		case !handshake:
			s.fake.Failed(fmt.Errorf("legacy message before the handshake: %s", msg))
			s.send(ctx, map[string]any{"msg": "failed", "version": "1"})
		case m.Msg == "ping":
			pong := map[string]any{"msg": "pong"}
			if m.ID != nil {
				pong["id"] = m.ID
			}
			s.send(ctx, pong)
		case m.Msg == "method":
			if !s.answerLegacy(ctx, m) {
				return
			}
		default:
			s.fake.Failed(fmt.Errorf("legacy message not served by the fake: %s", msg))
		}
	}
}

// answerLegacy frames one call's reply; it reports false when the
// connection is gone.
func (s *session) answerLegacy(ctx context.Context, m legacyMessage) bool {
	if m.Method == nil {
		s.send(ctx, s.legacyError(m.ID, &callErr{errno: 22, errname: "EINVAL", reason: "Message is malformed: 'method' is absent.", plain: true}))
		return true
	}
	r := s.dispatch(*m.Method, m.Params)
	switch {
	case r.drop:
		s.fake.Failed(ignoreClosed(s.ws.CloseNow()))
		return false
	case r.hang:
	case r.raw != "":
		s.fake.Failed(ignoreClosed(s.ws.Write(ctx, websocket.MessageText, []byte(r.raw))))
	case r.err != nil:
		s.send(ctx, s.legacyError(m.ID, r.err))
	default:
		s.send(ctx, map[string]any{"id": m.ID, "msg": "result", "result": r.result})
	}
	return true
}

// legacyError is Application.send_error's message: errno, errname (SCALE
// only; CORE 13 has none), type (VALIDATION for bad arguments), reason
// (an exception's str(), "[EINVAL] api_key: Field required"), trace and
// extra.
func (s *session) legacyError(id json.RawMessage, e *callErr) map[string]any {
	reason := e.reason
	var etype any
	var extra any
	if !e.plain && e.errname != "" && !strings.HasPrefix(reason, "[") {
		reason = "[" + e.errname + "] " + reason
	}
	if e.attribute != "" {
		etype = "VALIDATION"
		extra = [][]any{{e.attribute, strings.TrimPrefix(e.reason, e.attribute+": "), e.errno}}
	}
	body := map[string]any{"error": e.errno, "type": etype, "reason": reason, "trace": nil, "extra": extra}
	if !e.plain {
		body["trace"] = map[string]any{
			"class":     "CallError",
			"frames":    []any{},
			"formatted": "Traceback (most recent call last):\n  ...\nmiddlewared.service_exception.CallError: " + reason + "\n",
		}
	}
	if !s.spec.coreErrors {
		body["errname"] = e.errname
	}
	return map[string]any{"msg": "result", "id": id, "error": body}
}
