// Package systemd tests the systemd units beside it as `make install`
// writes them: every file lands where it should with its mode, the paths
// in the units are the install's, systemd-analyze verify accepts them, and
// `make uninstall` takes every file back.
package systemd

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// installed is every file `make install` writes under its root, with its mode.
var installed = map[string]fs.FileMode{
	"bin/netbox-agent-worker":                          0o755,
	"bin/netbox-agent-starter":                         0o755,
	"lib/systemd/system/netbox-agent-worker.service":   0o644,
	"lib/systemd/system/netbox-agent-schedule.service": 0o644,
	"etc/netbox-agent/netbox-agent.example.yaml":       0o644,
	"share/doc/netbox-agent/README.md":                 0o644,
	"share/doc/netbox-agent/deployment.md":             0o644,
}

func makeIn(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-C", "../.."}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "make %s:\n%s", strings.Join(args, " "), out)
}

func files(t *testing.T, root string) map[string]fs.FileMode {
	t.Helper()
	got := map[string]fs.FileMode{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)] = info.Mode().Perm()
		return err
	}))
	return got
}

// TestInstallIntoAThrowawayRoot installs with PREFIX in a temporary
// directory, so that the units name binaries that exist and
// systemd-analyze can check them as they are.
func TestInstallIntoAThrowawayRoot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries")
	}
	root := t.TempDir()
	makeIn(t, "install", "PREFIX="+root, "SYSCONFDIR="+filepath.Join(root, "etc"))
	assert.Equal(t, installed, files(t, root))

	for _, unit := range []string{"netbox-agent-worker.service", "netbox-agent-schedule.service"} {
		path := filepath.Join(root, "lib/systemd/system", unit)
		text, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, placeholder := range []string{"@BINDIR@", "@SYSCONFDIR@"} {
			assert.NotContains(t, string(text), placeholder, "%s: every placeholder written", unit)
		}
		assert.Contains(t, string(text), filepath.Join(root, "bin")+"/netbox-agent-", unit)
		assert.Contains(t, string(text), filepath.Join(root, "etc")+"/netbox-agent/netbox-agent.yaml", unit)
		for _, hardening := range []string{"DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=\n"} {
			assert.Contains(t, string(text), hardening, unit)
		}
		verify(t, path)
	}
	worker, err := os.ReadFile(filepath.Join(root, "lib/systemd/system/netbox-agent-worker.service"))
	require.NoError(t, err)
	assert.Contains(t, string(worker), "LoadCredential=netbox-token:"+filepath.Join(root, "etc")+"/netbox-agent/netbox.token")

	// The operator's own files stay; the directory goes with the last of ours.
	own := filepath.Join(root, "etc/netbox-agent/netbox-agent.yaml")
	require.NoError(t, os.WriteFile(own, []byte("sources: []\n"), 0o600))
	makeIn(t, "uninstall", "PREFIX="+root, "SYSCONFDIR="+filepath.Join(root, "etc"))
	assert.Equal(t, map[string]fs.FileMode{"etc/netbox-agent/netbox-agent.yaml": 0o600}, files(t, root))
}

// TestInstallStagedForAPackage: with DESTDIR the files land under it and
// the units name the final paths.
func TestInstallStagedForAPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries")
	}
	dest := t.TempDir()
	makeIn(t, "install", "DESTDIR="+dest, "PREFIX=/usr")
	got := files(t, dest)
	var names []string
	for name := range got {
		names = append(names, name)
	}
	sort.Strings(names)
	assert.Equal(t, []string{
		"etc/netbox-agent/netbox-agent.example.yaml",
		"usr/bin/netbox-agent-starter",
		"usr/bin/netbox-agent-worker",
		"usr/lib/systemd/system/netbox-agent-schedule.service",
		"usr/lib/systemd/system/netbox-agent-worker.service",
		"usr/share/doc/netbox-agent/README.md",
		"usr/share/doc/netbox-agent/deployment.md",
	}, names)
	unit, err := os.ReadFile(filepath.Join(dest, "usr/lib/systemd/system/netbox-agent-worker.service"))
	require.NoError(t, err)
	assert.Contains(t, string(unit), "ExecStart=/usr/bin/netbox-agent-worker --config /etc/netbox-agent/netbox-agent.yaml\n")
	makeIn(t, "uninstall", "DESTDIR="+dest, "PREFIX=/usr")
	assert.Empty(t, files(t, dest))
}

// verify runs systemd-analyze verify on the unit: unknown keys, bad values
// and commands that do not exist fail it.
func verify(t *testing.T, unit string) {
	t.Helper()
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("systemd-analyze is not installed (Debian's systemd package); CI installs it")
		}
		t.Skip("systemd-analyze is not installed (Debian's systemd package)")
	}
	out, err := exec.Command("systemd-analyze", "verify", unit).CombinedOutput()
	assert.NoError(t, err, "systemd-analyze verify %s:\n%s", unit, out)
	assert.Empty(t, strings.TrimSpace(string(out)), "no warnings from systemd-analyze verify %s", unit)
}
