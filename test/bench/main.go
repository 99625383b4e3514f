// Command bench is netbox-agent's scale benchmark. It runs the whole
// SyncWorkflow as real processes: the Temporal CLI's dev server, the NetBox
// emulator with a per-request latency, and the worker binary reading a
// generated inventory through the filesystem source. For each size it
// measures a first sync, an unchanged re-sync and a re-sync with a share of
// the objects changed, and prints one table:
//
//	go run ./test/bench --sizes 1000,6000,100000 --repeat 3 --markdown bench.md
//	go run ./test/bench --quick
//
// The binaries come from `make build` (.bin/); docs/PERFORMANCE.md explains
// the method and the figures.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/netbox-agent/netbox-agent/test/bench/gen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the benchmark's flags.
type options struct {
	sizes      []sizeSpec
	cases      []string
	repeat     int
	seed       uint64
	changed    float64
	format     string
	cost       simCost
	real       bool
	runDir     string
	timeout    time.Duration
	temporal   string
	worker     string
	netboxsim  string
	markdown   string
	jsonOut    string
	predict    string
	fit        string
	floorBatch int
	workerEnv  []string
	keep       bool
	diskDB     bool
	profile    string
}

// rawFlags are the flags that parseFlags reads into options after
// applying the defaults that depend on other flags.
type rawFlags struct {
	sizes, cases, netbox string
	quick, floor         bool
}

func parseFlags(args []string) (options, error) {
	var o options
	var raw rawFlags
	fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
	fs.StringVar(&raw.sizes, "sizes", "1000,6000,100000", "inventory sizes in NetBox objects, comma-separated; SIZExN runs that size N times instead of --repeat (--netbox real: 1000,6000)")
	fs.StringVar(&raw.cases, "cases", "first,unchanged,changed", "cases of every size, comma-separated: first, unchanged, changed (--netbox real: first,unchanged)")
	fs.BoolVar(&raw.quick, "quick", false, "CI-friendly: --sizes 1000 --repeat 1 unless given")
	fs.BoolVar(&raw.floor, "floor", false, "also load each size's objects into an empty NetBox with plain bulk POSTs, the floor a first sync is held to (default with --netbox real)")
	fs.StringVar(&raw.netbox, "netbox", "sim", "NetBox to sync to: sim (netboxsim, started by the bench) or real (the one NETBOX_URL, NETBOX_TOKEN and NETBOX_RESET_CMD name)")
	fs.StringVar(&o.runDir, "netbox-run-dir", defaultRunDir(), "with --netbox real: the directory of NetBox's PID files (gunicorn.pid, postgres.pid, redis.pid), for its CPU time")
	fs.IntVar(&o.repeat, "repeat", 3, "runs of each case; the table shows the median wall time (--netbox real: 1)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the generated inventory")
	fs.Float64Var(&o.changed, "changed", 0.01, "share of objects modified in the changed case")
	fs.StringVar(&o.format, "format", "json", "inventory file format: json or yaml")
	fs.DurationVar(&o.cost.perRequest, "latency", 5*time.Millisecond, "netboxsim delay per request")
	fs.DurationVar(&o.cost.perWrite, "latency-per-write", 0, "netboxsim delay per object a request writes")
	fs.DurationVar(&o.cost.perRead, "latency-per-read", 0, "netboxsim delay per object a request reads")
	fs.IntVar(&o.cost.slots, "latency-slots", 0, "netboxsim requests that wait out their delays at once; the others queue (0: no limit)")
	fs.DurationVar(&o.timeout, "timeout", time.Hour, "give up on one sync after this long")
	fs.StringVar(&o.temporal, "temporal", ".bin/temporal", "the temporal CLI")
	fs.StringVar(&o.worker, "worker", ".bin/worker", "the worker binary (make build)")
	fs.IntVar(&o.floorBatch, "floor-batch", floorBatch, "objects per bulk request of the floor")
	fs.StringVar(&o.netboxsim, "netboxsim", ".bin/netboxsim", "the netboxsim binary (make build)")
	fs.StringVar(&o.markdown, "markdown", "", "also write the table as markdown to this file")
	fs.StringVar(&o.jsonOut, "json", "", "also write every measurement as JSON to this file")
	fs.StringVar(&o.predict, "predict", "", "compare the figures with those of an earlier run's --json file (the real NetBox's), case by case")
	fs.StringVar(&o.fit, "fit", "", "fit the emulator's cost model to the timed requests of an earlier --netbox real run's --json file, print its flags and exit")
	fs.StringArrayVar(&o.workerEnv, "worker-env", nil, "extra NAME=VALUE for the worker's environment (NETBOX_AGENT_NETBOX_BATCH_SIZE=500, GOMEMLIMIT=350MiB), repeatable")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (logs, inventories, blobs)")
	fs.BoolVar(&o.diskDB, "temporal-db-file", false, "keep Temporal's state in an SQLite file instead of memory")
	fs.StringVar(&o.profile, "profile", "", "run the worker inside the harness and write CPU and heap profiles of each case to this directory")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if err := o.apply(fs, raw); err != nil {
		return o, err
	}
	return o, o.check()
}

