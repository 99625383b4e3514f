package truenastest

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// legacyClient speaks the legacy protocol to the fake.
type legacyClient struct{ *client }

func connectLegacy(t *testing.T, srv *httptest.Server) legacyClient {
	t.Helper()
	c := legacyClient{connect(t, srv, "/websocket")}
	c.send(map[string]any{"msg": "connect", "version": "1", "support": []string{"1"}})
	env := c.read()
	require.JSONEq(t, `"connected"`, string(env["msg"]))
	require.Contains(t, env, "session")
	return c
}

func (c legacyClient) call(method string, params ...any) map[string]json.RawMessage {
	c.t.Helper()
	c.id++
	if params == nil {
		params = []any{}
	}
	c.send(map[string]any{"id": fmt.Sprintf("c%d", c.id), "msg": "method", "method": method, "params": params})
	return c.read()
}

// legacyErrorOf reads a legacy error member.
func legacyErrorOf(t *testing.T, env map[string]json.RawMessage) map[string]any {
	t.Helper()
	require.JSONEq(t, `"result"`, string(env["msg"]))
	require.Contains(t, env, "error")
	var e map[string]any
	require.NoError(t, json.Unmarshal(env["error"], &e))
	return e
}

func TestLegacyHandshake(t *testing.T) {
	fake := NewFake(SCALE2410)
	srv := Serve(t, fake)
	c := connect(t, srv, "/websocket")
	c.send(map[string]any{"msg": "method", "id": "1", "method": "system.info", "params": []any{}})
	assert.JSONEq(t, `{"msg":"failed","version":"1"}`, string(mustJSON(t, c.read())), "nothing before the handshake")
	c.send(map[string]any{"msg": "connect", "version": "2"})
	assert.JSONEq(t, `{"msg":"failed","version":"1"}`, string(mustJSON(t, c.read())), "version 1 only")
	c.send(map[string]any{"msg": "ping", "id": "p"})
	assert.JSONEq(t, `{"msg":"failed","version":"1"}`, string(mustJSON(t, c.read())))
	require.Error(t, fake.Err(), "the fake reports a client that skips the handshake")
}

func TestLegacyLoginAndCalls(t *testing.T) {
	cases := []struct {
		fixture string
		// notAuth is the error before a login: CORE's EACCES without an
		// errname, SCALE's ENOTAUTHENTICATED.
		notAuth map[string]any
		errname bool
	}{
		{CORE13, map[string]any{"error": 13.0, "reason": "Not authenticated"}, false},
		{SCALE2410, map[string]any{"error": 207.0, "errname": "ENOTAUTHENTICATED", "reason": "Not authenticated"}, true},
		{NAS1, map[string]any{"error": 207.0, "errname": "ENOTAUTHENTICATED", "reason": "Not authenticated"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			fake := NewFake(tc.fixture)
			c := connectLegacy(t, Serve(t, fake))
			e := legacyErrorOf(t, c.call("system.info"))
			for k, v := range tc.notAuth {
				assert.Equal(t, v, e[k], k)
			}
			_, hasErrname := e["errname"]
			assert.Equal(t, tc.errname, hasErrname)

			assert.JSONEq(t, `false`, string(c.call("auth.login_with_api_key", "7-wrong")["result"]))
			ok := c.call("auth.login_with_api_key", APIKey)
			assert.JSONEq(t, `true`, string(ok["result"]))
			assert.JSONEq(t, `"result"`, string(ok["msg"]))

			info := c.call("system.info")
			assert.Contains(t, string(info["result"]), `"hostname"`)

			e = legacyErrorOf(t, c.call("interface.no_such_method"))
			assert.Equal(t, 201.0, e["error"])
			assert.Equal(t, "[ENOMETHOD] Method 'no_such_method' not found in 'interface'", e["reason"])
			e = legacyErrorOf(t, c.call("nosuchservice.query"))
			assert.Equal(t, "[ENOMETHOD] Service 'nosuchservice' not found", e["reason"])
			require.NoError(t, fake.Err())
		})
	}
}

func TestReadOnlyKeyRefusedFullAdminMethods(t *testing.T) {
	for _, fixture := range []string{NAS1, SCALE2410, CORE13} {
		t.Run(fixture, func(t *testing.T) {
			srv := Serve(t, NewFake(fixture))
			c := connectLegacy(t, srv)
			require.JSONEq(t, `true`, string(c.call("auth.login_with_api_key", ReadOnlyAPIKey)["result"]))
			assert.Contains(t, string(c.call("interface.query")["result"]), `"name"`, "a read method is allowed")
			env := c.call("interface.websocket_local_ip")
			if fixture == CORE13 {
				assert.Contains(t, env, "result", "CORE 13 has no roles: every key may call everything")
				return
			}
			e := legacyErrorOf(t, env)
			assert.Equal(t, 13.0, e["error"])
			assert.Equal(t, "EACCES", e["errname"])
			assert.Equal(t, "Not authorized", e["reason"])
		})
	}
	// the same over JSON-RPC, with auth.login_ex
	c := connect(t, Serve(t, NewFake(NAS1)), "/api/current")
	res := c.call("auth.login_ex", map[string]any{"mechanism": "API_KEY_PLAIN", "username": ReadOnlyUsername, "api_key": ReadOnlyAPIKey})
	require.Contains(t, string(res["result"]), "SUCCESS")
	code, errname := errorOf(t, c.call("interface.websocket_local_ip"))
	assert.Equal(t, CodeCallError, code)
	assert.Equal(t, "EACCES", errname)
	code, _ = errorOf(t, c.call("interface.no_such_method"))
	assert.Equal(t, CodeMethodNotFound, code)
}

func mustJSON(t *testing.T, env map[string]json.RawMessage) []byte {
	t.Helper()
	b, err := json.Marshal(env)
	require.NoError(t, err)
	return b
}
