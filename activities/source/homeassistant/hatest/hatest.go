// Package hatest is a fake Home Assistant WebSocket API for tests. It runs
// the auth phase the way Home Assistant does (auth_required, auth with an
// access token, auth_ok or auth_invalid), checks that message ids
// increase, and answers commands with the result bodies under testdata/
// (see testdata/README.md), or with faults a test sets.
//
// The Home fixture is a small house on Home Assistant 2025.6: a Hue bridge
// and lamp, a Shelly relay, an ESPHome sensor, a Synology NAS with two
// NICs, a Bluetooth thermometer, Zigbee sensors behind a coordinator, a
// FRITZ!Box known to both its own integration and UPnP (one device of two
// config entries), an MQTT device without manufacturer or model, a
// disabled Ring doorbell, the service entries of Sun, Met.no and the
// Supervisor, and three floors. Home2026_9 is the same house after the
// upgrade to 2026.9: one config entry per device, the FRITZ!Box split into
// two devices with new ids, and two child devices of the Shelly relay.
package hatest

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"sync/atomic"
	"testing"

	"github.com/coder/websocket"

	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// Token is the long-lived access token the fake accepts. It has the shape
// of a real one (a JWT) but signs nothing.
const Token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJmYWtlLWhhLXRlc3QiLCJpYXQiOjE3MzU2ODk2MDB9.c2lnbmF0dXJlLW9mLWEtZmFrZS10b2tlbg"

// Version is the Home Assistant version the fake claims with the Home
// fixture.
const Version = "2025.6.3"

// versions are the releases the fixtures were shaped after.
var versions = map[string]string{Home: Version, Home2026_9: "2026.9.0"}

// Path is where the fake serves the WebSocket API, as Home Assistant does.
const Path = "/api/websocket"

// Fixtures.
const (
	// Home is the default fixture; see the package comment.
	Home = "home"
	// Home2026_9 is the house after the device registry split of 2026.8,
	// on 2026.9 with child devices.
	Home2026_9 = "home-2026.9"
)

//go:embed testdata
var fixtures embed.FS

// Fault is what the fake does instead of answering a command with its
// recorded result.
type Fault struct {
	// Code and Message make a result with success false, as Home
	// Assistant sends for "unknown_command" or "unauthorized".
	Code    string
	Message string
	// Result, when set, is sent as the command's result instead of the
	// recorded one.
	Result json.RawMessage
	// Raw, when set, is sent as the whole message (a malformed answer).
	Raw string
	// Hang sends nothing: the command never gets an answer.
	Hang bool
	// Close closes the connection with this status instead of answering.
	Close websocket.StatusCode
	// Before are whole messages sent ahead of the answer (events, a stray
	// result); the answer is the recorded one unless another field says
	// otherwise.
	Before []string
}

// Fake is the fake Home Assistant; it is an http.Handler. Faults are set by
// command (its type, "config/device_registry/list"); Hits count the times a
// command was received after a successful authentication; Err reports what
// went wrong on the fake's side (an answer it could not write, a message
// that broke the protocol).
type Fake struct {
	sourcetest.Calls[Fault]
	fixture      atomic.Value // string
	authAttempts atomic.Int64
	closedByPeer atomic.Int64
}

// NewFake returns a fake answering from the named fixture (Home when empty).
func NewFake(fixture string) *Fake {
	if fixture == "" {
		fixture = Home
	}
	f := &Fake{}
	f.fixture.Store(fixture)
	return f
}

// SetFixture makes the fake answer from another fixture from the next
// connection on, as a Home Assistant upgraded between two syncs does.
func (f *Fake) SetFixture(fixture string) { f.fixture.Store(fixture) }

func (f *Fake) current() (fixture, version string) {
	fixture, _ = f.fixture.Load().(string)
	return fixture, versions[fixture]
}

// NewServer starts a fake of the Home fixture over plain HTTP; it is
// closed when the test ends. Point a homeassistant source at URL with the
// token Token.
func NewServer(t testing.TB) (*httptest.Server, *Fake) {
	t.Helper()
	f := NewFake(Home)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv, f
}

// AuthAttempts reports how many auth messages the fake received.
func (f *Fake) AuthAttempts() int { return int(f.authAttempts.Load()) }

// ClosedByPeer reports how many connections the client ended with a
// normal closure, as a well-behaved client does when it is done.
func (f *Fake) ClosedByPeer() int { return int(f.closedByPeer.Load()) }

// ServeHTTP upgrades the request and runs one session.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != Path {
		http.NotFound(w, r)
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		f.Failed(fmt.Errorf("accept: %w", err))
		return
	}
	c.SetReadLimit(1 << 20)
	f.session(r.Context(), c)
}

