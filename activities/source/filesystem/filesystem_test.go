package filesystem

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"gopkg.in/yaml.v3"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// settingsDecoder decodes YAML settings strictly, as the config package does.
func settingsDecoder(text string) func(v any) error {
	return func(v any) error {
		dec := yaml.NewDecoder(strings.NewReader(text))
		dec.KnownFields(true)
		if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		return nil
	}
}

func newSource(t *testing.T, baseDir, settings string) source.Source {
	t.Helper()
	s, err := New(source.Config{Name: "home", Type: sourceType, BaseDir: baseDir, Decode: settingsDecoder(settings)}, zap.NewNop())
	require.NoError(t, err)
	return s
}

type recorder struct {
	mu      sync.Mutex
	reports []Progress
}

func (r *recorder) Report(details any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, details.(Progress))
}

func (r *recorder) Resume(any) bool { return false }

// golden is what a discovery's golden file holds.
type golden struct {
	Records  []inventory.Record `json:"records"`
	Warnings []string           `json:"warnings"`
}

func TestDiscoverGolden(t *testing.T) {
	cases := []struct {
		name     string
		base     string
		settings string
	}{
		{name: "example", base: "../../../examples", settings: "path: inventory\n"},
		{name: "formats", base: "testdata/cases", settings: "path: formats\ndefault_site: Home\n"},
		{name: "formats-flat", base: "testdata/cases", settings: "path: formats\nrecursive: false\n"},
		{name: "bad", base: "testdata/cases", settings: "path: bad\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prog := &recorder{}
			snap, err := newSource(t, tc.base, tc.settings).Discover(context.Background(), prog)
			require.NoError(t, err)
			assert.Equal(t, "home", snap.Source)
			assert.Equal(t, sourceType, snap.Type)
			checkRecords(t, snap.Records)

			got, err := json.MarshalIndent(golden{Records: snap.Records, Warnings: snap.Warnings}, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", tc.name+".json")
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create the golden file")
			assert.Equal(t, string(want), string(got))

			require.NotEmpty(t, prog.reports)
			last := prog.reports[len(prog.reports)-1]
			assert.Equal(t, last.FilesTotal, last.FilesDone, "the last report counts every file")
			assert.Equal(t, Progress{FilesDone: 0, FilesTotal: last.FilesTotal}, prog.reports[0])
		})
	}
}

// checkRecords asserts what must hold for any output: valid records,
// unique keys, sorted, every reference to this source resolving.
func checkRecords(t *testing.T, recs []inventory.Record) {
	t.Helper()
	keys := map[string]bool{}
	for i, r := range recs {
		assert.NoError(t, r.Validate())
		assert.False(t, keys[r.Key], "duplicate key %s", r.Key)
		keys[r.Key] = true
		if i > 0 {
			p := recs[i-1]
			assert.True(t, p.Kind.Order() < r.Kind.Order() || (p.Kind == r.Kind && p.Key < r.Key), "records not sorted at %s", r.Key)
		}
	}
	for _, r := range recs {
		for f, k := range r.Refs {
			if strings.HasPrefix(k, sourceType+"/") || !strings.Contains(k, "/") || isSharedKey(k) {
				assert.True(t, keys[k], "%s %s: %s refers to missing %s", r.Kind, r.Key, f, k)
			}
		}
	}
}

func isSharedKey(k string) bool {
	for _, kind := range inventory.Kinds() {
		if kind.Shared() && strings.HasPrefix(k, string(kind)+"/") {
			return true
		}
	}
	return false
}

func TestExampleHasNoWarnings(t *testing.T) {
	snap, err := newSource(t, "../../../examples", "path: inventory\n").Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, snap.Warnings)
	counts := map[inventory.Kind]int{}
	for _, r := range snap.Records {
		counts[r.Kind]++
	}
	assert.Equal(t, 5, counts[inventory.KindDevice])
	assert.Equal(t, 4, counts[inventory.KindVirtualMachine])
	assert.Positive(t, counts[inventory.KindVirtualDisk])
	assert.Positive(t, counts[inventory.KindService])
	assert.Equal(t, counts[inventory.KindMACAddress], 14)
}

