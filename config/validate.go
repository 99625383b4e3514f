package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

var (
	sourceNameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	customFieldRE = regexp.MustCompile(`^[a-z0-9_]+$`)
)

// Validate checks every setting and returns all problems joined; each is a
// *FieldError naming the key path and, when known, where the value came from.
// Source types are checked against source.Types(), the registered types.
func (c *Config) Validate() error {
	return c.validate(source.Types())
}

// validator collects problems with the origin of each path.
type validator struct {
	c    *Config
	errs []error
}

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, fieldErr(v.c.origin(path), path, format, args...))
}

// origin is where the value at path came from; for a key the file lacks,
// the nearest enclosing mapping, so that "sources[2].name: must not be
// empty" still points at sources[2].
func (c *Config) origin(path string) string {
	for p := path; p != ""; p = parentPath(p) {
		if o, ok := c.origins[p]; ok {
			return o
		}
	}
	return ""
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// sortByLine orders problems found in the file by line, as a reader goes
// through it; problems from the environment and flags follow in their order.
func sortByLine(errs []error) {
	line := func(err error) int {
		var fe *FieldError
		if !errors.As(err, &fe) {
			return math.MaxInt
		}
		i := strings.LastIndexByte(fe.Origin, ':')
		if i < 0 || strings.HasPrefix(fe.Origin, "env ") || strings.HasPrefix(fe.Origin, "flag ") {
			return math.MaxInt
		}
		n, err := strconv.Atoi(fe.Origin[i+1:])
		if err != nil {
			return math.MaxInt
		}
		return n
	}
	slices.SortStableFunc(errs, func(a, b error) int { return line(a) - line(b) })
}

func (c *Config) validate(types []string) error {
	v := &validator{c: c}
	v.hostPort("temporal.address", c.Temporal.Address)
	v.nonEmpty("temporal.namespace", c.Temporal.Namespace)
	v.nonEmpty("temporal.task_queue", c.Temporal.TaskQueue)

	v.netBox(&c.NetBox)

	v.atLeast("sync.apply_concurrency", c.Sync.ApplyConcurrency, 1)
	v.positive("sync.discover_timeout", c.Sync.DiscoverTimeout)
	v.positive("sync.apply_timeout", c.Sync.ApplyTimeout)
	v.positive("sync.heartbeat_timeout", c.Sync.HeartbeatTimeout)
	v.positive("netbox.max_retry_after", c.NetBox.MaxRetryAfter)
	v.positive("sync.remote_start_timeout", c.Sync.RemoteStartTimeout)
	v.positive("sync.run_timeout", c.Sync.RunTimeout)
	if c.Review.Mode == ReviewRequired && c.Sync.RunTimeout.Duration <= c.Review.Timeout.Duration {
		v.add("sync.run_timeout", "must be longer than review.timeout (%s) when review is required, got %s", c.Review.Timeout, c.Sync.RunTimeout)
	}
	r := c.Sync.Retry
	v.positive("sync.retry.initial_interval", r.InitialInterval)
	if r.BackoffCoefficient < 1 {
		v.add("sync.retry.backoff_coefficient", "must be at least 1, got %s", ftoa(r.BackoffCoefficient))
	}
	if r.MaximumInterval.Duration < r.InitialInterval.Duration {
		v.add("sync.retry.maximum_interval", "must not be shorter than sync.retry.initial_interval (%s), got %s", r.InitialInterval, r.MaximumInterval)
	}
	v.atLeast("sync.retry.maximum_attempts", r.MaximumAttempts, 0)

	v.oneOf("review.mode", c.Review.Mode, ReviewNone, ReviewRequired)
	v.positive("review.timeout", c.Review.Timeout)
	if c.Review.PlanMaxAge.Duration < 0 {
		v.add("review.plan_max_age", "must not be negative, got %s", c.Review.PlanMaxAge)
	}
	if c.Review.Branch && c.Review.Mode != ReviewRequired {
		v.add("review.branch", "needs review.mode: required (a branch is merged once approved), got mode %q", c.Review.Mode)
	}

	v.merge(c.Merge, c.Sources)

	v.nonEmpty("data_dir", c.DataDir)
	v.blobURL("blob_url", c.BlobURL)
	v.blobRetention(c)
	v.hostPort("worker.listen", c.Worker.Listen)
	v.positive("worker.shutdown_timeout", c.Worker.ShutdownTimeout)
	v.atLeast("worker.memory_limit_mb", c.Worker.MemoryLimitMB, 0)
	if c.Worker.PprofListen != "" {
		v.hostPort("worker.pprof_listen", c.Worker.PprofListen)
		if host, _, err := net.SplitHostPort(c.Worker.PprofListen); err == nil && !isLoopback(host) {
			v.add("worker.pprof_listen", "%s is not a loopback address: profiles show the worker's memory, so they stay on this host", c.Worker.PprofListen)
		}
	}
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "json", "console")

	v.sources(c.Sources, types)
	v.security(c)
	sortByLine(v.errs)
	return errors.Join(v.errs...)
}

