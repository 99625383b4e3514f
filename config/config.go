// Package config reads netbox-agent's one YAML file, layers environment
// variables and flags over it and validates the result.
//
// Precedence, lowest first: defaults, the file, NETBOX_AGENT_* environment
// variables, flags that were set. Every scalar setting has a dotted path
// (netbox.batch_size), an environment variable (NETBOX_AGENT_NETBOX_BATCH_SIZE)
// and a flag (--netbox.batch-size). Decoding is strict: an unknown key or a
// value of the wrong type is an error that names the file, line and key path.
// Secrets are never part of Config: they come from the environment or from
// files named by *_file settings, and are read only when needed.
package config

import (
	"os"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Config is the effective configuration of a worker or starter.
type Config struct {
	Temporal Temporal `yaml:"temporal"`
	NetBox   NetBox   `yaml:"netbox"`
	Sync     Sync     `yaml:"sync"`
	Review   Review   `yaml:"review"`
	Merge    Merge    `yaml:"merge"`
	// DataDir holds local state (blobs by default). Relative paths are
	// resolved against the config file's directory; Load makes it absolute.
	DataDir string `yaml:"data_dir" help:"directory for local state, relative to the config file"`
	// BlobURL locates the claim-check store: file:///path, mem://, s3://bucket.
	BlobURL string `yaml:"blob_url" help:"claim-check store URL (default file://<data_dir>/blobs; mem:// for tests)"`
	// BlobRetention is how long a run's blobs are kept after its last one
	// was written; each run's end deletes older runs' blobs (0 = keep all).
	BlobRetention Duration `yaml:"blob_retention" help:"how long the blobs of a finished run are kept (0 = forever)"`
	Worker        Worker   `yaml:"worker"`
	Log           Log      `yaml:"log"`
	// CodecServer serves Temporal's remote codec protocol, so that the Web
	// UI and the CLI show encrypted payloads in clear to those allowed.
	CodecServer CodecServer `yaml:"codec_server"`
	// StrictSecretFiles makes a secret file that group or others can read
	// an error instead of a warning.
	StrictSecretFiles bool `yaml:"strict_secret_files" help:"refuse secret files readable by group or others instead of warning"`
	// Sources lists the discovery source instances; the list comes from the
	// file only (no flag or variable builds a list).
	Sources []Source `yaml:"sources"`

	baseDir   string
	file      string
	lookupEnv func(string) (string, bool)
	// deprecations are the warnings about deprecated values Load read.
	deprecations []string
	// origins maps a setting's path to where its value came from
	// ("netbox-agent.yaml:12", "env NETBOX_AGENT_NETBOX_URL", "flag --netbox.url"),
	// so that validation errors point at the place to fix.
	origins map[string]string
}

// Temporal says how to reach the Temporal service.
type Temporal struct {
	Address   string `yaml:"address" help:"Temporal frontend host:port"`
	Namespace string `yaml:"namespace" help:"Temporal namespace"`
	TaskQueue string `yaml:"task_queue" help:"task queue of the sync workflow and its activities"`
	// TLS secures the connection to the frontend (docs/security.md).
	TLS TemporalTLS `yaml:"tls"`
	// APIKeyFile names a file holding an API key (Temporal Cloud), sent as
	// a bearer token; the environment variable NETBOX_AGENT_TEMPORAL_API_KEY
	// takes precedence. An API key implies TLS.
	APIKeyFile string `yaml:"api_key_file" help:"file holding a Temporal API key, re-read when it changes; implies TLS (env NETBOX_AGENT_TEMPORAL_API_KEY wins)"`
	// AllowPlaintext lets the client talk to a frontend that is not on
	// loopback without TLS; each start warns about it.
	AllowPlaintext bool `yaml:"allow_plaintext" help:"allow a connection without TLS to a frontend not on loopback (warned on each start)"`
	// Encryption encrypts every payload the agent hands to Temporal.
	Encryption Encryption `yaml:"encryption"`
}

// NetBox says how to reach NetBox and how carefully to write to it.
type NetBox struct {
	URL string `yaml:"url" help:"NetBox base URL (http or https)"`
	// TokenFile names a file holding the API token; the environment
	// variable NETBOX_AGENT_NETBOX_TOKEN takes precedence. See NetBoxToken.
	TokenFile          string   `yaml:"token_file" help:"file holding the NetBox API token (env NETBOX_AGENT_NETBOX_TOKEN wins)"`
	CAFile             string   `yaml:"ca_file" help:"PEM bundle to verify NetBox's certificate"`
	InsecureSkipVerify bool     `yaml:"insecure_skip_verify" help:"skip TLS certificate verification (testing only)"`
	AllowPlaintext     bool     `yaml:"allow_plaintext" help:"allow an http:// URL to a NetBox not on loopback (warned on each start)"`
	Timeout            Duration `yaml:"timeout" help:"timeout of one NetBox request"`
	BatchSize          int      `yaml:"batch_size" help:"objects per bulk write"`
	PageSize           int      `yaml:"page_size" help:"objects per page when reading"`
	RateLimit          float64  `yaml:"rate_limit" help:"maximum NetBox requests per second (0 = no limit)"`
	MaxInFlight        int      `yaml:"max_in_flight" help:"maximum concurrent NetBox requests per worker"`
	// Adopt is what becomes of an object made by hand in NetBox that is the
	// same thing as a record (same serial, MAC, or name in its scope):
	// never, report or auto. true and false, its old values, still read
	// as auto and never, with a warning (Deprecations). See docs/merge.md.
	Adopt string `yaml:"adopt" help:"an object made by hand that matches a record: never, report or auto"`
	// AdoptKinds overrides Adopt per kind ("device: auto").
	AdoptKinds  map[string]string `yaml:"adopt_kinds"`
	OrphanGrace Duration          `yaml:"orphan_grace" help:"how long an orphan stays marked before deletion (0 = never delete)"`
	// MassDeleteThreshold blocks the orphaning of one kind of one source
	// when more than this share of its baseline would go (and more than
	// MassDeleteFloor objects); MassDeleteMax blocks it when more than that
	// many would go, whatever the share. See docs/workflow.md.
	MassDeleteThreshold float64 `yaml:"mass_delete_threshold" help:"share of one source's objects of one kind above which their orphaning is blocked"`
	MassDeleteMax       int     `yaml:"mass_delete_max" help:"number of one source's objects of one kind above which their orphaning is blocked"`
	MassDeleteFloor     int     `yaml:"mass_delete_floor" help:"objects of one kind that may go before mass_delete_threshold applies"`
	// MaxRetryAfter caps the wait NetBox's Retry-After asks for.
	MaxRetryAfter Duration `yaml:"max_retry_after" help:"longest wait a Retry-After from NetBox gets; longer ones are cut to it"`
	// OnManualEdit is what the agent does with a field an operator changed
	// in NetBox: keep it (and report it), overwrite it, or report every
	// difference and write the field on create only. See docs/merge.md.
	OnManualEdit string `yaml:"on_manual_edit" help:"a field edited by hand in NetBox: keep, overwrite or report"`
	// OnManualEditFields overrides OnManualEdit per field ("description")
	// or per kind and field ("device.serial", which wins).
	OnManualEditFields map[string]string `yaml:"on_manual_edit_fields"`
	// CustomFields maps record attributes to additional NetBox custom fields.
	CustomFields []CustomField `yaml:"custom_fields"`
}

// CustomField maps a record attribute to a NetBox custom field, which the
// agent creates when it is missing.
type CustomField struct {
	// Attr is the record attribute ("pool_health").
	Attr string `yaml:"attr"`
	// Field is the NetBox custom field name (default: Attr).
	Field string `yaml:"field"`
	// Kinds limits the mapping to these record kinds ("device"); empty = all
	// kinds that carry the attribute.
	Kinds []string `yaml:"kinds"`
	// Type is the NetBox custom field type (default: text).
	Type string `yaml:"type"`
}

// Sync tunes the sync workflow.
type Sync struct {
	ApplyConcurrency int      `yaml:"apply_concurrency" help:"apply batches in flight at once"`
	DiscoverTimeout  Duration `yaml:"discover_timeout" help:"start-to-close timeout of one discovery attempt"`
	ApplyTimeout     Duration `yaml:"apply_timeout" help:"start-to-close timeout of one apply batch attempt"`
	HeartbeatTimeout Duration `yaml:"heartbeat_timeout" help:"heartbeat timeout of long activities"`
	// RemoteStartTimeout bounds how long a discovery waits for a worker on
	// its source's own task queue; past it that source fails and the run
	// goes on with the others.
	RemoteStartTimeout Duration `yaml:"remote_start_timeout" help:"how long a discovery on a source's own task queue waits for a worker to take it"`
	// RunTimeout bounds one run of the sync workflow (each continue-as-new
	// starts a new one); the starter and the schedule set it.
	RunTimeout Duration    `yaml:"run_timeout" help:"longest a sync run may take before Temporal ends it"`
	Retry      RetryPolicy `yaml:"retry"`
}

// Review says whether a run waits for an operator's approval between its
// plan and its first write, and how long a plan stays good.
type Review struct {
	// Mode is "none" (runs write what they plan) or "required" (a run that
	// plans changes waits for an approve or reject before it writes).
	Mode string `yaml:"mode" help:"none, or required: a run that plans changes waits for approval before writing"`
	// Timeout is how long a run waits; then its plan expires, unwritten.
	Timeout Duration `yaml:"timeout" help:"how long a run waits for approval before its plan expires"`
	// PlanMaxAge is the age past which a saved plan is no longer applied.
	PlanMaxAge Duration `yaml:"plan_max_age" help:"oldest saved plan a run applies (0 = any age)"`
	// Branch, with mode required, writes a run's changes into a new branch
	// of NetBox's netbox-branching plugin, reviewed in NetBox's UI, and
	// merges it into main once approved.
	Branch bool `yaml:"branch" help:"with mode required: write into a netbox-branching branch, merged once approved"`
	// Journal adds a NetBox journal entry to each object a run creates,
	// updates or marks as an orphan: the run and batch, each field written
	// with its new (and old) value, and the source that gave it.
	Journal bool `yaml:"journal" help:"add a journal entry to each object a run writes: run, batch, fields, values and sources"`
}

// The review modes.
const (
	ReviewNone     = "none"
	ReviewRequired = "required"
)

// RetryPolicy is the activity retry policy of the sync workflow.
type RetryPolicy struct {
	InitialInterval    Duration `yaml:"initial_interval" help:"delay before the first retry"`
	BackoffCoefficient float64  `yaml:"backoff_coefficient" help:"factor by which the retry delay grows"`
	MaximumInterval    Duration `yaml:"maximum_interval" help:"longest delay between retries"`
	MaximumAttempts    int      `yaml:"maximum_attempts" help:"attempts before an activity fails for good (0 = unlimited)"`
}

// DefaultMemoryLimitMB is the worker's default soft memory limit. A sync
// of 100,000 objects holds at most about 150 MB live (docs/PERFORMANCE.md);
// without a limit Go lets the heap grow to twice that and more between
// collections; with it the collector runs a little sooner, for a few per
// cent more CPU, and the worker stays under 400 MB. Larger inventories
// need more: about 3.5 MiB per 1,000 objects.
const DefaultMemoryLimitMB = 350

// Worker configures the worker process itself.
type Worker struct {
	Listen          string   `yaml:"listen" help:"address of /healthz, /readyz and /metrics"`
	ShutdownTimeout Duration `yaml:"shutdown_timeout" help:"how long running activities get to finish on SIGTERM"`
	// MemoryLimitMB is Go's soft memory limit (GOMEMLIMIT): past it the
	// collector works harder instead of letting the heap double. The
	// default keeps a worker of 100,000 objects under 400 MB.
	MemoryLimitMB int `yaml:"memory_limit_mb" help:"soft memory limit of the worker in MiB (0 = none; GOMEMLIMIT in the environment wins)"`
	// PprofListen serves net/http/pprof, for profiling a worker in place.
	PprofListen string `yaml:"pprof_listen" help:"address serving net/http/pprof, loopback only (empty = off)"`
}

// Log configures the logger.
type Log struct {
	Level  string `yaml:"level" help:"log level: debug, info, warn or error"`
	Format string `yaml:"format" help:"log format: json or console"`
}

// Default returns the configuration used where nothing else is said.
// DataDir is still relative and BlobURL empty: Load resolves both.
func Default() *Config {
	return &Config{
		Temporal: Temporal{
			Address:   "127.0.0.1:7233",
			Namespace: "default",
			TaskQueue: "netbox-agent",
		},
		NetBox: NetBox{
			Timeout:             Duration{30 * second},
			BatchSize:           100,
			PageSize:            1000,
			MaxInFlight:         4,
			Adopt:               "report",
			OrphanGrace:         Duration{30 * day},
			MassDeleteThreshold: 0.10,
			MassDeleteMax:       50,
			MassDeleteFloor:     3,
			MaxRetryAfter:       Duration{minute},
			OnManualEdit:        "keep",
		},
		Sync: Sync{
			ApplyConcurrency:   4,
			DiscoverTimeout:    Duration{10 * minute},
			ApplyTimeout:       Duration{5 * minute},
			HeartbeatTimeout:   Duration{minute},
			RemoteStartTimeout: Duration{5 * minute},
			RunTimeout:         Duration{6 * hour},
			Retry: RetryPolicy{
				InitialInterval:    Duration{second},
				BackoffCoefficient: 2,
				MaximumInterval:    Duration{minute},
				MaximumAttempts:    5,
			},
		},
		Review: Review{
			Mode:       ReviewNone,
			Timeout:    Duration{day},
			PlanMaxAge: Duration{day},
		},
		Merge:         Merge{MACOverlap: inventory.DefaultMACOverlap},
		DataDir:       "./data",
		BlobRetention: Duration{14 * day},
		Worker: Worker{
			Listen:          "127.0.0.1:9464",
			ShutdownTimeout: Duration{30 * second},
			MemoryLimitMB:   DefaultMemoryLimitMB,
		},
		Log:         Log{Level: "info", Format: "console"},
		CodecServer: CodecServer{Listen: "127.0.0.1:8089"},
	}
}

// BaseDir is the directory relative paths in the configuration refer to:
// the config file's directory, or the working directory without a file.
func (c *Config) BaseDir() string { return c.baseDir }

// Deprecations lists the deprecated values the configuration holds, a
// line each, naming the key, where it was set and what to write instead;
// the worker warns about each on start and --check-config prints them.
func (c *Config) Deprecations() []string { return c.deprecations }

// File is the config file Load read, or "" when there was none.
func (c *Config) File() string { return c.file }

// EnabledSources returns the sources that are enabled, in file order.
func (c *Config) EnabledSources() []Source {
	var out []Source
	for _, s := range c.Sources {
		if s.Enabled {
			out = append(out, s)
		}
	}
	return out
}

// Source returns the source instance named name.
func (c *Config) Source(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

func (c *Config) env(name string) (string, bool) {
	if c.lookupEnv != nil {
		return c.lookupEnv(name)
	}
	return os.LookupEnv(name)
}