func TestImplicitSharedRecords(t *testing.T) {
	recs, warnings := Read("home", "Default Site", map[string][]byte{"d.yaml": []byte(`
devices:
  - name: box
    role: Server
    device_type: R640
    manufacturer: Dell Inc.
    location: Rack A
virtual_machines:
  - name: vm
    role: App
`)})
	require.Empty(t, warnings)
	byKey := map[string]inventory.Record{}
	for _, r := range recs {
		byKey[r.Key] = r
	}
	want := map[string]inventory.Record{
		"site/default-site":          {Kind: inventory.KindSite, Key: "site/default-site", Source: "home", Attrs: map[string]any{"name": "Default Site"}},
		"location/rack-a":            {Kind: inventory.KindLocation, Key: "location/rack-a", Source: "home", Attrs: map[string]any{"name": "Rack A"}, Refs: map[string]string{"site": "site/default-site"}},
		"manufacturer/dell-inc":      {Kind: inventory.KindManufacturer, Key: "manufacturer/dell-inc", Source: "home", Attrs: map[string]any{"name": "Dell Inc."}},
		"device_type/dell-inc-r640":  {Kind: inventory.KindDeviceType, Key: "device_type/dell-inc-r640", Source: "home", Attrs: map[string]any{"model": "R640"}, Refs: map[string]string{"manufacturer": "manufacturer/dell-inc"}},
		"device_role/server":         {Kind: inventory.KindDeviceRole, Key: "device_role/server", Source: "home", Attrs: map[string]any{"name": "Server"}},
		"device_role/app":            {Kind: inventory.KindDeviceRole, Key: "device_role/app", Source: "home", Attrs: map[string]any{"name": "App", "vm_role": true}},
		"filesystem/home/device/box": {Kind: inventory.KindDevice, Key: "filesystem/home/device/box", Source: "home", Attrs: map[string]any{"name": "box"}, Refs: map[string]string{"site": "site/default-site", "role": "device_role/server", "device_type": "device_type/dell-inc-r640", "location": "location/rack-a"}},
		"filesystem/home/vm/vm":      {Kind: inventory.KindVirtualMachine, Key: "filesystem/home/vm/vm", Source: "home", Attrs: map[string]any{"name": "vm"}, Refs: map[string]string{"role": "device_role/app"}},
	}
	assert.Equal(t, want, byKey)
}

func TestNew(t *testing.T) {
	cases := []struct {
		name     string
		settings string
		err      string
	}{
		{name: "path required", settings: "recursive: true\n", err: "path: the inventory directory is required"},
		{name: "unknown setting", settings: "path: x\nrecursve: false\n", err: "field recursve not found"},
		{name: "ok", settings: "path: x\ndefault_site: Home\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(source.Config{Name: "home", Type: sourceType, Decode: settingsDecoder(tc.settings)}, zap.NewNop())
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, source.ErrConfig)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
}

func TestRegistered(t *testing.T) {
	assert.Contains(t, source.Types(), sourceType)
	s, err := source.New(source.Config{Name: "home", Type: sourceType, Decode: settingsDecoder("path: /nonexistent\n")}, zap.NewNop())
	require.NoError(t, err)
	_, err = s.Discover(context.Background(), nil)
	assert.ErrorIs(t, err, source.ErrConfig)
}

func TestDiscoverSkipsHiddenAndOtherFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	write("sites.YAML", "sites: [{name: A}]\n")
	write(".hidden.yaml", "sites: [{name: Hidden}]\n")
	write(".git/x.yaml", "sites: [{name: Git}]\n")
	write("README.md", "not inventory\n")
	write("deep/er/b.yml", "sites: [{name: B}]\n")
	snap, err := newSource(t, dir, "path: .\n").Discover(context.Background(), nil)
	require.NoError(t, err)
	var names []string
	for _, r := range snap.Records {
		names = append(names, r.String("name"))
	}
	assert.Equal(t, []string{"A", "B"}, names)
	assert.Empty(t, snap.Warnings)
}

func TestDiscoverCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newSource(t, "../../../examples", "path: inventory\n").Discover(ctx, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestJSONLines(t *testing.T) {
	data := []byte("{\n  \"a\": [\n    1,\n    {\"b\":\n      \"c\"}\n  ]\n}\n")
	docs, err := parseJSON(data)
	require.NoError(t, err)
	require.Len(t, docs, 1)
	a := docs[0].get("a")
	assert.Equal(t, 2, a.line)
	assert.Equal(t, 3, a.value.items[0].line)
	obj := a.value.items[1]
	assert.Equal(t, 4, obj.line)
	assert.Equal(t, 4, obj.get("b").line)
	assert.Equal(t, 5, obj.get("b").value.line)
	_, err = parseJSON([]byte("{} {}"))
	assert.ErrorContains(t, err, "data after the top-level value")
}

func TestAliasBomb(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	_, warnings := Read("home", "", map[string][]byte{"bomb.yaml": b.Bytes()})
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "too large")
}

func TestParseMegabytes(t *testing.T) {
	cases := map[string]int64{"512": 512, "512M": 512, "4G": 4096, "1.5 GiB": 1536, "2TB": 2 << 20, "0": 0}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			got, err := parseMegabytes(in)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
	for _, bad := range []string{"", "G", "4X", "-1", "1e9G"} {
		t.Run("bad "+bad, func(t *testing.T) {
			_, err := parseMegabytes(bad)
			assert.Error(t, err)
		})
	}
}

func TestJSONByteOrderMark(t *testing.T) {
	recs, warnings := Read("home", "", map[string][]byte{"s.json": []byte("\xef\xbb\xbf{\"sites\": [{\"name\": \"A\"}]}")})
	require.Empty(t, warnings)
	require.Len(t, recs, 1)
	assert.Equal(t, "site/a", recs[0].Key)
}

// TestDiscoverReadsFilesAtOnceInOrder: files are parsed several at a time,
// and the records and warnings are the same, in the same order, as reading
// them one by one; the progress counts every file, unreadable ones too.
func TestDiscoverReadsFilesAtOnceInOrder(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{}
	for i := range 40 {
		name := fmt.Sprintf("f%02d.yaml", i)
		text := fmt.Sprintf("sites: [{name: S%02d}]\ndevices:\n  - {name: d%02d, site: S%02d, role: r, device_type: t, manufacturer: m}\n", i, i, i)
		if i%7 == 3 {
			text += "prefixes: [{prefix: not-a-cidr}]\n" // a warning in this file
		}
		files[name] = []byte(text)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), files[name], 0o644))
	}
	require.NoError(t, os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "unreadable.yaml"))) // listed, cannot be read
	rec := &recorder{}
	snap, err := newSource(t, dir, "path: .\n").Discover(context.Background(), rec)
	require.NoError(t, err)
	wantRecs, wantWarnings := Read("home", "", files)
	require.Len(t, snap.Records, len(wantRecs))
	for i := range wantRecs {
		assert.Equal(t, wantRecs[i].Key, snap.Records[i].Key, "record %d", i)
	}
	require.NotEmpty(t, wantWarnings)
	assert.Equal(t, wantWarnings, withoutUnreadable(snap.Warnings))
	assert.Len(t, snap.Warnings, len(wantWarnings)+1, "the unreadable file is reported")
	require.NotEmpty(t, rec.reports)
	assert.Equal(t, rec.reports[len(rec.reports)-1].FilesTotal, rec.reports[len(rec.reports)-1].FilesDone)
}

func withoutUnreadable(ws []string) []string {
	var out []string
	for _, w := range ws {
		if !strings.HasPrefix(w, "unreadable.yaml:") {
			out = append(out, w)
		}
	}
	return out
}

// A location names its parent location, as a room its floor.
func TestLocationParent(t *testing.T) {
	recs, warnings := Read("home", "Home", map[string][]byte{"l.yaml": []byte(`
locations:
  - name: Ground floor
    site: Home
  - name: Kitchen
    site: Home
    parent: Ground floor
`)})
	require.Empty(t, warnings)
	byKey := map[string]inventory.Record{}
	for _, r := range recs {
		byKey[r.Key] = r
	}
	require.Contains(t, byKey, "location/kitchen")
	assert.Equal(t, map[string]string{"site": "site/home", "parent": "location/ground-floor"}, byKey["location/kitchen"].Refs)
	assert.Equal(t, map[string]string{"site": "site/home"}, byKey["location/ground-floor"].Refs)
}
