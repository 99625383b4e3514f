package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

// TestLoadBadFiles loads every testdata/bad/*.yaml and compares the
// joined errors with testdata/bad/*.err.
func TestLoadBadFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			c, err := Load(f, nil, nil)
			require.Error(t, err)
			assert.Nil(t, c)
			golden(t, filepath.Join("bad", name+".err"), errorLines(err))
		})
	}
}

func TestLoadErrorsAreFieldErrors(t *testing.T) {
	_, err := Load("testdata/bad/unknown_key.yaml", nil, nil)
	require.Error(t, err)
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "testdata/bad/unknown_key.yaml:5", fe.Origin)
	assert.Equal(t, "netbox.batch_sise", fe.Path)
	assert.Equal(t, "testdata/bad/unknown_key.yaml:5: netbox.batch_sise: unknown key (did you mean batch_size?)", fe.Error())
}

func TestLoadFull(t *testing.T) {
	c, err := Load("testdata/good/full.yaml", nil, nil)
	require.NoError(t, err)
	base, err := filepath.Abs("testdata/good")
	require.NoError(t, err)

	assert.Equal(t, Temporal{Address: "temporal.internal:7233", Namespace: "infra", TaskQueue: "agent",
		TLS: TemporalTLS{ServerName: "temporal.internal"}}, c.Temporal)
	assert.Equal(t, "https://netbox.example.internal/", c.NetBox.URL)
	assert.Equal(t, filepath.Join(base, "secrets/netbox.token"), c.NetBox.TokenFile)
	assert.Equal(t, "/etc/ssl/netbox.pem", c.NetBox.CAFile)
	assert.Equal(t, 90*time.Second, c.NetBox.Timeout.Duration)
	assert.Equal(t, 50, c.NetBox.BatchSize)
	assert.Equal(t, 500, c.NetBox.PageSize)
	assert.InDelta(t, 12.5, c.NetBox.RateLimit, 0)
	assert.Equal(t, 2, c.NetBox.MaxInFlight)
	assert.Equal(t, "never", c.NetBox.Adopt)
	assert.Equal(t, map[string]string{"device": "auto", "virtual_machine": "report"}, c.NetBox.AdoptKinds)
	assert.Empty(t, c.Deprecations())
	assert.Zero(t, c.NetBox.OrphanGrace.Duration)
	assert.InDelta(t, 0.5, c.NetBox.MassDeleteThreshold, 0)
	assert.Equal(t, []CustomField{
		{Attr: "pool_health", Field: "pool_health", Kinds: []string{"device"}, Type: "text"},
		{Attr: "firmware", Field: "firmware_version", Type: "text"},
	}, c.NetBox.CustomFields)
	assert.Equal(t, Sync{
		ApplyConcurrency:   8,
		DiscoverTimeout:    Duration{time.Hour},
		ApplyTimeout:       Duration{2 * time.Minute},
		HeartbeatTimeout:   Duration{30 * time.Second},
		RemoteStartTimeout: Duration{2 * time.Minute},
		RunTimeout:         Duration{3 * time.Hour},
		Retry: RetryPolicy{
			InitialInterval:    Duration{2 * time.Second},
			BackoffCoefficient: 1.5,
			MaximumInterval:    Duration{5 * time.Minute},
			MaximumAttempts:    0,
		},
	}, c.Sync)
	assert.Equal(t, filepath.Join(base, "state"), c.DataDir)
	assert.Equal(t, "mem://", c.BlobURL)
	assert.Equal(t, Worker{Listen: ":9000", ShutdownTimeout: Duration{36 * time.Hour}, MemoryLimitMB: 512, PprofListen: "127.0.0.1:6060"}, c.Worker)
	assert.Equal(t, Log{Level: "debug", Format: "json"}, c.Log)

	require.Len(t, c.Sources, 3)
	type common struct {
		Name, Type, TaskQueue string
		Enabled               bool
		Settings              []string
	}
	var got []common
	for _, s := range c.Sources {
		got = append(got, common{s.Name, s.Type, s.TaskQueue, s.Enabled, s.Settings()})
	}
	assert.Equal(t, []common{
		{"files", "filesystem", "agent", true, []string{"path"}},
		{"pve-a", "proxmox", "remote-site", true, []string{"verify_tls", "url", "token_id", "token_secret_file", "ca_file"}},
		{"pve-b", "proxmox", "agent", false, []string{"verify_tls", "url"}},
	}, got)
	names := []string{}
	for _, s := range c.EnabledSources() {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"files", "pve-a"}, names)
}

func TestLoadDefaultsWithoutFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	c, err := Load("", nil, nil)
	require.NoError(t, err)

	want := Default()
	assert.Equal(t, want.Temporal, c.Temporal)
	assert.Equal(t, want.NetBox, c.NetBox)
	assert.Equal(t, want.Sync, c.Sync)
	assert.Equal(t, want.Worker, c.Worker)
	assert.Equal(t, want.Log, c.Log)
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(wd, "data"), c.DataDir)
	assert.Equal(t, "file://"+filepath.ToSlash(filepath.Join(wd, "data", "blobs")), c.BlobURL)
	assert.Equal(t, wd, c.BaseDir())
	assert.Empty(t, c.File())
	assert.Empty(t, c.Sources)
}

