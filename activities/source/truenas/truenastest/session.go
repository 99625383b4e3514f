package truenastest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/coder/websocket"
)

// session is one client connection and its login state.
type session struct {
	fake    *Fake
	fixture string
	spec    fixtureSpec
	ws      *websocket.Conn
	tls     bool
	// user is who logged in; nil before a login.
	user *user
}

// request is a JSON-RPC request as the middleware validates it.
type request struct {
	JSONRPC string            `json:"jsonrpc"`
	ID      json.RawMessage   `json:"id"`
	Method  string            `json:"method"`
	Params  []json.RawMessage `json:"params"`
}

// serveJSONRPC serves the JSON-RPC 2.0 API of /api/current.
func (s *session) serveJSONRPC(ctx context.Context) {
	for {
		typ, msg, err := s.ws.Read(ctx)
		if err != nil {
			// the client closed the connection, or it dropped
			return
		}
		if typ != websocket.MessageText {
			s.fake.Failed(s.ws.Close(websocket.StatusUnsupportedData, "Invalid websocket message type"))
			return
		}
		var req request
		if err := json.Unmarshal(msg, &req); err != nil {
			s.send(ctx, errorAnswer(nil, CodeParseError, err.Error(), nil))
			continue
		}
		if req.JSONRPC != "2.0" || req.Method == "" {
			s.fake.Failed(fmt.Errorf("invalid request %s", msg))
			if req.ID != nil {
				s.send(ctx, errorAnswer(req.ID, CodeInvalidRequest, "'jsonrpc' member must be exactly '2.0' and 'method' a string", nil))
			}
			continue
		}
		if req.ID == nil {
			continue // a notification gets no answer
		}
		if !s.answerJSONRPC(ctx, req) {
			return
		}
	}
}

// answerJSONRPC frames one call's reply; it reports false when the
// connection is gone.
func (s *session) answerJSONRPC(ctx context.Context, req request) bool {
	r := s.dispatch(req.Method, req.Params)
	switch {
	case r.drop:
		s.fake.Failed(ignoreClosed(s.ws.CloseNow()))
		return false
	case r.hang:
	case r.raw != "":
		s.fake.Failed(ignoreClosed(s.ws.Write(ctx, websocket.MessageText, []byte(r.raw))))
	case r.err != nil:
		s.send(ctx, jsonrpcError(req.ID, r.err))
	default:
		s.send(ctx, map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": r.result})
	}
	return true
}

func (s *session) send(ctx context.Context, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.fake.Failed(fmt.Errorf("encode answer: %w", err))
		return
	}
	s.fake.Failed(ignoreClosed(s.ws.Write(ctx, websocket.MessageText, b)))
}

// ignoreClosed drops the error of writing to a connection the client has
// already closed, which a test that cancels a call does on purpose.
func ignoreClosed(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || websocket.CloseStatus(err) != -1 || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func errorAnswer(id json.RawMessage, code int, message string, data any) map[string]any {
	e := map[string]any{"code": code, "message": message}
	if data != nil {
		e["data"] = data
	}
	var rawID any = json.RawMessage(id)
	if id == nil {
		rawID = nil
	}
	return map[string]any{"jsonrpc": "2.0", "error": e, "id": rawID}
}

// jsonrpcError is the middleware's JSON-RPC error answer: a method that
// raised (with its errno, errname, reason and trace), arguments that
// failed validation, or a method that does not exist (no data).
func jsonrpcError(id json.RawMessage, e *callErr) map[string]any {
	switch {
	case e.code == CodeMethodNotFound:
		return errorAnswer(id, e.code, e.message, nil)
	case e.attribute != "":
		return errorAnswer(id, e.code, e.message, map[string]any{
			"error":   e.errno,
			"errname": e.errname,
			"reason":  "[" + e.errname + "] " + e.reason + "\n",
			"trace":   nil,
			"extra":   [][]any{{e.attribute, strings.TrimPrefix(e.reason, e.attribute+": "), e.errno}},
		})
	}
	class := "CallError"
	return errorAnswer(id, e.code, e.message, map[string]any{
		"error":   e.errno,
		"errname": e.errname,
		"reason":  e.reason,
		"trace": map[string]any{
			"class":     class,
			"formatted": fmt.Sprintf("Traceback (most recent call last):\n  ...\nmiddlewared.service_exception.%s: [%s] %s\n", class, e.errname, e.reason),
			"repr":      fmt.Sprintf("%s('%s', %d)", class, e.reason, e.errno),
		},
		"extra": nil,
	})
}
