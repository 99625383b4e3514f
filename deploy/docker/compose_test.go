package docker

import (
	"context"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/netbox-agent/netbox-agent/activities/source/all" // the config names source types
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/deploy/deploytest"
)

// loadCompose loads a compose file as `docker compose` does, with the
// compose spec's schema: an unknown key or a value of the wrong type is an
// error.
func loadCompose(t *testing.T, file string) (*types.Project, error) {
	t.Helper()
	abs, err := filepath.Abs(file)
	require.NoError(t, err)
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs}},
		Environment: types.Mapping{},
	})
}

// TestComposeIsStrict: the loader the test relies on refuses what compose
// would refuse, so that the checks below read the file compose runs.
func TestComposeIsStrict(t *testing.T) {
	text, err := os.ReadFile("compose.yaml")
	require.NoError(t, err)
	for _, tc := range []struct{ name, from, to, err string }{
		{"unknown key", "    read_only: true\n", "    read_only: true\n    readonly: true\n", "readonly"},
		{"wrong type", "    stop_grace_period: 45s\n", "    stop_grace_period: [45s]\n", "stop_grace_period"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, string(text), tc.from)
			bad := filepath.Join(t.TempDir(), "compose.yaml")
			require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(string(text), tc.from, tc.to, 1)), 0o600))
			_, err := loadCompose(t, bad)
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestCompose(t *testing.T) {
	p, err := loadCompose(t, "compose.yaml")
	require.NoError(t, err)
	img := parseDockerfile(t)
	root := deploytest.Root(t)
	require.ElementsMatch(t, []string{"temporal", "postgres", "redis", "netbox", "worker", "schedule"}, p.ServiceNames())
	worker, schedule := p.Services["worker"], p.Services["schedule"]

	t.Run("worker image is the Dockerfile's", func(t *testing.T) {
		require.NotNil(t, worker.Build)
		assert.Equal(t, root, worker.Build.Context)
		assert.Equal(t, filepath.Join(root, worker.Build.Dockerfile), filepath.Join(root, "deploy/docker/Dockerfile"))
		assert.Equal(t, worker.Image, schedule.Image, "the schedule runs the image the worker builds")
		assert.Empty(t, worker.Entrypoint, "the image's entrypoint, the worker")
	})

	cfgFile := configAt(t, p, worker, img.env[config.EnvConfig])
	assert.Equal(t, cfgFile, configAt(t, p, schedule, img.env[config.EnvConfig]), "worker and schedule read one config")
	cfg, err := config.Load(cfgFile, nil, environ(worker))
	require.NoError(t, err, "the worker's config loads and validates with its environment")

	t.Run("the config's paths are the container's", func(t *testing.T) {
		assert.Equal(t, "volume", mountAt(t, worker, cfg.DataDir).Type, "data_dir is a named volume")
		assert.Equal(t, "file://"+cfg.DataDir+"/blobs", cfg.BlobURL)
		secret := strings.TrimPrefix(cfg.NetBox.TokenFile, "/run/secrets/")
		assert.NotEqual(t, cfg.NetBox.TokenFile, secret, "netbox.token_file is a compose secret")
		assert.Equal(t, []string{secret}, secretNames(worker))
		require.Contains(t, p.Secrets, secret)
		for _, s := range cfg.EnabledSources() {
			if s.Type != "filesystem" {
				continue
			}
			var fs struct {
				Path string `yaml:"path"`
			}
			require.NoError(t, s.Decode(&fs))
			m := mountAt(t, worker, fs.Path)
			assert.True(t, m.ReadOnly, "source %s mounted read-only", s.Name)
			assert.DirExists(t, m.Source)
		}
	})

	t.Run("the worker reaches its neighbours", func(t *testing.T) {
		host, port := splitHostPort(t, cfg.Temporal.Address)
		assert.Equal(t, "temporal", host)
		assert.Equal(t, "7233", port)
		u, err := url.Parse(cfg.NetBox.URL)
		require.NoError(t, err)
		assert.Equal(t, "netbox", u.Hostname())
		assert.Equal(t, u.Port(), strconv.Itoa(int(p.Services["netbox"].Ports[0].Target)))
		assert.Contains(t, worker.DependsOn, "temporal")
		assert.Equal(t, "service_healthy", worker.DependsOn["netbox"].Condition)
	})

	t.Run("health and metrics port", func(t *testing.T) {
		host, port := splitHostPort(t, cfg.Worker.Listen)
		assert.True(t, net.ParseIP(host).IsUnspecified(), "worker.listen %s: reachable from outside the container", cfg.Worker.Listen)
		assert.Equal(t, img.expose, []string{port})
		require.Len(t, worker.Ports, 1)
		assert.Equal(t, port, strconv.Itoa(int(worker.Ports[0].Target)))
		assert.Equal(t, "127.0.0.1", worker.Ports[0].HostIP, "published on loopback only")
	})

	t.Run("locked down", func(t *testing.T) {
		for _, s := range []types.ServiceConfig{worker, schedule} {
			assert.True(t, s.ReadOnly, s.Name)
			assert.Equal(t, []string{"ALL"}, s.CapDrop, s.Name)
			assert.Contains(t, s.SecurityOpt, "no-new-privileges:true", s.Name)
		}
	})

	t.Run("schedule", func(t *testing.T) {
		assert.Equal(t, types.ShellCommand{"/usr/local/bin/starter"}, schedule.Entrypoint)
		assert.Contains(t, img.binaries, path.Base(schedule.Entrypoint[0]))
		require.NotEmpty(t, schedule.Command)
		assert.Equal(t, []string{"schedule", "ensure", "--cron", "0 * * * *"}, []string(schedule.Command), "SYNC_CRON's default")
		require.NotNil(t, schedule.HealthCheck)
		assert.True(t, schedule.HealthCheck.Disable, "the image's health check is the worker's")
		assert.Equal(t, "service_healthy", schedule.DependsOn["worker"].Condition)
		assert.Equal(t, "on-failure", schedule.Restart)
	})

	t.Run("temporal is the pinned dev server", func(t *testing.T) {
		mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
		require.NoError(t, err)
		m := regexp.MustCompile(`(?m)^TEMPORAL_VERSION\s*:=\s*v(\S+)`).FindSubmatch(mk)
		require.NotNil(t, m)
		assert.Equal(t, "temporalio/temporal:"+string(m[1]), p.Services["temporal"].Image)
		assert.Contains(t, []string(p.Services["temporal"].Command), "start-dev")
	})

	t.Run("netbox and postgres share the database password", func(t *testing.T) {
		pg := p.Services["postgres"]
		file := pg.Environment["POSTGRES_PASSWORD_FILE"]
		require.NotNil(t, file)
		name := strings.TrimPrefix(*file, "/run/secrets/")
		assert.Contains(t, secretNames(pg), name)
		assert.Contains(t, secretNames(p.Services["netbox"]), name)
		assert.Equal(t, *pg.Environment["POSTGRES_USER"], *p.Services["netbox"].Environment["DB_USER"])
	})

	t.Run("secrets are files under secrets/, which git ignores", func(t *testing.T) {
		for name, s := range p.Secrets {
			assert.Equal(t, filepath.Join(root, "deploy/docker/secrets"), filepath.Dir(s.File), name)
		}
		ignore, err := os.ReadFile("secrets/.gitignore")
		require.NoError(t, err)
		assert.Contains(t, strings.Fields(string(ignore)), "*")
	})

	t.Run("flags are the binaries'", func(t *testing.T) {
		bins := deploytest.Build(t)
		bins.StarterAccepts(t, schedule.Command)
		bins.WorkerAccepts(t, worker.Command)
	})
}

