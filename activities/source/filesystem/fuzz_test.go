package filesystem

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// anyKindNames are the names under which any seed of their format is read.
var anyKindNames = []string{"inventory.yaml", "inventory.json", "devices.csv", "records.csv", "inventory.yml"}

// fuzzNames are the names FuzzRead gives its input: one of each format,
// and a CSV file of every kind, whose rows are read by that kind's schema.
var fuzzNames = func() []string {
	names := append([]string(nil), anyKindNames...)
	for _, s := range specs {
		names = append(names, "20-"+s.plural+".csv")
	}
	return names
}()

// FuzzRead feeds arbitrary bytes to the three parsers, a CSV file of each
// kind, and the resolver:
// whatever the input, reading must not panic, and what comes out must be
// valid records with unique keys. `go test` runs only the seed corpus.
func FuzzRead(f *testing.F) {
	for _, glob := range []string{"testdata/cases/*/*", "testdata/cases/*/*/*", "../../../examples/inventory/*"} {
		paths, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				continue // a directory
			}
			for i, n := range fuzzNames {
				if !strings.EqualFold(filepath.Ext(p), filepath.Ext(n)) {
					continue
				}
				// a CSV seed goes to the file of its own kind, not every kind's
				if i >= len(anyKindNames) && csvKind(n) != csvKind(filepath.Base(p)) {
					continue
				}
				f.Add(uint8(i), data)
			}
		}
	}
	f.Add(uint8(0), []byte("a: &a [*a]\n"))
	f.Add(uint8(1), []byte(`{"devices": [{"name": "x", "interfaces": [{"name": "e", "ips": "10.0.0.1"}]}]}`))
	f.Add(uint8(2), []byte("name,site\n\"unterminated,x\n"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := fuzzNames[int(which)%len(fuzzNames)]
		recs, warnings := Read("fuzz", "Site", map[string][]byte{name: data})
		keys := map[string]bool{}
		for _, r := range recs {
			if err := r.Validate(); err != nil {
				t.Fatalf("invalid record: %v", err)
			}
			if keys[r.Key] {
				t.Fatalf("duplicate key %s", r.Key)
			}
			keys[r.Key] = true
		}
		for _, w := range warnings {
			if !strings.HasPrefix(w, name) && !strings.Contains(w, "named by other records") {
				t.Fatalf("warning does not name the file: %q", w)
			}
		}
	})
}
