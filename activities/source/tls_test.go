package source

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
