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
	"embed"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/coder/websocket"

	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
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

// Fake is the fake TrueNAS API; it is an http.Handler. Faults are set by
// method and make every call of it fail; Hits count the calls of a method;
// Err reports what went wrong on the fake's side (answers it failed to
// send, requests that broke the protocol).
type Fake struct {
	sourcetest.Calls[Fault]
	fixture string

	mu          sync.Mutex
	removed     map[string]bool
	connections atomic.Int64
	open        atomic.Int64
	keysInClear atomic.Int64
}

// NewFake returns a fake answering from the named fixture.
func NewFake(fixture string) *Fake {
	return &Fake{fixture: fixture, removed: map[string]bool{}}
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

// RemoveMethod makes method unknown, as a later TrueNAS release that
// dropped it answers ("Method does not exist").
func (f *Fake) RemoveMethod(method string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed[method] = true
}

// Connections reports how many HTTP requests reached the fake.
func (f *Fake) Connections() int { return int(f.connections.Load()) }

// OpenSessions reports how many WebSocket sessions are open.
func (f *Fake) OpenSessions() int { return int(f.open.Load()) }

// KeysInClear reports how many logins sent a key over an unencrypted
// connection, which a real TrueNAS answers by revoking the key.
func (f *Fake) KeysInClear() int { return int(f.keysInClear.Load()) }

// ServeHTTP accepts the WebSocket and serves JSON-RPC calls until the
// client closes it.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.connections.Add(1)
	if !apiPath.MatchString(r.URL.Path) {
		http.NotFound(w, r)
		return
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		f.Failed(fmt.Errorf("accept websocket: %w", err))
		return
	}
	ws.SetReadLimit(1 << 20)
	f.open.Add(1)
	defer f.open.Add(-1)
	s := &session{fake: f, ws: ws, tls: r.TLS != nil}
	s.serve(r.Context())
}
