package sourcetest

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source"
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
	ca := WriteCA(t, srv)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	require.NoError(t, err)
	return []TLSCase{
		{Name: "self-signed certificate refused by default", URL: srv.URL, Err: []string{"unknown authority", "ca_file", "insecure_skip_verify"}},
		{Name: "trusted through ca_file", URL: srv.URL, Settings: "ca_file: " + ca},
		{Name: "verification skipped on request", URL: srv.URL, Settings: "insecure_skip_verify: true"},
		{Name: "name not in the certificate", URL: "https://localhost:" + port, Settings: "ca_file: " + ca, Err: []string{"localhost", "ca_file"}},
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

// CheckSettings validates, for each case, the settings valid returns as the
// case changes them, and checks that the error wraps source.ErrConfig and
// names the case's setting ("site: ...").
func CheckSettings[S, O any](t *testing.T, valid func() S, validate func(S, string) (O, error), cases []SettingsCase[S]) {
	t.Helper()
	for _, tc := range cases {
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
