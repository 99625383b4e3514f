package netbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

func TestScrubSecrets(t *testing.T) {
	const v1 = "0123456789abcdef0123456789abcdef01234567"
	const v2 = "nbt_Ab12Cd34Ef56.0123456789abcdefXYZ"
	tests := []struct {
		name, text, auth, want string
	}{
		{"v1 token", "bad key " + v1 + " given", "", "bad key [redacted] given"},
		{"v2 token", `{"detail": "unknown ` + v2 + `"}`, "", `{"detail": "unknown [redacted]"}`},
		{"token header echoed", "Authorization: Token abcdefgh1234", "", "Authorization: Token [redacted]"},
		{"bearer header echoed", "authorization: bearer\tsomeLongSecret_9", "", "authorization: bearer\t[redacted]"},
		{"the agent's own token", "echo: s3cr3t-value-xyz", "Token s3cr3t-value-xyz", "echo: [redacted]"},
		{"the agent's own v2 token", "got " + v2, "Bearer " + v2, "got [redacted]"},
		{"the secret of the agent's own v2 token alone", "secret 0123456789abcdefXYZ", "Bearer " + v2, "secret [redacted]"},
		{"words stay", `{"detail": "Invalid v1 token"}`, "", `{"detail": "Invalid v1 token"}`},
		{"short words after Token stay", "Token is invalid", "", "Token is invalid"},
		{"a 39-digit hex stays", "id 0123456789abcdef0123456789abcdef0123456", "", "id 0123456789abcdef0123456789abcdef0123456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, scrubSecrets(tt.text, tt.auth))
		})
	}
}

// TestAnswersAreBounded: an error body never carries the token, a
// Retry-After is clamped to MaxRetryAfter, and an answer past
// MaxResponseBytes fails with an error naming the limit and the path.
func TestAnswersAreBounded(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef01234567"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/echo/":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("headers: Authorization: " + r.Header.Get("Authorization")))
		case "/api/slow/":
			w.Header().Set("Retry-After", "86400")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/api/big/":
			_, _ = w.Write([]byte(`{"results": "` + strings.Repeat("x", 2000) + `"}`))
		}
	}))
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.URL, cfg.MaxRetryAfter, cfg.MaxResponseBytes = srv.URL, 5*time.Second, 1000
	c, err := NewClient(cfg, token, zap.NewNop())
	require.NoError(t, err)
	ctx := context.Background()

	_, err = c.send(ctx, http.MethodPost, "echo/", map[string]any{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), token)
	require.Contains(t, err.Error(), "Token [redacted]")

	_, err = c.send(ctx, http.MethodPost, "slow/", map[string]any{})
	require.Equal(t, 5*time.Second, RetryAfter(err))

	_, err = c.send(ctx, http.MethodPost, "big/", map[string]any{})
	require.ErrorContains(t, err, "/api/big/")
	require.ErrorContains(t, err, "larger than 1000 bytes (netbox.max_response_bytes)")
}
