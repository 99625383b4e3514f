package truenas

import (
	"flag"
	"net/http/httptest"
	"testing"

	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
	"github.com/netbox-agent/netbox-agent/test/tlstest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// loadConfig builds a source.Config the way the worker does: from a config
// file read by the config package, with the API key in the environment.
func loadConfig(t testing.TB, name, settings, key string) source.Config {
	t.Helper()
	return sourcetest.LoadConfig(t, SourceType, name, settings, SecretAPIKey, key)
}

// newSource builds a source of the named instance against srv, trusting
// its certificate; settings are extra YAML lines. Logs go to the returned
// observer.
func newSource(t testing.TB, name string, srv *httptest.Server, settings string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	return newSourceWith(t, name, srv.URL, "ca_file: "+tlstest.WriteCA(t, srv)+"\n"+settings, truenastest.APIKey)
}

// newSourceWith builds a source with the url, settings and key as given.
func newSourceWith(t testing.TB, name, url, settings, key string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	src, logs := sourcetest.New(t, SourceType, name, "url: "+url+"\nsite: Home Lab\n"+settings, SecretAPIKey, key)
	return src.(*Source), logs
}
