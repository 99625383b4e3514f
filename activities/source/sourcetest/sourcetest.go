// Package sourcetest holds what the tests of every source package share:
// a recorded Progress, golden snapshot files, and the structural checks
// every snapshot must pass.
package sourcetest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/config"
)

// LoadConfig builds the source.Config of one instance the way the worker
// does: from a config file (settings are the instance's own YAML lines)
// read by the config package, with the secret setting in the environment
// when secret is not empty.
func LoadConfig(t testing.TB, typ, name, settings, secretSetting, secret string) source.Config {
	t.Helper()
	var b strings.Builder
	b.WriteString("sources:\n  - name: " + name + "\n    type: " + typ + "\n")
	for _, line := range strings.Split(strings.TrimSpace(settings), "\n") {
		b.WriteString("    " + line + "\n")
	}
	path := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	var env []string
	if secret != "" {
		env = append(env, config.SecretEnv(name, secretSetting)+"="+secret)
	}
	c, err := config.Load(path, nil, env)
	require.NoError(t, err)
	require.Len(t, c.Sources, 1)
	return c.Sources[0].SourceConfig()
}

// New builds a source of type typ the way the worker does (see
// LoadConfig), with its logs going to the returned observer.
func New(t testing.TB, typ, name, settings, secretSetting, secret string) (source.Source, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	src, err := source.New(LoadConfig(t, typ, name, settings, secretSetting, secret), zap.New(core))
	require.NoError(t, err)
	return src, logs
}

// AssertNoSecret checks that secret appears neither in err nor in any log
// entry's message, fields or logged errors.
func AssertNoSecret(t testing.TB, secret string, err error, logs *observer.ObservedLogs) {
	t.Helper()
	if err != nil {
		assert.NotContains(t, err.Error(), secret, "the secret never enters an error")
	}
	for _, e := range logs.All() {
		assert.NotContains(t, e.Message, secret)
		for _, f := range e.Context {
			assert.NotContains(t, f.String, secret, "the secret never enters a log")
			if fe, ok := f.Interface.(error); ok {
				assert.NotContains(t, fe.Error(), secret)
			}
		}
	}
}

// RequireError checks that err is of class (source.ErrConfig, ...) and
// says each of fragments.
func RequireError(t testing.TB, err, class error, fragments ...string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, class)
	for _, frag := range fragments {
		assert.Contains(t, err.Error(), frag)
	}
}

// Progress records every report as a heartbeat would, encoded to JSON, and
// hands ResumeState to a discovery that asks to resume.
type Progress struct {
	mu      sync.Mutex
	reports [][]byte
	// ResumeState is what Resume decodes; nil means no earlier attempt.
	ResumeState []byte
}

// Report records one heartbeat.
func (p *Progress) Report(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("progress does not encode to JSON: " + err.Error())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reports = append(p.reports, b)
}

// Resume decodes ResumeState into v.
func (p *Progress) Resume(v any) bool {
	if p.ResumeState == nil {
		return false
	}
	if err := json.Unmarshal(p.ResumeState, v); err != nil {
		panic("resume state does not decode: " + err.Error())
	}
	return true
}

// Reports returns the recorded heartbeats in order.
func (p *Progress) Reports() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.reports...)
}

// Last returns the latest heartbeat, or nil.
func (p *Progress) Last() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.reports) == 0 {
		return nil
	}
	return p.reports[len(p.reports)-1]
}

// Golden compares snap with testdata/<name>.golden.json, or rewrites that
// file when update is set (the packages' -update flag).
func Golden(t *testing.T, name string, snap *source.Snapshot, update bool) {
	t.Helper()
	got, err := json.MarshalIndent(snap, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if update {
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

// CheckStructure asserts what every snapshot of a source of type typ and
// instance inst must satisfy: its source and type, valid records, unique
// keys, the instance in every non-shared key, and references that resolve
// inside the snapshot.
func CheckStructure(t *testing.T, typ, inst string, snap *source.Snapshot) {
	t.Helper()
	require.Equal(t, inst, snap.Source)
	require.Equal(t, typ, snap.Type)
	prefix := typ + "/" + inst
	keys := map[string]inventory.Kind{}
	for _, r := range snap.Records {
		require.NoError(t, r.Validate())
		_, dup := keys[r.Key]
		require.False(t, dup, "duplicate key %s", r.Key)
		keys[r.Key] = r.Kind
		require.Equal(t, inst, r.Source, r.Key)
		if !r.Kind.Shared() {
			require.True(t, r.Key == prefix || strings.HasPrefix(r.Key, prefix+"/"), "key %s lacks the instance", r.Key)
		}
	}
	for _, r := range snap.Records {
		for field, ref := range r.Refs {
			_, ok := keys[ref]
			require.True(t, ok, "%s %s: %s refers to missing %s", r.Kind, r.Key, field, ref)
		}
	}
}

// RecordsOf returns the records of kind whose keys start with prefix ("" for
// all).
func RecordsOf(snap *source.Snapshot, kind inventory.Kind, prefix string) []inventory.Record {
	var out []inventory.Record
	for _, r := range snap.Records {
		if r.Kind == kind && strings.HasPrefix(r.Key, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// Find returns the record with key, or nil.
func Find(snap *source.Snapshot, key string) *inventory.Record {
	for i := range snap.Records {
		if snap.Records[i].Key == key {
			return &snap.Records[i]
		}
	}
	return nil
}
