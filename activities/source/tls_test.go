package source

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestTLSConfigAndProblems(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))

	get := func(t *testing.T, caFile string, skip bool) error {
		cfg, err := TLSConfig(caFile, skip)
		require.NoError(t, err)
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
		require.NoError(t, err)
		res, err := c.Do(req)
		if err == nil {
			require.NoError(t, res.Body.Close())
		}
		return err
	}

	t.Run("self-signed without ca_file", func(t *testing.T) {
		err := get(t, "", false)
		require.Error(t, err)
		msg, ok := TLSProblem(err)
		assert.True(t, ok)
		assert.Contains(t, msg, "unknown authority")
	})
	t.Run("trusted through ca_file", func(t *testing.T) {
		assert.NoError(t, get(t, caFile, false))
	})
	t.Run("verification skipped on request", func(t *testing.T) {
		assert.NoError(t, get(t, "", true))
	})
	t.Run("ca_file missing", func(t *testing.T) {
		_, err := TLSConfig(filepath.Join(dir, "nope.pem"), false)
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("ca_file without a certificate", func(t *testing.T) {
		_, err := TLSConfig(notPEM, false)
		assert.ErrorContains(t, err, "holds no PEM certificate")
	})
	t.Run("other errors are not TLS problems", func(t *testing.T) {
		_, ok := TLSProblem(os.ErrNotExist)
		assert.False(t, ok)
	})
}

func TestTLSSettings(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("not a certificate"), 0o600))
	for _, tc := range []struct {
		name     string
		settings TLSSettings
		verify   bool
		want     TLS
		err      string
	}{
		{name: "defaults", verify: true, want: TLS{Verify: true}},
		{name: "ca_file relative to the config", settings: TLSSettings{CAFile: "ca.pem"}, verify: true,
			want: TLS{CAFile: filepath.Join(dir, "ca.pem"), Verify: true}},
		{name: "verification skipped", settings: TLSSettings{InsecureSkipVerify: true}, verify: true, want: TLS{}},
		{name: "verification off by the source's own switch", want: TLS{}},
		{name: "ca_file with insecure_skip_verify", settings: TLSSettings{CAFile: "ca.pem", InsecureSkipVerify: true}, verify: true,
			err: "ca_file: is set but insecure_skip_verify is true"},
		{name: "ca_file with verification off", settings: TLSSettings{CAFile: "ca.pem"},
			err: "ca_file: is set but certificate verification is off"},
		{name: "ca_file missing", settings: TLSSettings{CAFile: "missing.pem"}, verify: true, err: "ca_file: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.settings.Resolve(dir, tc.verify)
			if tc.err != "" {
				assert.ErrorIs(t, err, ErrConfig)
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}

	t.Run("transport names ca_file and keeps the cause", func(t *testing.T) {
		_, err := TLS{CAFile: filepath.Join(dir, "missing.pem"), Verify: true}.Transport()
		assert.ErrorIs(t, err, ErrConfig)
		assert.ErrorIs(t, err, os.ErrNotExist)
		assert.ErrorContains(t, err, "ca_file: ")
		_, err = TLS{CAFile: filepath.Join(dir, "ca.pem"), Verify: true}.Transport()
		assert.ErrorContains(t, err, "holds no PEM certificate")
		tr, err := TLS{}.Transport()
		require.NoError(t, err)
		assert.True(t, tr.TLSClientConfig.InsecureSkipVerify)
		assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	})
}

func TestTLSError(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	_, refused := http.DefaultClient.Do(req) // the handshake fails: there is no body to close
	require.Error(t, refused)

	err = TLSError("connect to "+srv.URL, "nas1:443", refused)
	assert.ErrorIs(t, err, ErrConfig)
	assert.ErrorContains(t, err, "connect to "+srv.URL+": TLS certificate of nas1:443 not trusted: certificate signed by an unknown authority")
	assert.ErrorContains(t, err, "set ca_file to the CA that signed it, or insecure_skip_verify: true")
	assert.ErrorContains(t, TLSError("connect", "", refused), "connect: TLS certificate not trusted: ")
	assert.NoError(t, TLSError("connect", "nas1:443", os.ErrNotExist), "other errors are not TLS errors")
}

func TestPlaintextRefusedOffLoopback(t *testing.T) {
	for _, tc := range []struct {
		url   string
		allow bool
		err   string
	}{
		{"http://pve1.lan:8006", false, "url: http://pve1.lan:8006 sends the credentials without TLS to a host that is not on loopback"},
		{"ws://192.168.1.10:8123", false, "set allow_plaintext: true"},
		{"http://pve1.lan:8006", true, ""},
		{"https://pve1.lan:8006", false, ""},
		{"wss://ha:8123", false, ""},
		{"http://127.0.0.1:8006", false, ""},
		{"http://[::1]:8006", false, ""},
		{"http://localhost:8123", false, ""},
	} {
		t.Run(tc.url, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			require.NoError(t, err)
			err = TLSSettings{AllowPlaintext: tc.allow}.CheckPlaintext(u)
			if tc.err == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrConfig)
			assert.ErrorContains(t, err, tc.err)
		})
	}
}

func TestWarnIfPlaintext(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	log := zap.New(core)
	WarnIfPlaintext(log, "https://pve1.lan:8006/api2/json")
	WarnIfPlaintext(log, "http://127.0.0.1:8006/api2/json")
	assert.Zero(t, logs.Len(), "TLS, or loopback: nothing to say")
	WarnIfPlaintext(log, "ws://ha.lan:8123/api/websocket")
	require.Equal(t, 1, logs.Len())
	assert.Equal(t, "ws://ha.lan:8123", logs.All()[0].ContextMap()["url"], "the host, never a path or query")
}
