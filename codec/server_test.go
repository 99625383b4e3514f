package codec

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
)

func TestServerDecodesForTokenHolders(t *testing.T) {
	c := New(mustKeys(t, "k1="+key(1)))
	srv := httptest.NewServer(Handler(c, ServerOptions{Tokens: []string{"tok-a", "tok-b"}, Origins: []string{"http://localhost:8233"}}))
	defer srv.Close()
	enc, err := c.Encode(payloads(t, "serial ABC-123"))
	require.NoError(t, err)

	remote := func(token string) converter.PayloadCodec {
		return converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
			Endpoint: srv.URL + "/",
			ModifyRequest: func(r *http.Request) error {
				if token != "" {
					r.Header.Set("Authorization", "Bearer "+token)
				}
				return nil
			},
		})
	}
	dec, err := remote("tok-b").Decode(enc)
	require.NoError(t, err)
	var s string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(dec[0], &s))
	assert.Equal(t, "serial ABC-123", s)

	round, err := remote("tok-a").Encode(payloads(t, "via the server"))
	require.NoError(t, err)
	dec, err = c.Decode(round)
	require.NoError(t, err)
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(dec[0], &s))
	assert.Equal(t, "via the server", s)

	for _, tok := range []string{"", "tok-c", "tok-"} {
		_, err := remote(tok).Decode(enc)
		require.Error(t, err, "token %q", tok)
		assert.Contains(t, err.Error(), "Unauthorized")
	}
}

func TestServerHTTP(t *testing.T) {
	c := New(mustKeys(t, "k1="+key(1)))
	h := Handler(c, ServerOptions{Tokens: []string{"tok"}, Origins: []string{"http://localhost:8233/"}})
	for _, tc := range []struct {
		name, method, path, origin, auth, body string
		wantCode                               int
		wantCORS                               string
	}{
		{"preflight from the UI", http.MethodOptions, "/decode", "http://localhost:8233", "", "", http.StatusNoContent, "http://localhost:8233"},
		{"preflight from elsewhere", http.MethodOptions, "/decode", "http://evil.example", "", "", http.StatusMethodNotAllowed, ""},
		{"decode from the UI without a token", http.MethodPost, "/decode", "http://localhost:8233", "", `{"payloads":[]}`, http.StatusUnauthorized, "http://localhost:8233"},
		{"decode with the token", http.MethodPost, "/decode", "http://localhost:8233", "Bearer tok", `{"payloads":[]}`, http.StatusOK, "http://localhost:8233"},
		{"basic auth is not a token", http.MethodPost, "/decode", "", "Basic dG9rOg==", `{"payloads":[]}`, http.StatusUnauthorized, ""},
		{"get", http.MethodGet, "/decode", "", "Bearer tok", "", http.StatusMethodNotAllowed, ""},
		{"other path", http.MethodPost, "/keys", "", "Bearer tok", `{}`, http.StatusNotFound, ""},
		{"bad body", http.MethodPost, "/decode", "", "Bearer tok", `{"payloads":`, http.StatusBadRequest, ""},
		{"too large", http.MethodPost, "/decode", "", "Bearer tok", `{"payloads":[` + strings.Repeat(" ", maxRequestBytes) + `]}`, http.StatusBadRequest, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			assert.Equal(t, tc.wantCode, w.Code, w.Body.String())
			assert.Equal(t, tc.wantCORS, w.Header().Get("Access-Control-Allow-Origin"))
		})
	}
}

func TestServerWithoutTokensRefusesAll(t *testing.T) {
	h := Handler(New(mustKeys(t, "k1="+key(1))), ServerOptions{})
	r := httptest.NewRequest(http.MethodPost, "/decode", strings.NewReader(`{"payloads":[]}`))
	r.Header.Set("Authorization", "Bearer ")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
}