func TestLoadEmptyFileKeepsDefaults(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"empty": "", "comment": "# nothing\n", "nulls": "netbox:\nsync:\n  retry: ~\nsources:\n"} {
		t.Run(name, func(t *testing.T) {
			c, err := Load(writeFile(t, dir, name+".yaml", content), nil, nil)
			require.NoError(t, err)
			assert.Equal(t, Default().NetBox, c.NetBox)
			assert.Equal(t, Default().Sync, c.Sync)
			assert.Equal(t, filepath.Join(dir, "data"), c.DataDir)
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadExample(t *testing.T) {
	c, err := Load("../netbox-agent.example.yaml", nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8001", c.NetBox.URL, "the example must contact only the local emulator")
	require.Len(t, c.Sources, 1)
	s := c.Sources[0]
	assert.Equal(t, "filesystem", s.Type)
	var settings struct {
		Path string `yaml:"path"`
	}
	require.NoError(t, s.Decode(&settings))
	assert.Equal(t, "./examples/inventory", settings.Path)
	assert.NoError(t, c.CheckSources(zap.NewNop()))
}

func TestEnvAndFlagPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "agent.yaml", `
netbox:
  url: https://file.example:8000
  batch_size: 10
  page_size: 200
sync:
  apply_concurrency: 2
  retry:
    maximum_interval: 2m
log:
  level: warn
`)
	for _, tt := range precedenceCases(dir) {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			RegisterFlags(fs)
			require.NoError(t, fs.Parse(tt.flags))
			c, err := Load(path, fs, tt.env)
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

// precedenceCase is a layer of settings over the file's: environment
// variables, flags, and what the loaded config then holds.
type precedenceCase struct {
	name  string
	env   []string
	flags []string
	check func(t *testing.T, c *Config)
}

// precedenceCases are the layers over a file in dir: defaults, the file,
// the environment and flags, each over the one before.
func precedenceCases(dir string) []precedenceCase {
	return []precedenceCase{
		{
			name: "file over defaults",
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, 10, c.NetBox.BatchSize)
				assert.Equal(t, 2, c.Sync.ApplyConcurrency)
				assert.Equal(t, 4, c.NetBox.MaxInFlight)
				assert.Equal(t, "warn", c.Log.Level)
			},
		},
		{
			name: "env over file",
			env: []string{
				"NETBOX_AGENT_NETBOX_URL=https://env.example:8000",
				"NETBOX_AGENT_NETBOX_BATCH_SIZE=20",
				"NETBOX_AGENT_SYNC_APPLY_CONCURRENCY=3",
				"NETBOX_AGENT_SYNC_RETRY_MAXIMUM_INTERVAL=1d",
				"NETBOX_AGENT_NETBOX_ADOPT=false",
				"NETBOX_AGENT_NETBOX_RATE_LIMIT=2.5",
				"PATH=/usr/bin",
			},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, "https://env.example:8000", c.NetBox.URL)
				assert.Equal(t, 20, c.NetBox.BatchSize)
				assert.Equal(t, 200, c.NetBox.PageSize)
				assert.Equal(t, 3, c.Sync.ApplyConcurrency)
				assert.Equal(t, 24*time.Hour, c.Sync.Retry.MaximumInterval.Duration)
				assert.Equal(t, "never", c.NetBox.Adopt, "the old false reads as never")
				assert.Equal(t, []string{"netbox.adopt (env NETBOX_AGENT_NETBOX_ADOPT): false is deprecated and read as never; write adopt: never (never, report or auto)"},
					c.Deprecations())
				assert.InDelta(t, 2.5, c.NetBox.RateLimit, 0)
			},
		},
		{
			name:  "flags over env",
			env:   []string{"NETBOX_AGENT_NETBOX_BATCH_SIZE=20", "NETBOX_AGENT_LOG_LEVEL=error"},
			flags: []string{"--netbox.batch-size=30", "--sync.retry.maximum-interval=90s", "--netbox.adopt=false", "--data-dir=/srv/agent"},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, 30, c.NetBox.BatchSize)
				assert.Equal(t, 90*time.Second, c.Sync.Retry.MaximumInterval.Duration)
				assert.Equal(t, "never", c.NetBox.Adopt, "the old false reads as never")
				assert.Len(t, c.Deprecations(), 1)
				assert.Equal(t, "error", c.Log.Level, "env applies where no flag was set")
				assert.Equal(t, "/srv/agent", c.DataDir)
				assert.Equal(t, "file:///srv/agent/blobs", c.BlobURL)
			},
		},
		{
			name:  "unset flags keep their layer's value",
			flags: []string{"--log.format=json"},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, 10, c.NetBox.BatchSize, "a registered but unset flag must not reset the file's value")
				assert.Equal(t, "json", c.Log.Format)
			},
		},
		{
			name:  "relative data_dir from a flag is relative to the config file",
			flags: []string{"--data-dir=state"},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, filepath.Join(dir, "state"), c.DataDir)
			},
		},
	}
}

