package sourcetest

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/test/tlstest"
)

// TLSCase is one certificate check: a source built with URL and Settings
// discovers, or, when Err names fragments, fails with an error of
// source.ErrConfig (a certificate problem needs a settings change) that
// says each of them.
type TLSCase struct {
	Name     string
	URL      string
	Settings string
	Err      []string
}

// TLSCases are the certificate checks every source that speaks TLS passes
// against srv, a TLS test server of its fake: a self-signed certificate is
// refused with the settings that fix it named, ca_file trusts it,
// insecure_skip_verify skips the check, and a name the certificate lacks is
// refused. A source appends its own.
func TLSCases(t testing.TB, srv *httptest.Server) []TLSCase {
	t.Helper()
	ca := tlstest.WriteCA(t, srv)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	require.NoError(t, err)
	return []TLSCase{
		{Name: "self-signed certificate refused by default", URL: srv.URL, Err: []string{"unknown authority", "ca_file", "insecure_skip_verify"}},
		{Name: "trusted through ca_file", URL: srv.URL, Settings: "ca_file: " + ca},
		{Name: "verification skipped on request", URL: srv.URL, Settings: "insecure_skip_verify: true"},
		{Name: "name not in the certificate", URL: "https://localhost:" + port, Settings: "ca_file: " + ca, Err: []string{"localhost", "ca_file"}},
	}
}

// TLSVersionCases are the TLS version checks every client passes, with h
// the handler of the source's fake: a server that speaks TLS 1.0 and 1.1
// only is refused, even with its certificate trusted through ca_file and
// even with verification off, with an error that says why; one that
// speaks TLS 1.2 only is served.
func TLSVersionCases(t testing.TB, h http.Handler) []TLSCase {
	t.Helper()
	old := tlstest.StartTLS(t, h, tls.VersionTLS10, tls.VersionTLS11)
	current := tlstest.StartTLS(t, h, tls.VersionTLS12, tls.VersionTLS12)
	// httptest's servers share one certificate: one CA file trusts both
	ca := "ca_file: " + tlstest.WriteCA(t, current)
	refused := []string{"offers only TLS older than 1.2", "protocol version not supported"}
	return []TLSCase{
		{Name: "TLS 1.1 refused", URL: old.URL, Settings: ca, Err: refused},
		{Name: "TLS 1.1 refused without verification", URL: old.URL, Settings: "insecure_skip_verify: true", Err: refused},
		{Name: "TLS 1.2 served", URL: current.URL, Settings: ca},
	}
}

// CheckTLS runs the cases; discover builds a source with a case's URL and
// settings and runs a discovery. A discovery that succeeds reports records.
func CheckTLS(t *testing.T, cases []TLSCase, discover func(t *testing.T, url, settings string) (*source.Snapshot, error)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			snap, err := discover(t, tc.URL, tc.Settings)
			if len(tc.Err) == 0 {
				require.NoError(t, err)
				assert.NotEmpty(t, snap.Records)
				return
			}
			RequireError(t, err, source.ErrConfig, tc.Err...)
		})
	}
}

// SettingsCase is a row of a settings table: Change turns valid settings
// into the row's; Setting is the one the error names, "" when the changed
// settings are valid.
type SettingsCase[S any] struct {
	Name    string
	Change  func(*S)
	Setting string
}

// CheckSettings checks that the settings valid returns are valid, then
// validates, for each case, those settings as the case changes them, and
// checks that the error wraps source.ErrConfig and names the case's setting
// ("site: ...").
func CheckSettings[S, O any](t *testing.T, valid func() S, validate func(S, string) (O, error), cases []SettingsCase[S]) {
	t.Helper()
	for _, tc := range append([]SettingsCase[S]{{Name: "valid"}}, cases...) {
		t.Run(tc.Name, func(t *testing.T) {
			s := valid()
			if tc.Change != nil {
				tc.Change(&s)
			}
			_, err := validate(s, "")
			if tc.Setting == "" {
				require.NoError(t, err)
				return
			}
			RequireError(t, err, source.ErrConfig, tc.Setting+":")
		})
	}
}

// CheckCanceled runs a discovery whose context is canceled before it
// starts: it fails with context.Canceled, and not as an outage.
func CheckCanceled(t *testing.T, src source.Source) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := src.Discover(ctx, nil)
	RequireError(t, err, context.Canceled)
	assert.NotErrorIs(t, err, source.ErrUnreachable, "a cancellation is not an outage")
}

// CheckGolden checks what every snapshot of the instance inst of source
// type typ must satisfy (CheckStructure) and compares it with its golden
// file (Golden).
func CheckGolden(t *testing.T, typ, inst, name string, snap *source.Snapshot, update bool) {
	t.Helper()
	CheckStructure(t, typ, inst, snap)
	Golden(t, name, snap, update)
}

// CheckInstancesApart checks two snapshots of one system by two instances
// of its source (a and b): only shared records (site, role, manufacturer,
// ...) have a key in both, and there are some.
func CheckInstancesApart(t *testing.T, a, b *source.Snapshot) {
	t.Helper()
	inB := map[string]bool{}
	for _, r := range b.Records {
		inB[r.Key] = true
	}
	shared := 0
	for _, r := range a.Records {
		if inB[r.Key] {
			assert.True(t, r.Kind.Shared(), "non-shared key %s reported by both instances", r.Key)
			shared++
		}
	}
	assert.Positive(t, shared, "shared records are common to both")
}

// ClosedURL is the URL of a server that was closed: nothing answers there.
func ClosedURL(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}
