package homeassistant

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// closeConn ends a test server's side of a connection; that the client
// closed it first is no failure.
func closeConn(t *testing.T, c *websocket.Conn) {
	if err := c.CloseNow(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Errorf("close: %v", err)
	}
}

func TestWrongTokenIsAnAuthError(t *testing.T) {
	srv, fake := hatest.NewServer(t)
	const wrong = "eyJhbGciOiJIUzI1NiJ9.d3Jvbmc.bm90LXRoZS10b2tlbg"
	src, logs := newSourceWithToken(t, "house", srv.URL, "", wrong)
	snap, err := src.Discover(context.Background(), nil)
	require.Error(t, err)
	assert.Nil(t, snap)
	assert.True(t, errors.Is(err, source.ErrAuth), "got %v", err)
	assert.False(t, errors.Is(err, source.ErrUnreachable), "a refused token is not an outage")
	assert.Contains(t, err.Error(), "Invalid access token or password")
	sourcetest.AssertNoSecret(t, wrong, err, logs)
	assert.Equal(t, 1, fake.AuthAttempts())
	assert.Zero(t, fake.Hits(cmdDevices), "nothing is asked before auth_ok")
}

func TestAuthInvalidMessageNeverEchoesTheToken(t *testing.T) {
	// a server (or proxy) that quotes the token back must not get it into the error
	const token = "eyJhbGciOiJIUzI1NiJ9.ZWNobw.c2VjcmV0LXZhbHVl"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer closeConn(t, c)
		ctx := r.Context()
		if c.Write(ctx, websocket.MessageText, []byte(`{"type":"auth_required","ha_version":"2025.6.3"}`)) != nil {
			return
		}
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		var m struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal(data, &m) != nil {
			return
		}
		msg, err := json.Marshal(map[string]string{"type": "auth_invalid", "message": "token " + m.AccessToken + " expired"})
		if err != nil {
			t.Errorf("encode auth_invalid: %v", err)
			return
		}
		if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
			t.Errorf("send auth_invalid: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	src, logs := newSourceWithToken(t, "house", srv.URL, "", token)
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrAuth, "token [token] expired")
	sourcetest.AssertNoSecret(t, token, err, logs)
}

func TestCommandFailures(t *testing.T) {
	cases := []struct {
		name    string
		cmd     string
		fault   hatest.Fault
		want    error  // class; nil means none of the classes
		message string // fragment of the error
	}{
		{"devices unauthorized", cmdDevices, hatest.Fault{Code: "unauthorized", Message: "Unauthorized"},
			source.ErrAuth, "home assistant refused config/device_registry/list: unauthorized: Unauthorized"},
		{"devices unknown command", cmdDevices, hatest.Fault{Code: "unknown_command", Message: "Unknown command."},
			nil, "list devices: home assistant refused config/device_registry/list: unknown_command"},
		{"areas failing", cmdAreas, hatest.Fault{Code: "home_assistant_error", Message: "Error handling message"},
			nil, "list areas: home assistant refused config/area_registry/list: home_assistant_error"},
		{"devices not JSON", cmdDevices, hatest.Fault{Raw: `{"id":2,"type":"result","success":true,"result":[{"id":`},
			source.ErrMalformed, "decode message"},
		{"devices not a list", cmdDevices, hatest.Fault{Result: json.RawMessage(`{"devices":[]}`)},
			source.ErrMalformed, "config/device_registry/list: decode result"},
		{"devices null", cmdDevices, hatest.Fault{Result: json.RawMessage(`null`)},
			source.ErrMalformed, "result is empty"},
		{"areas not a list", cmdAreas, hatest.Fault{Result: json.RawMessage(`"living_room"`)},
			source.ErrMalformed, "config/area_registry/list: decode result"},
		{"connection closed mid-command", cmdDevices, hatest.Fault{Close: websocket.StatusGoingAway},
			source.ErrUnreachable, "home assistant closed the connection (StatusGoingAway"},
		{"integrations closed mid-command", cmdConfigEntries, hatest.Fault{Close: websocket.StatusInternalError},
			source.ErrUnreachable, "list integrations"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, fake := hatest.NewServer(t)
			fake.SetFault(tc.cmd, tc.fault)
			src, _ := newSource(t, "house", srv.URL, "")
			snap, err := src.Discover(context.Background(), nil)
			require.Error(t, err)
			assert.Nil(t, snap)
			assert.Contains(t, err.Error(), tc.message)
			classes := []error{source.ErrAuth, source.ErrConfig, source.ErrUnreachable, source.ErrMalformed}
			for _, class := range classes {
				assert.Equal(t, class == tc.want, errors.Is(err, class), "class %v of %v", class, err)
			}
			if tc.fault.Code != "" {
				var ce *CommandError
				require.True(t, errors.As(err, &ce), "a refusal is a *CommandError: %v", err)
				assert.Equal(t, tc.cmd, ce.Command)
				assert.Equal(t, tc.fault.Code, ce.Code)
				assert.Equal(t, tc.fault.Message, ce.Message)
			}
		})
	}
}

