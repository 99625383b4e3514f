package truenastest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path"

	"github.com/coder/websocket"
)

// session is one client connection and its login state.
type session struct {
	fake          *Fake
	ws            *websocket.Conn
	tls           bool
	authenticated bool
}

// request is a JSON-RPC request as the middleware validates it.
type request struct {
	JSONRPC string            `json:"jsonrpc"`
	ID      json.RawMessage   `json:"id"`
	Method  string            `json:"method"`
	Params  []json.RawMessage `json:"params"`
}

func (s *session) serve(ctx context.Context) {
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
		if !s.answer(ctx, req) {
			return
		}
	}
}

// answer handles one call; it reports false when the connection is gone.
func (s *session) answer(ctx context.Context, req request) bool {
	f := s.fake
	fault, faulted := f.Call(req.Method)
	f.mu.Lock()
	removed := f.removed[req.Method]
	f.mu.Unlock()

	switch {
	case faulted && fault.Drop:
		f.Failed(ignoreClosed(s.ws.CloseNow()))
		return false
	case faulted && fault.Hang:
		return true
	case faulted && fault.Raw != "":
		f.Failed(ignoreClosed(s.ws.Write(ctx, websocket.MessageText, []byte(fault.Raw))))
		return true
	case faulted && fault.Result != "":
		s.send(ctx, map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": json.RawMessage(fault.Result)})
		return true
	case faulted:
		s.send(ctx, callError(req.ID, fault))
		return true
	case removed:
		s.send(ctx, errorAnswer(req.ID, CodeMethodNotFound, "Method does not exist", nil))
		return true
	}

	switch req.Method {
	case "auth.login_with_api_key":
		s.loginWithAPIKey(ctx, req)
		return true
	case "auth.login_ex":
		s.loginEx(ctx, req)
		return true
	}
	if !s.authenticated {
		s.send(ctx, callError(req.ID, Fault{Code: CodeCallError, Message: "Method call error", Errno: 207, Errname: "ENOTAUTHENTICATED", Reason: "Not authenticated"}))
		return true
	}
	body, err := fs.ReadFile(fixtures, path.Join("testdata", f.fixture, req.Method+".json"))
	if err != nil {
		s.send(ctx, errorAnswer(req.ID, CodeMethodNotFound, "Method does not exist", nil))
		return true
	}
	s.send(ctx, map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": json.RawMessage(body)})
	return true
}

// loginWithAPIKey answers like the middleware: true, or false after a
// failed lookup.
func (s *session) loginWithAPIKey(ctx context.Context, req request) {
	var key string
	if len(req.Params) != 1 || json.Unmarshal(req.Params[0], &key) != nil {
		s.send(ctx, invalidParams(req.ID, "api_key", "Field required"))
		return
	}
	s.noteKey()
	s.authenticated = key == APIKey
	s.send(ctx, map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": s.authenticated})
}

// loginEx answers auth.login_ex for the API_KEY_PLAIN mechanism.
func (s *session) loginEx(ctx context.Context, req request) {
	var data struct {
		Mechanism string `json:"mechanism"`
		Username  string `json:"username"`
		APIKey    string `json:"api_key"`
	}
	if len(req.Params) != 1 || json.Unmarshal(req.Params[0], &data) != nil || data.Mechanism == "" {
		s.send(ctx, invalidParams(req.ID, "login_data", "Field required"))
		return
	}
	if data.Mechanism != "API_KEY_PLAIN" {
		s.send(ctx, invalidParams(req.ID, "login_data.mechanism", "mechanism not supported by the fake"))
		return
	}
	if data.Username == "" || data.APIKey == "" {
		s.send(ctx, invalidParams(req.ID, "login_data.username", "Field required"))
		return
	}
	s.noteKey()
	s.authenticated = data.Username == Username && data.APIKey == APIKey
	result := map[string]any{"response_type": "AUTH_ERR"}
	if s.authenticated {
		result = map[string]any{"response_type": "SUCCESS", "user_info": nil, "authenticator": "LEVEL_1", "reconnect_token": nil}
	}
	s.send(ctx, map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
}

func (s *session) noteKey() {
	if s.tls {
		return
	}
	s.fake.keysInClear.Add(1)
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

// callError is the middleware's error answer for a method that raised.
func callError(id json.RawMessage, f Fault) map[string]any {
	class := "CallError"
	return errorAnswer(id, f.Code, f.Message, map[string]any{
		"error":   f.Errno,
		"errname": f.Errname,
		"reason":  f.Reason,
		"trace": map[string]any{
			"class":     class,
			"formatted": fmt.Sprintf("Traceback (most recent call last):\n  ...\nmiddlewared.service_exception.%s: [%s] %s\n", class, f.Errname, f.Reason),
			"repr":      fmt.Sprintf("%s('%s', %d)", class, f.Reason, f.Errno),
		},
		"extra": nil,
	})
}

// invalidParams is the middleware's answer to arguments that fail validation.
func invalidParams(id json.RawMessage, attribute, msg string) map[string]any {
	return errorAnswer(id, CodeInvalidParams, "Invalid params", map[string]any{
		"error":   22,
		"errname": "EINVAL",
		"reason":  "[EINVAL] " + attribute + ": " + msg + "\n",
		"trace":   nil,
		"extra":   [][]any{{attribute, msg, 22}},
	})
}
