package truenastest

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// client is a bare JSON-RPC client of the fake.
type client struct {
	t  *testing.T
	ws *websocket.Conn
	id int
}

func connect(t *testing.T, srv *httptest.Server, path string) *client {
	t.Helper()
	hc := srv.Client()
	url := strings.Replace(srv.URL, "http", "ws", 1) + path
	ws, _, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{HTTPClient: hc})
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := ws.CloseNow(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("close: %v", err)
		}
	})
	return &client{t: t, ws: ws}
}

// call sends a request and returns the answer's members.
func (c *client) call(method string, params ...any) map[string]json.RawMessage {
	c.t.Helper()
	c.id++
	if params == nil {
		params = []any{}
	}
	c.send(map[string]any{"jsonrpc": "2.0", "id": c.id, "method": method, "params": params})
	return c.read()
}

func (c *client) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	require.NoError(c.t, err)
	require.NoError(c.t, c.ws.Write(context.Background(), websocket.MessageText, b))
}

func (c *client) read() map[string]json.RawMessage {
	c.t.Helper()
	_, msg, err := c.ws.Read(context.Background())
	require.NoError(c.t, err)
	var env map[string]json.RawMessage
	require.NoError(c.t, json.Unmarshal(msg, &env))
	return env
}

func errorOf(t *testing.T, env map[string]json.RawMessage) (code int, errname string) {
	t.Helper()
	var e struct {
		Code int `json:"code"`
		Data *struct {
			Errname string `json:"errname"`
		} `json:"data"`
	}
	require.Contains(t, env, "error")
	require.NoError(t, json.Unmarshal(env["error"], &e))
	if e.Data != nil {
		errname = e.Data.Errname
	}
	return e.Code, errname
}

func TestLoginGatesMethods(t *testing.T) {
	fake := NewFake(NAS1)
	srv := Serve(t, fake)
	c := connect(t, srv, "/api/current")

	code, errname := errorOf(t, c.call("system.info"))
	assert.Equal(t, CodeCallError, code)
	assert.Equal(t, "ENOTAUTHENTICATED", errname)

	assert.JSONEq(t, `false`, string(c.call("auth.login_with_api_key", "7-wrong")["result"]))
	assert.JSONEq(t, `true`, string(c.call("auth.login_with_api_key", APIKey)["result"]))

	var info struct {
		Hostname string `json:"hostname"`
	}
	require.NoError(t, json.Unmarshal(c.call("system.info")["result"], &info))
	assert.Equal(t, "nas1", info.Hostname)

	code, _ = errorOf(t, c.call("no.such.method"))
	assert.Equal(t, CodeMethodNotFound, code)
	assert.Equal(t, 2, fake.Hits("system.info"))
	assert.Zero(t, fake.KeysInClear(), "keys came over TLS")
}

func TestLoginEx(t *testing.T) {
	srv := Serve(t, NewFake(VM))
	c := connect(t, srv, "/api/current")
	res := func(env map[string]json.RawMessage) string {
		var r struct {
			ResponseType string `json:"response_type"`
		}
		require.NoError(t, json.Unmarshal(env["result"], &r))
		return r.ResponseType
	}
	assert.Equal(t, "AUTH_ERR", res(c.call("auth.login_ex", map[string]any{"mechanism": "API_KEY_PLAIN", "username": "root", "api_key": APIKey})))
	code, _ := errorOf(t, c.call("auth.login_ex", map[string]any{"username": Username}))
	assert.Equal(t, CodeInvalidParams, code)
	assert.Equal(t, "SUCCESS", res(c.call("auth.login_ex", map[string]any{"mechanism": "API_KEY_PLAIN", "username": Username, "api_key": APIKey})))
	assert.JSONEq(t, `null`, string(c.call("interface.websocket_local_ip")["result"]))
}

func TestProtocolErrors(t *testing.T) {
	fake := NewFake(NAS1)
	srv := Serve(t, fake)
	c := connect(t, srv, "/api/v25.04.2")

	// a notification is not answered: the next answer is the next call's
	c.send(map[string]any{"jsonrpc": "2.0", "method": "system.info", "params": []any{}})
	env := c.call("auth.login_with_api_key", APIKey)
	assert.JSONEq(t, `1`, string(env["id"]))

	c.send(map[string]any{"jsonrpc": "1.0", "id": 9, "method": "system.info"})
	code, _ := errorOf(t, c.read())
	assert.Equal(t, CodeInvalidRequest, code)
	require.Error(t, fake.Err(), "the fake reports requests that break the protocol")

	require.NoError(t, c.ws.Write(context.Background(), websocket.MessageText, []byte("{not json")))
	env = c.read()
	code, _ = errorOf(t, env)
	assert.Equal(t, CodeParseError, code)
	assert.JSONEq(t, `null`, string(env["id"]))
}

func TestFaults(t *testing.T) {
	fake := NewFake(NAS1)
	fake.SetFault("pool.query", NotAuthorized)
	fake.SetFault("system.info", Fault{Result: `{"hostname":"other"}`})
	fake.RemoveMethod("interface.query")
	srv := Serve(t, fake)
	c := connect(t, srv, "/api/current")
	c.call("auth.login_with_api_key", APIKey)

	code, errname := errorOf(t, c.call("pool.query"))
	assert.Equal(t, CodeCallError, code)
	assert.Equal(t, "EACCES", errname)
	assert.JSONEq(t, `{"hostname":"other"}`, string(c.call("system.info")["result"]))
	code, _ = errorOf(t, c.call("interface.query"))
	assert.Equal(t, CodeMethodNotFound, code)
}

func TestPlainConnectionsAndPaths(t *testing.T) {
	fake := NewFake(NAS1)
	plain := httptest.NewServer(fake)
	t.Cleanup(plain.Close)
	c := connect(t, plain, "/api/current")
	c.call("auth.login_with_api_key", APIKey)
	assert.Equal(t, 1, fake.KeysInClear(), "a key sent in clear is noted, as TrueNAS revokes it")

	for _, p := range []string{"/api/v2.0/system/info", "/", "/websocket/"} {
		assert.Equal(t, http.StatusNotFound, get(t, plain, p), p)
	}
	// 25.04 keeps the legacy API: a WebSocket endpoint, which a plain GET
	// is told to upgrade to
	assert.Equal(t, http.StatusUpgradeRequired, get(t, plain, "/websocket"))
}

func TestAPIsByRelease(t *testing.T) {
	cases := []struct {
		fixture         string
		jsonrpc, legacy bool
	}{
		{NAS1, true, true}, {VM, true, true}, {SCALE2410, false, true}, {CORE13, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			srv := Serve(t, NewFake(tc.fixture))
			status := func(served bool) int {
				if served {
					return http.StatusUpgradeRequired
				}
				return http.StatusNotFound
			}
			assert.Equal(t, status(tc.jsonrpc), get(t, srv, "/api/current"))
			assert.Equal(t, status(tc.jsonrpc), get(t, srv, "/api/v25.04.2"))
			assert.Equal(t, status(tc.legacy), get(t, srv, "/websocket"))
		})
	}
}

func get(t *testing.T, srv *httptest.Server, path string) int {
	t.Helper()
	res, err := srv.Client().Get(srv.URL + path)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res.StatusCode
}

func TestServerCertificate(t *testing.T) {
	srv := NewServer(t)
	_, _, err := websocket.Dial(context.Background(), strings.Replace(srv.URL, "https", "wss", 1)+"/api/current",
		&websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}})
	require.Error(t, err, "the fake's certificate is self-signed")
}
