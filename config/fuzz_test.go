package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/zap"
)

// leaves are the problems a joined error holds.
func leaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// FuzzLoad feeds arbitrary config files to the decoder, then to the
// validation and the sources' strict decoding, as Load and --check-config
// do: nothing panics, every problem of the file is a *FieldError that names
// the file and line, every problem of validation one that names the key
// path, and every problem of a source names the source.
func FuzzLoad(f *testing.F) {
	for _, glob := range []string{"testdata/good/*.yaml", "testdata/bad/*.yaml", "../netbox-agent.example.yaml", "../deploy/*/*.yaml"} {
		paths, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("sources:\n  - &s {name: a, type: proxmox}\n  - *s\n  - <<: *s\n    name: b\n"))
	f.Add([]byte("netbox: {url: 'http://[::1', batch_size: 1e9}\nsync: {retry: {backoff_coefficient: .nan}}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Default()
		c.lookupEnv = func(string) (string, bool) { return "", false }
		c.origins = map[string]string{}
		c.file, c.baseDir = "fuzz.yaml", filepath.Join(os.TempDir(), "netbox-agent-fuzz")
		if err := c.decodeFile(data); err != nil {
			for _, e := range leaves(err) {
				var fe *FieldError
				if !errors.As(e, &fe) || !strings.HasPrefix(fe.Origin, "fuzz.yaml") || fe.Err == nil {
					t.Fatalf("a problem of the file that does not name it: %v", e)
				}
				if _, line, ok := strings.Cut(fe.Origin, ":"); ok {
					if n, err := strconv.Atoi(line); err != nil || n < 1 {
						t.Fatalf("a problem at no line: %v", e)
					}
				}
			}
			return
		}
		c.resolve()
		if err := c.Validate(); err != nil {
			for _, e := range leaves(err) {
				var fe *FieldError
				if !errors.As(e, &fe) || fe.Path == "" || fe.Err == nil || fe.Err.Error() == "" {
					t.Fatalf("a problem that names no setting: %v", e)
				}
			}
			return
		}
		if err := c.CheckSources(zap.NewNop()); err != nil {
			for _, e := range leaves(err) {
				if !strings.HasPrefix(e.Error(), "source \"") {
					t.Fatalf("a problem of a source that does not name it: %v", e)
				}
			}
		}
	})
}
