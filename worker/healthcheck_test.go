package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/metrics"
)

func TestHealthURL(t *testing.T) {
	for _, tc := range []struct {
		listen, want, err string
	}{
		{listen: "127.0.0.1:9464", want: "http://127.0.0.1:9464/healthz"},
		{listen: "0.0.0.0:9464", want: "http://127.0.0.1:9464/healthz"},
		{listen: ":9464", want: "http://127.0.0.1:9464/healthz"},
		{listen: "[::]:9464", want: "http://[::1]:9464/healthz"},
		{listen: "worker.internal:80", want: "http://worker.internal:80/healthz"},
		{listen: "9464", err: `worker.listen "9464"`},
	} {
		t.Run(tc.listen, func(t *testing.T) {
			got, err := healthURL(tc.listen)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestHealthcheckFlag runs `worker --healthcheck` as the image's health
// check does: against the real health routes, one that fails, and an
// address where nothing listens.
func TestHealthcheckFlag(t *testing.T) {
	m, err := metrics.New()
	require.NoError(t, err)
	h := newHealth(nil, nil, m, nil)
	up := httptest.NewServer(h.routes())
	t.Cleanup(up.Close)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := l.Addr().String()
	require.NoError(t, l.Close())

	cfg := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("sources: []\n"), 0o600))
	for _, tc := range []struct {
		name, listen, err string
	}{
		{"healthy", up.Listener.Addr().String(), ""},
		{"answers 500", failing.Listener.Addr().String(), "500 Internal Server Error"},
		{"nothing listens", closed, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run([]string{"--config", cfg, "--healthcheck", "--worker.listen", tc.listen})
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.err)
		})
	}
	require.NoError(t, probeHealth(context.Background(), "0.0.0.0:"+portOf(t, up.Listener.Addr().String())), "a wildcard listen is probed on loopback")
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return port
}