func TestEnvAndFlagErrors(t *testing.T) {
	tests := []struct {
		name  string
		env   []string
		flags []string
		want  string
	}{
		{
			name: "bad integer in env",
			env:  []string{"NETBOX_AGENT_SYNC_APPLY_CONCURRENCY=lots"},
			want: `env NETBOX_AGENT_SYNC_APPLY_CONCURRENCY: sync.apply_concurrency: expected an integer, got "lots"`,
		},
		{
			name: "bad duration in env",
			env:  []string{"NETBOX_AGENT_NETBOX_TIMEOUT=30"},
			want: `env NETBOX_AGENT_NETBOX_TIMEOUT: netbox.timeout: invalid duration "30" (examples: 90s, 5m, 1h30m, 30d)`,
		},
		{
			name: "unknown variable",
			env:  []string{"NETBOX_AGENT_NETBOX_BATCHSIZE=3"},
			want: `env NETBOX_AGENT_NETBOX_BATCHSIZE: unknown variable (did you mean NETBOX_AGENT_NETBOX_BATCH_SIZE?)`,
		},
		{
			name: "validation names the variable",
			env:  []string{"NETBOX_AGENT_NETBOX_BATCH_SIZE=0"},
			want: `env NETBOX_AGENT_NETBOX_BATCH_SIZE: netbox.batch_size: must be between 1 and 1000, got 0`,
		},
		{
			name:  "validation names the flag",
			flags: []string{"--log.level=loud"},
			want:  `flag --log.level: log.level: must be one of debug, info, warn, error, got "loud"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			RegisterFlags(fs)
			require.NoError(t, fs.Parse(tt.flags))
			_, err := Load("", fs, tt.env)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestDurationFlagRejectsGarbage(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	RegisterFlags(fs)
	err := fs.Parse([]string{"--netbox.orphan-grace=soon"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `invalid duration "soon"`)
}

func TestSourceEnvOverrides(t *testing.T) {
	path := writeFile(t, t.TempDir(), "agent.yaml", `
sources:
  - name: pve.lab
    type: proxmox
    url: https://pve.example.internal:8006
`)
	c, err := Load(path, nil, []string{
		"NETBOX_AGENT_SOURCES_PVE_LAB_ENABLED=false",
		"NETBOX_AGENT_SOURCES_PVE_LAB_TASK_QUEUE=lab",
		"NETBOX_AGENT_SOURCES_PVE_LAB_TOKEN_SECRET=not-checked-here",
	})
	require.NoError(t, err)
	require.Len(t, c.Sources, 1)
	assert.False(t, c.Sources[0].Enabled)
	assert.Equal(t, "lab", c.Sources[0].TaskQueue)
	assert.Empty(t, c.EnabledSources())

	_, err = Load(path, nil, []string{"NETBOX_AGENT_SOURCES_PVE_LAB_ENABLED=perhaps"})
	require.Error(t, err)
	assert.Equal(t, `env NETBOX_AGENT_SOURCES_PVE_LAB_ENABLED: sources[0].enabled: expected true or false, got "perhaps"`, err.Error())
}

func TestPath(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	RegisterFlags(fs)
	require.NoError(t, fs.Parse(nil))
	assert.Empty(t, Path(fs, nil))
	assert.Equal(t, "/etc/a.yaml", Path(fs, []string{"NETBOX_AGENT_CONFIG=/etc/a.yaml"}))
	require.NoError(t, fs.Parse([]string{"--config", "b.yaml"}))
	assert.Equal(t, "b.yaml", Path(fs, []string{"NETBOX_AGENT_CONFIG=/etc/a.yaml"}))
	assert.Equal(t, "/etc/a.yaml", Path(nil, []string{"NETBOX_AGENT_CONFIG=/etc/a.yaml"}))
}

func TestRegisterFlagsCoversEverySetting(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	RegisterFlags(fs)
	def := Default()
	for _, s := range Settings() {
		f := fs.Lookup(s.Flag)
		require.NotNil(t, f, s.Flag)
		assert.NotEmpty(t, s.Help, "setting %s has no help text", s.Path)
		assert.Contains(t, f.Usage, s.Env)
		// The default shown in --help is the value Default() holds.
		c := Default()
		require.NoError(t, setScalar(s.field(c), f.DefValue, ""), s.Flag)
		assert.Equal(t, s.field(def).Interface(), s.field(c).Interface(), s.Flag)
	}
	assert.NotNil(t, fs.Lookup("config"))
	assert.Len(t, Settings(), 61)
}
