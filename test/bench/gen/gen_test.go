package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/filesystem"
)

// read parses files with the filesystem source, as the worker would.
func read(t *testing.T, files map[string][]byte) []inventory.Record {
	t.Helper()
	recs, warnings := filesystem.Read("bench", "", files)
	require.Empty(t, warnings)
	return recs
}

func countByKind(recs []inventory.Record) map[inventory.Kind]int {
	out := map[inventory.Kind]int{}
	for _, r := range recs {
		out[r.Kind]++
	}
	return out
}

// TestObjectCounts: the filesystem source reads exactly the asked number of
// records, kind by kind as the summary says, in both formats.
func TestObjectCounts(t *testing.T) {
	for _, tc := range []struct {
		objects int
		format  Format
	}{
		{MinObjects, JSON},
		{61, JSON},
		{1000, JSON},
		{1000, YAML},
		{6000, JSON},
		{6007, YAML},
	} {
		t.Run(fmt.Sprintf("%d-%s", tc.objects, tc.format), func(t *testing.T) {
			files, sum, err := Files(Options{Objects: tc.objects, Seed: 7, Format: tc.format})
			require.NoError(t, err)
			recs := read(t, files)
			assert.Len(t, recs, tc.objects)
			assert.Equal(t, tc.objects, sum.Objects)
			assert.Equal(t, sum.ByKind, countByKind(recs))
			assert.Zero(t, sum.Changed)
			assert.Equal(t, len(files), sum.Files)
		})
	}
}

// TestShape: a large estate holds every kind the benchmark promises, in
// the proportions of its design.
func TestShape(t *testing.T) {
	_, sum, err := Build(Options{Objects: 20000, Seed: 1})
	require.NoError(t, err)
	k := sum.ByKind
	for _, kind := range []inventory.Kind{
		inventory.KindSite, inventory.KindManufacturer, inventory.KindDeviceType, inventory.KindDeviceRole,
		inventory.KindPlatform, inventory.KindClusterType, inventory.KindCluster, inventory.KindDevice,
		inventory.KindInterface, inventory.KindMACAddress, inventory.KindIPAddress, inventory.KindVirtualMachine,
		inventory.KindVMInterface, inventory.KindVirtualDisk,
	} {
		assert.Positive(t, k[kind], kind)
	}
	assert.Equal(t, 4*k[inventory.KindDevice], k[inventory.KindInterface], "four interfaces per device")
	assert.Equal(t, 2*k[inventory.KindVirtualMachine], k[inventory.KindVMInterface], "two interfaces per VM")
	assert.Equal(t, k[inventory.KindInterface]+k[inventory.KindVMInterface], k[inventory.KindMACAddress], "a MAC per interface")
	assert.GreaterOrEqual(t, k[inventory.KindVirtualDisk], k[inventory.KindVirtualMachine])
	assert.LessOrEqual(t, k[inventory.KindVirtualDisk], 2*k[inventory.KindVirtualMachine])
	assert.Greater(t, k[inventory.KindVirtualMachine], 4*k[inventory.KindDevice]/2, "mostly guests")
}

// TestDeterministic: the same options give the same bytes; another seed
// gives others.
func TestDeterministic(t *testing.T) {
	o := Options{Objects: 3000, Seed: 42, Changed: 0.01}
	a, _, err := Files(o)
	require.NoError(t, err)
	b, _, err := Files(o)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	o.Seed = 43
	c, _, err := Files(o)
	require.NoError(t, err)
	assert.NotEqual(t, a, c)
}

// TestChanged: the changed inventory has the same keys, and exactly the
// asked share of records differs from the unchanged one.
func TestChanged(t *testing.T) {
	for _, tc := range []struct {
		objects int
		share   float64
	}{
		{1000, 0.01},
		{6000, 0.01},
		{6000, 0.1},
		{500, 1},
	} {
		t.Run(fmt.Sprintf("%d-%g", tc.objects, tc.share), func(t *testing.T) {
			baseFiles, _, err := Files(Options{Objects: tc.objects, Seed: 3})
			require.NoError(t, err)
			changedFiles, sum, err := Files(Options{Objects: tc.objects, Seed: 3, Changed: tc.share})
			require.NoError(t, err)
			base, changed := read(t, baseFiles), read(t, changedFiles)
			require.Len(t, changed, len(base))
			byKey := make(map[string]inventory.Record, len(base))
			for _, r := range base {
				byKey[r.Key] = r
			}
			differ := 0
			for _, r := range changed {
				old, ok := byKey[r.Key]
				require.True(t, ok, "key %s is new", r.Key)
				if !reflect.DeepEqual(old.Attrs, r.Attrs) {
					differ++
				}
				assert.Equal(t, old.Refs, r.Refs, r.Key)
			}
			want := int(float64(tc.objects)*tc.share + 0.5)
			assert.Equal(t, want, sum.Changed)
			assert.Equal(t, want, differ)
		})
	}
}

// TestWrite: Write replaces what an earlier Write left, and the source
// reads the directory as Files encodes it.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	_, err := Write(dir, Options{Objects: 5000, Seed: 1, Format: YAML})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("not inventory"), 0o644))
	sum, err := Write(dir, Options{Objects: 1000, Seed: 1})
	require.NoError(t, err)
	files, _, err := Files(Options{Objects: 1000, Seed: 1})
	require.NoError(t, err)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	onDisk := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		onDisk[e.Name()] = data
	}
	assert.Equal(t, []byte("not inventory"), onDisk["keep.txt"])
	delete(onDisk, "keep.txt")
	assert.Equal(t, files, onDisk)
	assert.Equal(t, len(files), sum.Files)
	var size int64
	for _, data := range files {
		size += int64(len(data))
		assert.True(t, json.Valid(data))
		assert.False(t, bytes.Contains(data, []byte(`"description":""`)), "empty fields are left out")
	}
	assert.Equal(t, size, sum.Bytes)
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Objects: MinObjects - 1},
		{Objects: 1000, Changed: -0.1},
		{Objects: 1000, Changed: 1.5},
	} {
		_, _, err := Build(o)
		assert.Error(t, err, "%+v", o)
	}
	_, err := Write(t.TempDir(), Options{Objects: 1000, Format: "csv"})
	assert.Error(t, err)
}
