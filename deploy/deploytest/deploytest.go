// Package deploytest holds what the tests of the deployment files share:
// the repository's root, the worker and starter built from it, and checks
// that an argument list is one the binaries' own flag parsing accepts, so
// that a renamed flag fails the test of every file that still names it.
package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Root is the repository's root: the nearest directory above the test's
// working directory that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %s", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Binaries are the worker and the starter, built from the repository.
type Binaries struct {
	Worker, Starter string
}

// Build builds the worker and the starter into a temporary directory. It
// skips the test under -short.
func Build(t testing.TB) Binaries {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the worker and the starter")
	}
	dir := t.TempDir()
	b := Binaries{Worker: filepath.Join(dir, "worker"), Starter: filepath.Join(dir, "starter")}
	for pkg, out := range map[string]string{"./worker": b.Worker, "./starter": b.Starter} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Dir = Root(t)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %s\n%s", pkg, err, msg)
		}
	}
	return b
}

// WorkerAccepts fails the test unless the worker's flag parsing takes args:
// it runs `worker ARGS --help`, which stops at the first unknown flag or bad
// value and otherwise prints the usage and exits 0.
func (b Binaries) WorkerAccepts(t testing.TB, args []string) {
	t.Helper()
	accepts(t, b.Worker, args)
}

// StarterAccepts fails the test unless args (a command and its flags) are
// what the starter takes: the command is one it has, its flags parse, and
// a schedule's verb is one `starter --help` lists.
func (b Binaries) StarterAccepts(t testing.TB, args []string) {
	t.Helper()
	if len(args) == 0 {
		t.Fatal("starter: no command")
	}
	accepts(t, b.Starter, args)
	if args[0] != "schedule" {
		return
	}
	usage, err := exec.Command(b.Starter, "--help").Output()
	if err != nil {
		t.Fatalf("starter --help: %s", err)
	}
	m := regexp.MustCompile(`(?m)^\s+schedule ([a-z|]+)`).FindSubmatch(usage)
	if m == nil {
		t.Fatalf("starter --help lists no schedule verbs:\n%s", usage)
	}
	verbs := strings.Split(string(m[1]), "|")
	var given []string
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			given = append(given, a)
		}
	}
	if len(given) == 0 || !slices.Contains(verbs, given[0]) {
		t.Errorf("starter %s: the verb is none of %s", strings.Join(args, " "), strings.Join(verbs, ", "))
	}
}

func accepts(t testing.TB, bin string, args []string) {
	t.Helper()
	cmd := exec.Command(bin, append(slices.Clone(args), "--help")...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s %s: the flags are not the binary's: %s\n%s", filepath.Base(bin), strings.Join(args, " "), err, tail(out))
	}
}

// tail is the last lines of a command's output, where its error is.
func tail(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.Join(lines[max(0, len(lines)-3):], "\n")
}
