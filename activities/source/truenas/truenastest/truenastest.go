// Package truenastest is a fake TrueNAS API for tests: it speaks the
// middleware's JSON-RPC 2.0 WebSocket protocol at /api/current (25.04 and
// later) and its legacy WebSocket protocol at /websocket (CORE 13, SCALE
// 24.10; kept by later releases), as each release serves them; checks the
// API key the way auth.login_with_api_key and auth.login_ex do and the
// key's role the way the middleware authorizes a call; answers other
// methods from recorded results under testdata/, and can be told to fail.
//
// The recorded results follow the middleware's API models (see
// testdata/README.md). Fixtures: NAS1 is TrueNAS 25.04 on a Supermicro
// storage server with a LACP bond, a VLAN, a bridge, two pools (one
// degraded) and NFS, SMB and iSCSI shares; SCALE2410 is the same system
// before its upgrade, on SCALE 24.10; VM is TrueNAS 25.10 in a QEMU
// virtual machine with one DHCP NIC and a stopped NFS service; CORE13 is
// TrueNAS CORE 13.0 on FreeBSD with a lagg, a VLAN and a bridge.
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

// Credentials the fake accepts. The keys are test values, not real ones.
const (
	// APIKey belongs to Username, a full administrator.
	APIKey   = "7-Qm3vT8xWq2Lr9ZbN4kYc6HsJd1FgPa5UeXo0VtRiMw7KjBn2ChDyLz8SpEu4Gf"
	Username = "netbox-agent"
	// ReadOnlyAPIKey belongs to ReadOnlyUsername, whose privilege has the
	// READONLY_ADMIN role (25.04 and later: refused the methods that
	// declare no role); on SCALE 24.10, whose keys carry a method
	// allowlist instead, it is a key whose allowlist names the methods
	// READONLY_ADMIN allows, so it is refused the same ones.
	ReadOnlyAPIKey   = "8-Ro4xWq2Lr9ZbN4kYc6HsJd1FgPa5UeXo0VtRiMw7KjBn2ChDyLz8SpEu4GfQm3v"
	ReadOnlyUsername = "netbox-ro"
)

// Fixtures.
const (
	// NAS1 is TrueNAS 25.04.2.4 "nas1" on a Supermicro server.
	NAS1 = "nas1"
	// SCALE2410 is nas1 before its upgrade: TrueNAS SCALE 24.10.2.2, which
	// serves only the legacy API.
	SCALE2410 = "scale2410"
	// VM is TrueNAS 25.10.1 "truenas" in a QEMU virtual machine.
	VM = "vm"
	// CORE13 is TrueNAS CORE 13.0-U6.2 "core" on FreeBSD, legacy API only.
	CORE13 = "core13"
)

// fixtureSpec is what the release of a fixture serves and checks.
type fixtureSpec struct {
	jsonrpc bool // /api/current (25.04 and later)
	legacy  bool // /websocket (every release up to 27)
	loginEx bool // auth.login_ex (25.04 and later)
	// roles: the middleware authorizes each call by the key's roles (25.04
	// and later) or the key's allowlist (SCALE 24.10); CORE 13's keys may
	// call everything.
	roles bool
	// coreErrors: legacy errors carry no errname and a call before the
	// login is refused with EACCES (CORE 13).
	coreErrors bool
}

var fixtureSpecs = map[string]fixtureSpec{
	NAS1:      {jsonrpc: true, legacy: true, loginEx: true, roles: true},
	VM:        {jsonrpc: true, legacy: true, loginEx: true, roles: true},
	SCALE2410: {legacy: true, roles: true},
	CORE13:    {legacy: true, coreErrors: true},
}

// user is an account an API key logs in as.
type user struct {
	name      string
	key       string
	fullAdmin bool
}

var users = []user{
	{name: Username, key: APIKey, fullAdmin: true},
	{name: ReadOnlyUsername, key: ReadOnlyAPIKey},
}

// userOf finds the user of key; username, when given, must be its owner.
func (f *Fake) userOf(username, key string) *user {
	for i := range users {
		if users[i].key == key && (username == "" || users[i].name == username) {
			return &users[i]
		}
	}
	return nil
}

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
	// refuseHandshake answers every legacy connect with "failed".
	refuseHandshake atomic.Bool
}

// NewFake returns a fake answering from the named fixture; it panics on a
// fixture it does not have.
func NewFake(fixture string) *Fake {
	if _, ok := fixtureSpecs[fixture]; !ok {
		panic("truenastest: no fixture " + fixture)
	}
	return &Fake{fixture: fixture, removed: map[string]bool{}}
}

// Upgrade makes the fake the system of another fixture from the next
// connection on, as an upgrade of the system does (SCALE2410 to NAS1).
func (f *Fake) Upgrade(fixture string) {
	if _, ok := fixtureSpecs[fixture]; !ok {
		panic("truenastest: no fixture " + fixture)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fixture = fixture
}

// current is the fixture the fake serves.
func (f *Fake) current() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fixture
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

// RefuseHandshake makes the legacy API answer every connect with
// "failed", as the middleware answers a protocol version it does not
// speak.
func (f *Fake) RefuseHandshake() { f.refuseHandshake.Store(true) }

// Connections reports how many HTTP requests reached the fake.
func (f *Fake) Connections() int { return int(f.connections.Load()) }

// OpenSessions reports how many WebSocket sessions are open.
func (f *Fake) OpenSessions() int { return int(f.open.Load()) }

// KeysInClear reports how many logins sent a key over an unencrypted
// connection, which a real TrueNAS answers by revoking the key.
func (f *Fake) KeysInClear() int { return int(f.keysInClear.Load()) }

// ServeHTTP accepts the WebSocket of the API the path names, when the
// fixture's release serves it, and serves calls until the client closes
// it; anything else is a 404, as the middleware's router answers.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.connections.Add(1)
	fixture := f.current()
	spec := fixtureSpecs[fixture]
	legacy := r.URL.Path == "/websocket"
	if (legacy && !spec.legacy) || (!legacy && (!spec.jsonrpc || !apiPath.MatchString(r.URL.Path))) {
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
	s := &session{fake: f, fixture: fixture, spec: spec, ws: ws, tls: r.TLS != nil}
	if legacy {
		s.serveLegacy(r.Context())
		return
	}
	s.serveJSONRPC(r.Context())
}