// incoming is any message a client sends.
type incoming struct {
	ID          *int64 `json:"id"`
	Type        string `json:"type"`
	AccessToken string `json:"access_token"`
}

func (f *Fake) session(ctx context.Context, c *websocket.Conn) {
	defer func() { f.Failed(ignoreClosed(c.CloseNow())) }()
	fixture, version := f.current()
	if err := send(ctx, c, map[string]any{"type": "auth_required", "ha_version": version}); err != nil {
		f.Failed(fmt.Errorf("send auth_required: %w", err))
		return
	}
	var auth incoming
	if err := f.receive(ctx, c, &auth); err != nil {
		return
	}
	f.authAttempts.Add(1)
	switch {
	case auth.Type != "auth" || auth.AccessToken == "":
		f.Failed(send(ctx, c, map[string]any{"type": "auth_invalid",
			"message": "Auth message incorrectly formatted: required key not provided @ data['type']"}))
		return
	case auth.AccessToken != Token:
		f.Failed(send(ctx, c, map[string]any{"type": "auth_invalid", "message": "Invalid access token or password"}))
		return
	}
	if err := send(ctx, c, map[string]any{"type": "auth_ok", "ha_version": version}); err != nil {
		f.Failed(fmt.Errorf("send auth_ok: %w", err))
		return
	}
	var lastID int64
	for {
		var msg incoming
		if err := f.receive(ctx, c, &msg); err != nil {
			return
		}
		if msg.ID == nil {
			f.Failed(fmt.Errorf("message %q without id", msg.Type))
			return
		}
		id := *msg.ID
		if id <= lastID {
			// Home Assistant's answer to a reused or decreasing id
			f.Failed(send(ctx, c, errorResult(id, "id_reuse", "Identifier values have to increase.")))
			continue
		}
		lastID = id
		fault, faulted := f.Call(msg.Type)
		if faulted {
			if done := f.fault(ctx, c, fixture, id, msg.Type, fault); done {
				return
			}
			continue
		}
		f.answer(ctx, c, fixture, id, msg.Type)
	}
}

// receive reads one message into v; an error ends the session.
func (f *Fake) receive(ctx context.Context, c *websocket.Conn, v any) error {
	_, data, err := c.Read(ctx)
	if err != nil {
		if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
			f.closedByPeer.Add(1)
		}
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		f.Failed(fmt.Errorf("client sent invalid JSON: %w", err))
		return err
	}
	return nil
}

// fault carries out a fault; it reports whether the session is over.
func (f *Fake) fault(ctx context.Context, c *websocket.Conn, fixture string, id int64, cmd string, fault Fault) bool {
	for _, m := range fault.Before {
		f.Failed(c.Write(ctx, websocket.MessageText, []byte(m)))
	}
	switch {
	case fault.Close != 0:
		f.Failed(ignoreClosed(c.Close(fault.Close, "fault injected by test")))
		return true
	case fault.Hang:
		return false
	case fault.Raw != "":
		f.Failed(c.Write(ctx, websocket.MessageText, []byte(fault.Raw)))
	case fault.Result != nil:
		f.Failed(send(ctx, c, map[string]any{"id": id, "type": "result", "success": true, "result": fault.Result}))
	case fault.Code != "":
		f.Failed(send(ctx, c, errorResult(id, fault.Code, fault.Message)))
	default:
		f.answer(ctx, c, fixture, id, cmd)
	}
	return false
}

// answer sends the recorded result of cmd, or unknown_command when the
// fixture's release does not have it (floors before 2024.4, the split map
// before 2026.8).
func (f *Fake) answer(ctx context.Context, c *websocket.Conn, fixture string, id int64, cmd string) {
	body, err := fs.ReadFile(fixtures, path.Join("testdata", fixture, cmd)+".json")
	if err != nil {
		f.Failed(send(ctx, c, errorResult(id, "unknown_command", "Unknown command.")))
		return
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		f.Failed(fmt.Errorf("fixture %s: %w", cmd, err))
		return
	}
	f.Failed(send(ctx, c, map[string]any{"id": id, "type": "result", "success": true, "result": json.RawMessage(compact.Bytes())}))
}

func errorResult(id int64, code, message string) map[string]any {
	return map[string]any{"id": id, "type": "result", "success": false,
		"error": map[string]string{"code": code, "message": message}}
}

func send(ctx context.Context, c *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return c.Write(ctx, websocket.MessageText, b)
}

// ignoreClosed drops the errors of closing a connection the peer already
// closed, which are the normal end of a session.
func ignoreClosed(err error) error {
	if err == nil || errors.Is(err, net.ErrClosed) || websocket.CloseStatus(err) != -1 {
		return nil
	}
	return err
}
