// Package tlstest serves test handlers over TLS limited to some versions and
// writes their certificate for a client to trust: what the TLS checks of
// NetBox's client, the Temporal client and every source share.
package tlstest

import (
	"crypto/tls"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// StartTLS serves h over TLS from version lo to hi (tls.VersionTLS10 ...)
// until the test ends; its handshake errors are not logged.
func StartTLS(t testing.TB, h http.Handler, lo, hi uint16) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{MinVersion: lo, MaxVersion: hi}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// WriteCA writes the certificate of srv to a PEM file a ca_file setting
// can name, and returns its path. httptest's servers share one
// certificate, so the file trusts all of them.
func WriteCA(t testing.TB, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	return p
}