func (v *validator) netBox(nb *NetBox) {
	if nb.URL != "" {
		u, err := url.Parse(nb.URL)
		switch {
		case err != nil:
			v.add("netbox.url", "not a URL")
		case u.Scheme != "http" && u.Scheme != "https":
			v.add("netbox.url", "scheme must be http or https, got %q", u.Scheme)
		case u.Host == "":
			v.add("netbox.url", "missing host")
		case u.User != nil:
			v.add("netbox.url", "must not carry credentials; use %s or netbox.token_file", EnvNetBoxToken)
		case u.RawQuery != "" || u.Fragment != "":
			v.add("netbox.url", "must not have a query or fragment")
		}
	}
	if nb.InsecureSkipVerify && nb.CAFile != "" {
		v.add("netbox.insecure_skip_verify", "contradicts netbox.ca_file; set one of them")
	}
	v.positive("netbox.timeout", nb.Timeout)
	v.between("netbox.batch_size", nb.BatchSize, 1, 1000)
	v.between("netbox.page_size", nb.PageSize, 1, 1000)
	if nb.RateLimit < 0 {
		v.add("netbox.rate_limit", "must not be negative (0 = no limit), got %s", ftoa(nb.RateLimit))
	}
	v.atLeast("netbox.max_in_flight", nb.MaxInFlight, 1)
	if nb.OrphanGrace.Duration < 0 {
		v.add("netbox.orphan_grace", "must not be negative (0 = never delete), got %s", nb.OrphanGrace)
	}
	if nb.MassDeleteThreshold < 0 || nb.MassDeleteThreshold > 1 {
		v.add("netbox.mass_delete_threshold", "must be a fraction between 0 and 1, got %s", ftoa(nb.MassDeleteThreshold))
	}
	v.atLeast("netbox.mass_delete_max", nb.MassDeleteMax, 1)
	v.atLeast("netbox.mass_delete_floor", nb.MassDeleteFloor, 1)
	v.manualEdit(nb)
	v.adopt(nb)
	fields := map[string]int{}
	for i, cf := range nb.CustomFields {
		p := fmt.Sprintf("netbox.custom_fields[%d]", i)
		if cf.Attr == "" {
			v.add(p+".attr", "must not be empty")
		}
		name := cf.Field
		if name == "" {
			name = cf.Attr
		}
		switch {
		case name == "":
		case !customFieldRE.MatchString(name):
			v.add(p+".field", "%q is not a NetBox custom field name (lower-case letters, digits and _)", name)
		case strings.HasPrefix(name, "agent_"):
			v.add(p+".field", "%q: the agent_ prefix is reserved for the agent's own fields", name)
		default:
			if j, dup := fields[name]; dup {
				v.add(p+".field", "%q is already mapped by netbox.custom_fields[%d]", name, j)
			}
			fields[name] = i
		}
		for j, k := range cf.Kinds {
			if !inventory.Kind(k).Valid() {
				v.add(fmt.Sprintf("%s.kinds[%d]", p, j), "unknown kind %q (known: %s)", k, kindList())
			}
		}
		if cf.Type != "" {
			v.oneOf(p+".type", cf.Type, netbox.CustomFieldTypes()...)
		}
	}
}

// manualEdit checks on_manual_edit and its overrides, named as
// merge.authority names fields: "attr" or "kind.attr".
func (v *validator) manualEdit(nb *NetBox) {
	v.oneOf("netbox.on_manual_edit", nb.OnManualEdit, netbox.ManualEditPolicies()...)
	keys := make([]string, 0, len(nb.OnManualEditFields))
	for k := range nb.OnManualEditFields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := "netbox.on_manual_edit_fields." + k
		if err := netbox.CheckManualEditKey(k); err != nil {
			v.add(path, "%s", err.Error())
		}
		v.oneOf(path, nb.OnManualEditFields[k], netbox.ManualEditPolicies()...)
	}
}

