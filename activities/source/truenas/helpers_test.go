package truenas

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
	"github.com/netbox-agent/netbox-agent/config"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// loadConfig builds a source.Config the way the worker does: from a config
// file read by the config package, with the API key in the environment.
func loadConfig(t testing.TB, name, settings, key string) source.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("sources:\n  - name: " + name + "\n    type: truenas\n")
	for _, line := range strings.Split(strings.TrimSpace(settings), "\n") {
		b.WriteString("    " + line + "\n")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	var env []string
	if key != "" {
		env = append(env, config.SecretEnv(name, SecretAPIKey)+"="+key)
	}
	c, err := config.Load(path, nil, env)
	require.NoError(t, err)
	require.Len(t, c.Sources, 1)
	return c.Sources[0].SourceConfig()
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

// recordedProgress keeps every report as a heartbeat would: encoded to JSON.
type recordedProgress struct {
	mu      sync.Mutex
	reports []string
}

func (p *recordedProgress) Report(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reports = append(p.reports, string(b))
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
			require.True(t, r.Key == "truenas/"+inst || strings.HasPrefix(r.Key, "truenas/"+inst+"/"), "key %s lacks the instance", r.Key)
		}
	}
	for _, r := range snap.Records {
		for field, ref := range r.Refs {
			_, ok := keys[ref]
			require.True(t, ok, "%s %s: %s refers to missing %s", r.Kind, r.Key, field, ref)
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
