package homeassistant

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// loadConfig builds a source.Config the way the worker does: from a config
// file read by the config package, with the token in the environment.
func loadConfig(t testing.TB, name, settings, token string) source.Config {
	t.Helper()
	return sourcetest.LoadConfig(t, SourceType, name, settings, TokenSetting, token)
}

// newSource builds a source of the named instance against url with the
// fake's token; settings are extra YAML lines. Logs go to the observer.
func newSource(t testing.TB, name, url, settings string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	return newSourceWithToken(t, name, url, settings, hatest.Token)
}

func newSourceWithToken(t testing.TB, name, url, settings, token string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	src, logs := sourcetest.New(t, SourceType, name, "url: "+url+"\nsite: Home\n"+settings, TokenSetting, token)
	return src.(*Source), logs
}

const (
	timeoutForClose = 5 * time.Second
	pollEvery       = 10 * time.Millisecond
)

// checkStructure asserts what every snapshot must satisfy, and that device
// names fit NetBox and are unique per site.
func checkStructure(t *testing.T, inst string, snap *source.Snapshot) {
	t.Helper()
	sourcetest.CheckStructure(t, SourceType, inst, snap)
	names := map[string]string{}
	for _, r := range snap.Records {
		if r.Kind != inventory.KindDevice {
			continue
		}
		n := strings.ToLower(r.String("name"))
		require.LessOrEqual(t, len([]rune(n)), 64, "device name %q too long for NetBox", n)
		prev, dup := names[n]
		require.False(t, dup, "devices %s and %s share the name %q", prev, r.Key, n)
		names[n] = r.Key
	}
}
