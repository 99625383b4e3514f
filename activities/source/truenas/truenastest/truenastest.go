// Package truenastest is a fake TrueNAS JSON-RPC 2.0 API for tests: it
// speaks the middleware's WebSocket protocol at /api/current, checks the
// API key the way auth.login_with_api_key and auth.login_ex do, answers
// other methods from recorded results under testdata/, and can be told to
// fail.
//
// The recorded results follow the middleware's API models (see
// testdata/README.md). Fixtures: NAS1 is TrueNAS 25.04 on a Supermicro
// storage server with a LACP bond, a VLAN, a bridge, two pools (one
// degraded) and NFS, SMB and iSCSI shares; VM is TrueNAS 25.10 in a QEMU
// virtual machine with one DHCP NIC and a stopped NFS service.
package truenastest

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"sync"
	"testing"

	"github.com/coder/websocket"
)

// Credentials the fake accepts. The key is a test value, not a real one.
const (
	APIKey   = "7-Qm3vT8xWq2Lr9ZbN4kYc6HsJd1FgPa5UeXo0VtRiMw7KjBn2ChDyLz8SpEu4Gf"
	Username = "netbox-agent"
)

// Fixtures.
const (
	// NAS1 is TrueNAS 25.04.2.4 "nas1" on a Supermicro server.
	NAS1 = "nas1"
	// VM is TrueNAS 25.10.1 "truenas" in a QEMU virtual machine.
	VM = "vm"
)

// JSON-RPC error codes of the middleware.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeTooManyCalls   = -32000
	CodeCallError      = -32001
)

//go:embed testdata
var fixtures embed.FS

// apiPath accepts /api/current and pinned versions, as the middleware does.
var apiPath = regexp.MustCompile(`^/api/(current|v[0-9]{2}\.[0-9]+(\.[0-9]+)*)$`)

// Fault is what the fake does instead of answering a method.
type Fault struct {
	// Code, Message, Errno, Errname and Reason make a JSON-RPC error
	// answer the way the middleware sends one.
	Code    int
	Message string
	Errno   int
	Errname string
	Reason  string
	// Raw, when set, is sent as the answer instead: a malformed answer.
	Raw string
	// Result, when set, is the call's result instead of the recorded one.
	Result string
	// Hang leaves the call unanswered.
	Hang bool
	// Drop closes the connection instead of answering.
	Drop bool
}

// NotAuthorized is the middleware's answer to a method the key's user has
// no role for.
var NotAuthorized = Fault{Code: CodeCallError, Message: "Method call error", Errno: 13, Errname: "EACCES", Reason: "Not authorized"}

// Fake is the fake TrueNAS API; it is an http.Handler.
type Fake struct {
	fixture string

	mu          sync.Mutex
	faults      map[string]Fault
	removed     map[string]bool
	hits        map[string]int
	connections int
	open        int
	keysInClear int
	errs        []error
}

// NewFake returns a fake answering from the named fixture.
func NewFake(fixture string) *Fake {
	return &Fake{
		fixture: fixture,
		faults:  map[string]Fault{},
		removed: map[string]bool{},
		hits:    map[string]int{},
	}
}

// NewServer starts the fake NAS1 system over TLS with httptest's
// self-signed certificate; it is closed when the test ends. Point a
// truenas source at its URL with insecure_skip_verify or the certificate
// as ca_file, and APIKey.
func NewServer(t testing.TB) *httptest.Server {
	t.Helper()
	return Serve(t, NewFake(NAS1))
}

// Serve starts f over TLS; the server is closed when the test ends. Its
// log of refused TLS handshakes, which certificate tests cause on purpose,
// is discarded.
func Serve(t testing.TB, f *Fake) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(f)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// SetFault makes every call of method fail with fault.
func (f *Fake) SetFault(method string, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method] = fault
}

// RemoveMethod makes method unknown, as a later TrueNAS release that
// dropped it answers ("Method does not exist").
func (f *Fake) RemoveMethod(method string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed[method] = true
}

// Hits reports how many calls of method the fake received.
func (f *Fake) Hits(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[method]
}

// Connections reports how many HTTP requests reached the fake.
func (f *Fake) Connections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connections
}

// OpenSessions reports how many WebSocket sessions are open.
func (f *Fake) OpenSessions() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.open
}

// KeysInClear reports how many logins sent a key over an unencrypted
// connection, which a real TrueNAS answers by revoking the key.
func (f *Fake) KeysInClear() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keysInClear
}

// Err reports what went wrong on the fake's side (answers it failed to
// send, requests that broke the protocol), joined; nil when nothing did.
func (f *Fake) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return errors.Join(f.errs...)
}

func (f *Fake) failed(err error) {
	if err == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, err)
}

// ServeHTTP accepts the WebSocket and serves JSON-RPC calls until the
// client closes it.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.connections++
	f.mu.Unlock()
	if !apiPath.MatchString(r.URL.Path) {
		http.NotFound(w, r)
		return
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		f.failed(fmt.Errorf("accept websocket: %w", err))
		return
	}
	ws.SetReadLimit(1 << 20)
	f.mu.Lock()
	f.open++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.open--
		f.mu.Unlock()
	}()
	s := &session{fake: f, ws: ws, tls: r.TLS != nil}
	s.serve(r.Context())
}

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
			s.fake.failed(s.ws.Close(websocket.StatusUnsupportedData, "Invalid websocket message type"))
			return
		}
		var req request
		if err := json.Unmarshal(msg, &req); err != nil {
			s.send(ctx, errorAnswer(nil, CodeParseError, err.Error(), nil))
			continue
		}
		if req.JSONRPC != "2.0" || req.Method == "" {
			s.fake.failed(fmt.Errorf("invalid request %s", msg))
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
	f.mu.Lock()
	f.hits[req.Method]++
	fault, faulted := f.faults[req.Method]
	removed := f.removed[req.Method]
	f.mu.Unlock()

	switch {
	case faulted && fault.Drop:
		f.failed(ignoreClosed(s.ws.CloseNow()))
		return false
	case faulted && fault.Hang:
		return true
	case faulted && fault.Raw != "":
		f.failed(ignoreClosed(s.ws.Write(ctx, websocket.MessageText, []byte(fault.Raw))))
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
	s.fake.mu.Lock()
	defer s.fake.mu.Unlock()
	s.fake.keysInClear++
}

func (s *session) send(ctx context.Context, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.fake.failed(fmt.Errorf("encode answer: %w", err))
		return
	}
	s.fake.failed(ignoreClosed(s.ws.Write(ctx, websocket.MessageText, b)))
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