func TestOtherMessagesAreSkipped(t *testing.T) {
	srv, fake := hatest.NewServer(t)
	// Home Assistant may send events of earlier subscriptions and results of
	// other commands on the same connection; only the result with the
	// command's id answers it.
	fake.SetFault(cmdDevices, hatest.Fault{Before: []string{
		`{"id":1,"type":"result","success":true,"result":[{"id":"stale"}]}`,
		`{"id":99,"type":"event","event":{"event_type":"device_registry_updated","data":{"action":"update"}}}`,
		`{"type":"pong","id":2}`,
	}})
	src, _ := newSource(t, "house", srv.URL, homeSettings)
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	checkStructure(t, "house", snap)
	sourcetest.Golden(t, "home", snap, *update)
}

func TestIntegrationsRefusedFallBackToIdentifiers(t *testing.T) {
	srv, fake := hatest.NewServer(t)
	fake.SetFault(cmdConfigEntries, hatest.Fault{Code: "unauthorized", Message: "Unauthorized"})
	src, _ := newSource(t, "house", srv.URL, homeSettings)
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err, "the roles' integrations are also in the identifiers")
	checkStructure(t, "house", snap)
	assert.Contains(t, strings.Join(snap.Warnings, "\n"), "list integrations: home assistant refused config_entries/get: unauthorized")

	// the Hue lamp's identifiers name "hue"; the Synology's "synology_dsm"
	for key, role := range map[string]string{
		"homeassistant/house/device/8b2e4c6a0d1f4e3b8a7c9d5e2f1a0b3c": "device_role/lighting",
		"homeassistant/house/device/e7f8a9b0c1d24e3f9a0b1c2d3e4f5a6b": "device_role/storage",
		// the ESPHome sensor has no identifiers: default role
		"homeassistant/house/device/d1e2f3a4b5c64d7e8f90a1b2c3d4e5f6": "device_role/smart-home",
	} {
		dev := sourcetest.Find(snap, key)
		require.NotNil(t, dev, key)
		assert.Equal(t, role, dev.Refs["role"], key)
	}
}

func TestUnreachable(t *testing.T) {
	src, _ := newSource(t, "house", sourcetest.ClosedURL(t), "")
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrUnreachable, "connect to ws://")
}

func TestHandshakeRefused(t *testing.T) {
	cases := []struct {
		name   string
		status int
		want   error
		hint   string
	}{
		{"no websocket api there", http.StatusNotFound, source.ErrConfig, "check url"},
		{"address banned", http.StatusForbidden, source.ErrAuth, "ip_bans.yaml"},
		{"proxy down", http.StatusBadGateway, source.ErrUnreachable, "502"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, http.StatusText(tc.status), tc.status)
			}))
			t.Cleanup(srv.Close)
			src, _ := newSource(t, "house", srv.URL, "")
			_, err := src.Discover(context.Background(), nil)
			sourcetest.RequireError(t, err, tc.want, tc.hint)
		})
	}
}

