package truenas

import (
	"encoding/pem"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// loadConfig builds a source.Config the way the worker does: from a config
// file read by the config package, with the API key in the environment.
func loadConfig(t testing.TB, name, settings, key string) source.Config {
	t.Helper()
	return sourcetest.LoadConfig(t, SourceType, name, settings, SecretAPIKey, key)
}

// caFile writes the test server's certificate where ca_file can name it.
func caFile(t testing.TB, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "truenas-ca.pem")
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	return p
}

// newSource builds a source of the named instance against srv, trusting
// its certificate; settings are extra YAML lines. Logs go to the returned
// observer.
func newSource(t testing.TB, name string, srv *httptest.Server, settings string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	return newSourceWith(t, name, srv.URL, "ca_file: "+caFile(t, srv)+"\n"+settings, truenastest.APIKey)
}

// newSourceWith builds a source with the url, settings and key as given.
func newSourceWith(t testing.TB, name, url, settings, key string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	all := "url: " + url + "\nsite: Home Lab\n" + settings
	core, logs := observer.New(zap.DebugLevel)
	src, err := source.New(loadConfig(t, name, all, key), zap.New(core))
	require.NoError(t, err)
	return src.(*Source), logs
}

func recordsOf(snap *source.Snapshot, kind inventory.Kind) []inventory.Record {
	var out []inventory.Record
	for _, r := range snap.Records {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// assertNoSecret checks that the key appears in no error and no log entry.
func assertNoSecret(t *testing.T, secret string, err error, logs *observer.ObservedLogs) {
	t.Helper()
	if err != nil {
		require.NotContains(t, err.Error(), secret, "the key never enters an error")
	}
	for _, e := range logs.All() {
		require.NotContains(t, e.Message, secret)
		for _, f := range e.Context {
			require.NotContains(t, f.String, secret, "the key never enters a log")
		}
	}
}

// recordedProgress records heartbeats as Temporal would keep them.
type recordedProgress = sourcetest.Progress

// checkGolden compares snap with testdata/<name>.golden.json (-update rewrites it).
func checkGolden(t *testing.T, name string, snap *source.Snapshot) {
	t.Helper()
	sourcetest.Golden(t, name, snap, *update)
}

// findRecord returns the record with key, or nil.
func findRecord(snap *source.Snapshot, key string) *inventory.Record {
	return sourcetest.Find(snap, key)
}

// checkStructure asserts what every snapshot must satisfy.
func checkStructure(t *testing.T, inst string, snap *source.Snapshot) {
	t.Helper()
	sourcetest.CheckStructure(t, SourceType, inst, snap)
}