// adopt checks netbox.adopt and its overrides per kind.
func (v *validator) adopt(nb *NetBox) {
	v.oneOf("netbox.adopt", nb.Adopt, netbox.AdoptPolicies()...)
	keys := make([]string, 0, len(nb.AdoptKinds))
	for k := range nb.AdoptKinds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := "netbox.adopt_kinds." + k
		if err := netbox.CheckAdoptKind(inventory.Kind(k)); err != nil {
			v.add(path, "%s", err.Error())
		}
		v.oneOf(path, nb.AdoptKinds[k], netbox.AdoptPolicies()...)
	}
}

func (v *validator) sources(srcs []Source, types []string) {
	names := map[string]string{}
	envNames := map[string]string{}
	for i, s := range srcs {
		p := s.path
		if p == "" {
			p = fmt.Sprintf("sources[%d]", i)
		}
		switch {
		case s.Name == "":
			v.add(p+".name", "must not be empty")
		case !sourceNameRE.MatchString(s.Name):
			v.add(p+".name", "%q: use letters, digits, '-', '_' and '.', starting with a letter or digit", s.Name)
		default:
			if other, dup := names[s.Name]; dup {
				v.add(p+".name", "%q is already the name of %s", s.Name, other)
			} else if other, clash := envNames[envWord(s.Name)]; clash {
				v.add(p+".name", "%q has the same environment variables (%s) as %s", s.Name, EnvPrefix+"SOURCES_"+envWord(s.Name)+"_*", other)
			}
			names[s.Name] = p
			envNames[envWord(s.Name)] = p
		}
		switch {
		case s.Type == "":
			v.add(p+".type", "must not be empty (known: %s)", strings.Join(types, ", "))
		case !slices.Contains(types, s.Type):
			v.add(p+".type", "unknown source type %q (known: %s)", s.Type, strings.Join(types, ", "))
		}
		if s.TaskQueue == "" {
			v.add(p+".task_queue", "must not be empty")
		}
	}
}

func (v *validator) nonEmpty(path, s string) {
	if strings.TrimSpace(s) == "" {
		v.add(path, "must not be empty")
	}
}

func (v *validator) hostPort(path, s string) {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		v.add(path, "expected host:port, got %q", s)
		return
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		v.add(path, "invalid port %q", port)
	}
}

// blobRetention: a run's blobs must outlive the longest a run can take
// and a saved plan can wait, or a run could lose its inventory or plan.
func (v *validator) blobRetention(c *Config) {
	r := c.BlobRetention.Duration
	switch {
	case r < 0:
		v.add("blob_retention", "must not be negative, got %s", c.BlobRetention)
	case r > 0 && r <= c.Sync.RunTimeout.Duration:
		v.add("blob_retention", "must be longer than sync.run_timeout (%s), got %s", c.Sync.RunTimeout, c.BlobRetention)
	case r > 0 && r <= c.Review.PlanMaxAge.Duration:
		v.add("blob_retention", "must be longer than review.plan_max_age (%s), got %s", c.Review.PlanMaxAge, c.BlobRetention)
	}
}

func (v *validator) positive(path string, d Duration) {
	if d.Duration <= 0 {
		v.add(path, "must be positive, got %s", d)
	}
}

func (v *validator) atLeast(path string, n, lo int) {
	if n < lo {
		v.add(path, "must be at least %d, got %d", lo, n)
	}
}

func (v *validator) between(path string, n, lo, hi int) {
	if n < lo || n > hi {
		v.add(path, "must be between %d and %d, got %d", lo, hi, n)
	}
}

func (v *validator) oneOf(path, s string, allowed ...string) {
	if !slices.Contains(allowed, s) {
		v.add(path, "must be one of %s, got %q", strings.Join(allowed, ", "), s)
	}
}

func (v *validator) blobURL(path, s string) {
	if s == "" {
		// Empty means the default under data_dir, which Load fills in.
		return
	}
	u, err := url.Parse(s)
	if err != nil {
		v.add(path, "expected a URL such as file:///var/lib/netbox-agent/blobs or mem://")
		return
	}
	switch u.Scheme {
	case "file":
		if u.Path == "" {
			v.add(path, "file URL needs a path, such as file:///var/lib/netbox-agent/blobs")
		}
	case "s3":
		// the blob store links gocloud.dev/blob/s3blob: the host is the
		// bucket, the query its options (region, endpoint, ...)
		if u.Host == "" {
			v.add(path, "s3 URL needs a bucket, such as s3://netbox-agent?region=eu-west-1")
		}
	case "mem":
	default:
		v.add(path, "scheme must be file, mem or s3, got %q", u.Scheme)
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func kindList() string {
	ks := make([]string, len(inventory.Kinds()))
	for i, k := range inventory.Kinds() {
		ks[i] = string(k)
	}
	return strings.Join(ks, ", ")
}

// isLoopback reports whether host names this machine only.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
