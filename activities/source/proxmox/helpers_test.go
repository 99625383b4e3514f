package proxmox

import (
	"flag"
	"testing"

	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// loadConfig builds a source.Config the way the worker does: from a config
// file read by the config package, with the token secret in the environment.
func loadConfig(t testing.TB, name, settings, secret string) source.Config {
	t.Helper()
	return sourcetest.LoadConfig(t, SourceType, name, settings, SecretTokenSecret, secret)
}

// newSource builds a source of the named instance against url; settings
// are extra YAML lines. Logs go to the returned observer.
func newSource(t testing.TB, name, url, settings string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	return newSourceWithSecret(t, name, url, settings, proxmoxtest.TokenSecret)
}

func newSourceWithSecret(t testing.TB, name, url, settings, secret string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	all := "url: " + url + "\ntoken_id: " + proxmoxtest.TokenID + "\nsite: Home Lab\n" + settings
	src, logs := sourcetest.New(t, SourceType, name, all, SecretTokenSecret, secret)
	return src.(*Source), logs
}
