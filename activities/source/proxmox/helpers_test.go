package proxmox

import (
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// loadConfig builds a source.Config the way the worker does: from a config
// file read by the config package, with the token secret in the environment.
func loadConfig(t testing.TB, name, settings, secret string) source.Config {
	t.Helper()
	return sourcetest.LoadConfig(t, SourceType, name, settings, "token_secret", secret)
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
	core, logs := observer.New(zap.DebugLevel)
	src, err := source.New(loadConfig(t, name, all, secret), zap.New(core))
	require.NoError(t, err)
	return src.(*Source), logs
}

func recordsUnder(snap *source.Snapshot, prefix string, kind inventory.Kind) []inventory.Record {
	var out []inventory.Record
	for _, r := range snap.Records {
		if r.Kind == kind && strings.HasPrefix(r.Key, prefix) {
			out = append(out, r)
		}
	}
	return out
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