// configAt is the host file of the compose config mounted at target.
func configAt(t *testing.T, p *types.Project, s types.ServiceConfig, target string) string {
	t.Helper()
	for _, c := range s.Configs {
		if c.Target == target {
			require.Contains(t, p.Configs, c.Source)
			require.FileExists(t, p.Configs[c.Source].File)
			return p.Configs[c.Source].File
		}
	}
	t.Fatalf("%s: no config mounted at %s", s.Name, target)
	return ""
}

// mountAt is the volume of s mounted at target.
func mountAt(t *testing.T, s types.ServiceConfig, target string) types.ServiceVolumeConfig {
	t.Helper()
	for _, v := range s.Volumes {
		if v.Target == target {
			return v
		}
	}
	t.Fatalf("%s: nothing mounted at %s", s.Name, target)
	return types.ServiceVolumeConfig{}
}

func secretNames(s types.ServiceConfig) []string {
	var out []string
	for _, sec := range s.Secrets {
		out = append(out, sec.Source)
	}
	sort.Strings(out)
	return out
}

// environ is the service's environment in os.Environ()'s form.
func environ(s types.ServiceConfig) []string {
	var out []string
	for k, v := range s.Environment {
		if v != nil {
			out = append(out, k+"="+*v)
		}
	}
	return out
}

func splitHostPort(t *testing.T, addr string) (string, string) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return host, port
}
