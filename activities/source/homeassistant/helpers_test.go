package homeassistant

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/config"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// loadConfig builds a source.Config the way the worker does: from a config
// file read by the config package, with the token in the environment.
func loadConfig(t testing.TB, name, settings, token string) source.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("sources:\n  - name: " + name + "\n    type: homeassistant\n")
	for _, line := range strings.Split(strings.TrimSpace(settings), "\n") {
		b.WriteString("    " + line + "\n")
	}
	path := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	var env []string
	if token != "" {
		env = append(env, config.SecretEnv(name, TokenSetting)+"="+token)
	}
	c, err := config.Load(path, nil, env)
	require.NoError(t, err)
	require.Len(t, c.Sources, 1)
	return c.Sources[0].SourceConfig()
}

// newSource builds a source of the named instance against url with the
// fake's token; settings are extra YAML lines. Logs go to the observer.
func newSource(t testing.TB, name, url, settings string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	return newSourceWithToken(t, name, url, settings, hatest.Token)
}

func newSourceWithToken(t testing.TB, name, url, settings, token string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	all := "url: " + url + "\nsite: Home\n" + settings
	core, logs := observer.New(zap.DebugLevel)
	src, err := source.New(loadConfig(t, name, all, token), zap.New(core))
	require.NoError(t, err)
	return src.(*Source), logs
}

// recordedProgress keeps every report as a heartbeat would: encoded to JSON.
type recordedProgress struct {
	mu      sync.Mutex
	reports [][]byte
}

func (p *recordedProgress) Report(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reports = append(p.reports, b)
}

func (p *recordedProgress) Resume(any) bool { return false }

// checkGolden compares snap with testdata/<name>.golden.json.
func checkGolden(t *testing.T, name string, snap *source.Snapshot) {
	t.Helper()
	got, err := json.MarshalIndent(snap, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	if !bytes.Equal(want, got) {
		t.Errorf("snapshot differs from %s (run go test -update and review the diff):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff lists the lines only one side has, enough to see what changed.
func lineDiff(want, got string) string {
	count := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		count[l]--
	}
	var out []string
	for l, n := range count {
		switch {
		case n > 0:
			out = append(out, "- "+l)
		case n < 0:
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	if len(out) > 40 {
		out = append(out[:40], "...")
	}
	return strings.Join(out, "\n")
}

// checkStructure asserts what every snapshot must satisfy: valid records,
// unique keys, the instance in every non-shared key, and references that
// resolve inside the snapshot.
func checkStructure(t *testing.T, inst string, snap *source.Snapshot) {
	t.Helper()
	require.Equal(t, inst, snap.Source)
	require.Equal(t, SourceType, snap.Type)
	keys := map[string]inventory.Kind{}
	for _, r := range snap.Records {
		require.NoError(t, r.Validate())
		_, dup := keys[r.Key]
		require.False(t, dup, "duplicate key %s", r.Key)
		keys[r.Key] = r.Kind
		require.Equal(t, inst, r.Source, r.Key)
		if !r.Kind.Shared() {
			require.True(t, strings.HasPrefix(r.Key, SourceType+"/"+inst+"/"), "key %s lacks the instance", r.Key)
		}
	}
	names := map[string]string{}
	for _, r := range snap.Records {
		for field, ref := range r.Refs {
			_, ok := keys[ref]
			require.True(t, ok, "%s %s: %s refers to missing %s", r.Kind, r.Key, field, ref)
		}
		if r.Kind == inventory.KindDevice {
			n := strings.ToLower(r.String("name"))
			require.LessOrEqual(t, len([]rune(n)), 64, "device name %q too long for NetBox", n)
			prev, dup := names[n]
			require.False(t, dup, "devices %s and %s share the name %q", prev, r.Key, n)
			names[n] = r.Key
		}
	}
}

func findRecord(snap *source.Snapshot, key string) *inventory.Record {
	for i := range snap.Records {
		if snap.Records[i].Key == key {
			return &snap.Records[i]
		}
	}
	return nil
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

const (
	timeoutForClose = 5 * time.Second
	pollEvery       = 10 * time.Millisecond
)