// apply reads the raw flags into o, with the defaults of --quick and
// --netbox real for the flags not given.
func (o *options) apply(fs *pflag.FlagSet, raw rawFlags) error {
	switch raw.netbox {
	case "sim":
	case "real":
		o.real = true
		if !fs.Changed("sizes") {
			raw.sizes = "1000,6000"
		}
		if !fs.Changed("cases") {
			raw.cases = "first,unchanged"
		}
		if !fs.Changed("repeat") {
			o.repeat = 1
		}
		if !fs.Changed("floor") {
			raw.floor = true
		}
	default:
		return fmt.Errorf("--netbox: %q is neither sim nor real", raw.netbox)
	}
	if raw.quick {
		if !fs.Changed("sizes") {
			raw.sizes = "1000"
		}
		if !fs.Changed("repeat") {
			o.repeat = 1
		}
	}
	if o.repeat < 1 {
		return errors.New("--repeat: want at least 1")
	}
	for s := range strings.SplitSeq(raw.sizes, ",") {
		spec, err := parseSize(s, o.repeat)
		if err != nil {
			return fmt.Errorf("--sizes: %w", err)
		}
		o.sizes = append(o.sizes, spec)
	}
	if raw.floor {
		o.cases = append(o.cases, caseFloor)
	}
	for c := range strings.SplitSeq(raw.cases, ",") {
		name, ok := map[string]string{"first": caseFirst, "unchanged": caseUnchanged, "changed": caseChanged}[strings.TrimSpace(c)]
		if !ok {
			return fmt.Errorf("--cases: %q is not one of first, unchanged, changed", c)
		}
		o.cases = append(o.cases, name)
	}
	return nil
}

// check validates the options and resolves the binaries' paths.
func (o *options) check() error {
	if o.floorBatch < 1 {
		return errors.New("--floor-batch: want at least 1")
	}
	if o.changed <= 0 || o.changed > 1 {
		return errors.New("--changed: want a share above 0 and at most 1")
	}
	for _, kv := range o.workerEnv {
		if name, _, ok := strings.Cut(kv, "="); !ok || name == "" {
			return fmt.Errorf("--worker-env: %q is not NAME=VALUE", kv)
		}
	}
	for _, p := range []*string{&o.temporal, &o.worker, &o.netboxsim} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return fmt.Errorf("resolve %s: %w", *p, err)
		}
		*p = abs
	}
	return nil
}

// defaultRunDir is where test/realnetbox/netbox.sh keeps its PID files.
func defaultRunDir() string {
	cache := os.Getenv("NETBOX_AGENT_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		cache = filepath.Join(home, ".cache", "netbox-agent")
	}
	return filepath.Join(cache, "run")
}

func run(args []string) error {
	o, err := parseFlags(args)
	if errors.Is(err, pflag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.fit != "" {
		cost, n, err := fitCost(o.fit)
		if err != nil {
			return err
		}
		fmt.Printf("fitted to %d requests: %s\n", n, strings.Join(cost.args(), " "))
		return nil
	}
	bins := []string{o.temporal}
	if !o.real {
		bins = append(bins, o.netboxsim)
	}
	if o.profile == "" {
		bins = append(bins, o.worker)
	}
	for _, p := range bins {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%w (run `make build tools`, or name it with a flag)", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dir, err := os.MkdirTemp("", "netbox-agent-bench-")
	if err != nil {
		return fmt.Errorf("create work directory: %w", err)
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "work directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	b, err := newBench(ctx, o, dir)
	if err != nil {
		return err
	}
	defer b.close()

	var all []measurement
	for _, size := range o.sizes {
		ms, err := b.size(ctx, size)
		all = append(all, ms...)
		if err != nil {
			fmt.Fprintf(os.Stderr, "size %d: %s\n", size.objects, err.Error())
		}
		if ctx.Err() != nil {
			break
		}
	}
	if err := report(all, o, b.nb.Describe()); err != nil {
		return err
	}
	return ctx.Err()
}

// sizeSpec is one inventory size and how often its cases run.
type sizeSpec struct {
	objects int
	repeat  int
}

// parseSize reads "6000" or "100000x1" (a size with its own repeat count).
func parseSize(s string, repeat int) (sizeSpec, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	spec := sizeSpec{repeat: repeat}
	n, r, hasRepeat := strings.Cut(s, "x")
	var err error
	if spec.objects, err = strconv.Atoi(n); err != nil || spec.objects < gen.MinObjects {
		return spec, fmt.Errorf("%q is not a size of at least %d objects", s, gen.MinObjects)
	}
	if hasRepeat {
		if spec.repeat, err = strconv.Atoi(r); err != nil || spec.repeat < 1 {
			return spec, fmt.Errorf("%q: the repeat count after x must be at least 1", s)
		}
	}
	return spec, nil
}

func newToken() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