func TestCommandTimeout(t *testing.T) {
	srv, fake := hatest.NewServer(t)
	fake.SetFault(cmdDevices, hatest.Fault{Hang: true})
	src, _ := newSource(t, "house", srv.URL, "timeout: 200ms")
	start := time.Now()
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrUnreachable, "no answer within 200ms")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestAuthTimeout(t *testing.T) {
	// a server that upgrades but never says auth_required
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer closeConn(t, c)
		if _, _, err := c.Read(r.Context()); err == nil { // until the client gives up
			t.Error("the client sent something before auth_required")
		}
	}))
	t.Cleanup(srv.Close)
	src, _ := newSource(t, "house", srv.URL, "timeout: 200ms")
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrUnreachable, "wait for auth_required")
}

func TestNotHomeAssistant(t *testing.T) {
	// a WebSocket server that speaks something else
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer closeConn(t, c)
		if err := c.Write(r.Context(), websocket.MessageText, []byte(`{"type":"hello","version":3}`)); err != nil {
			t.Errorf("send hello: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	src, _ := newSource(t, "house", srv.URL, "")
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrMalformed, `got a "hello" message`)
}

func TestCanceledContext(t *testing.T) {
	srv, _ := hatest.NewServer(t)
	src, _ := newSource(t, "house", srv.URL, "")
	sourcetest.CheckCanceled(t, src)
}

func TestCanceledMidway(t *testing.T) {
	srv, fake := hatest.NewServer(t)
	fake.SetFault(cmdDevices, hatest.Fault{Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	p := &cancelAt{step: StepDevices, cancel: cancel}
	src, _ := newSource(t, "house", srv.URL, "")
	start := time.Now()
	snap, err := src.Discover(ctx, p)
	require.Error(t, err, "a canceled discovery reports no partial snapshot")
	assert.Nil(t, snap)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	assert.False(t, errors.Is(err, source.ErrUnreachable))
	assert.Less(t, time.Since(start), 5*time.Second, "cancellation does not wait for the timeout")
}

// cancelAt cancels the discovery when it reports the given step.
type cancelAt struct {
	step   string
	cancel context.CancelFunc
}

func (p *cancelAt) Report(v any) {
	if pr, ok := v.(Progress); ok && pr.Step == p.step {
		p.cancel()
	}
}

func (p *cancelAt) Resume(any) bool { return false }

func TestTLSVerification(t *testing.T) {
	srv := httptest.NewTLSServer(hatest.NewFake(hatest.Home))
	t.Cleanup(srv.Close)
	cases := sourcetest.TLSCases(t, srv)
	cases = append(cases, sourcetest.TLSCase{Name: "wss url", URL: strings.Replace(srv.URL, "https://", "wss://", 1), Settings: cases[1].Settings})
	cases = append(cases, sourcetest.TLSVersionCases(t, hatest.NewFake(hatest.Home))...)
	sourcetest.CheckTLS(t, cases, func(t *testing.T, url, settings string) (*source.Snapshot, error) {
		src, logs := newSource(t, "house", url, settings)
		snap, err := src.Discover(context.Background(), nil)
		if err == nil {
			assert.NotEmpty(t, sourcetest.RecordsOf(snap, "device", ""))
			assert.Zero(t, logs.FilterMessage("credentials sent without TLS (allow_plaintext is set)").Len())
		}
		return snap, err
	})
}

// TestPlainHTTPOnLoopbackIsQuiet: plain ws:// to Home Assistant on this
// host exposes the token to nobody, so it needs no allow_plaintext and says
// nothing; to another host it needs allow_plaintext and is said on each
// start (source.WarnIfPlaintext, tested in its package).
func TestPlainHTTPOnLoopbackIsQuiet(t *testing.T) {
	srv, _ := hatest.NewServer(t)
	src, logs := newSource(t, "house", srv.URL, "")
	_, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Zero(t, logs.FilterMessage("credentials sent without TLS (allow_plaintext is set)").Len())
}
