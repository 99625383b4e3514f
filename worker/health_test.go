package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// fakeTemporal answers health checks; every other method panics, which
// tells a test that the health handler called something it should not.
type fakeTemporal struct {
	client.Client
	err error
}

func (f fakeTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, f.err
}

const simToken = "0123456789abcdef0123456789abcdef01234567"

func netboxClient(t *testing.T, token string) *netbox.Client {
	srv := httptest.NewServer(nbsim.New(nbsim.Options{Token: simToken}))
	t.Cleanup(srv.Close)
	c, err := netbox.NewClient(netbox.Config{URL: srv.URL, ReadRetries: 1}, token, zap.NewNop())
	require.NoError(t, err)
	return c
}

func TestHealthEndpoints(t *testing.T) {
	m, err := newMetrics()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })

	for _, tc := range []struct {
		name       string
		path       string
		temporal   error
		token      string
		wantStatus int
		wantChecks map[string]string
	}{
		{"alive", "/healthz", nil, simToken, http.StatusOK, map[string]string{"status": "ok"}},
		{"ready", "/readyz", nil, simToken, http.StatusOK, map[string]string{"temporal": "ok", "netbox": "ok"}},
		{"temporal down", "/readyz", errors.New("connection refused"), simToken, http.StatusServiceUnavailable,
			map[string]string{"temporal": "unreachable: connection refused", "netbox": "ok"}},
		{"netbox refuses the token", "/readyz", nil, "ffffffffffffffffffffffffffffffffffffffff", http.StatusServiceUnavailable, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acts := &activities.Activities{NetBox: netboxClient(t, tc.token)}
			h := newHealth(fakeTemporal{err: tc.temporal}, acts, m).routes()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			assert.Equal(t, tc.wantStatus, rec.Code)
			var got map[string]string
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			if tc.wantChecks != nil {
				assert.Equal(t, tc.wantChecks, got)
			} else {
				assert.Equal(t, "ok", got["temporal"])
				assert.Contains(t, got["netbox"], "unreachable")
				assert.NotContains(t, got["netbox"], tc.token, "the token never shows")
			}
		})
	}

	t.Run("metrics", func(t *testing.T) {
		m.handler.Counter("probe_total").Inc(1)
		acts := &activities.Activities{}
		h := newHealth(fakeTemporal{}, acts, m).routes()
		require.Eventually(t, func() bool {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			return rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "netbox_agent_probe_total")
		}, 5*time.Second, 100*time.Millisecond, "the SDK's metrics handler reaches /metrics")
	})
}
