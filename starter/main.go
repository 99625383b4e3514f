// Command starter starts and inspects netbox-agent syncs: one-off runs,
// schedules, progress, and saved plans.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	_ "github.com/netbox-agent/netbox-agent/activities/source/all" // the config names source types
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/workflows"
)

const usage = `usage: starter <command> [flags]

commands:
  sync                    start a sync (--dry-run, --sources a,b, --wait)
  plan [--output json]    plan (discover, merge, plan; write nothing), print the diff and the plan's ID
  apply --plan ID         apply a saved plan exactly as it was made (--wait)
  status [--id ID]        show the progress of the running sync (or of ID)
  plan show WORKFLOW-ID   print the plan of a run as a table
  approve WORKFLOW-ID     approve the plan a run waits with (review.mode: required)
  reject WORKFLOW-ID      reject it: the run ends with nothing written
  schedule create|update|ensure|describe|pause|unpause|trigger|delete
                          manage the Temporal schedule of periodic syncs
                          (ensure: update it, or create it when there is none)
  explain KIND NAME-OR-KEY which sources reported an object, how they were matched,
                          where each field came from and what the last runs did to it
  codec-server            serve the payload codec (POST /encode, /decode) for the
                          Web UI and "temporal ... --codec-endpoint"

Every command takes the configuration flags (--config, --temporal.address, ...);
"starter <command> --help" lists them.
`

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(1)
	}
}

// app is what every command shares: the config, one logger and one
// Temporal client.
type app struct {
	cfg *config.Config
	log *zap.Logger
	tc  client.Client
	out io.Writer
}

type command struct {
	flags func(fs *pflag.FlagSet) func(ctx context.Context, a *app, args []string) error
	// offline commands do not talk to Temporal: app.tc is nil.
	offline bool
}

var commands = map[string]command{
	"sync":         {flags: syncFlags},
	"apply":        {flags: applyFlags},
	"status":       {flags: statusFlags},
	"plan":         {flags: planFlags},
	"schedule":     {flags: scheduleFlags},
	"approve":      {flags: decideFlags(workflows.ApproveUpdate)},
	"reject":       {flags: decideFlags(workflows.RejectUpdate)},
	"codec-server": {flags: codecServerFlags, offline: true},
	"explain":      {flags: explainFlags},
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, usage)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return fmt.Errorf("unknown command %q\n%s", args[0], usage)
	}
	fs := pflag.NewFlagSet("starter "+args[0], pflag.ContinueOnError)
	fs.SetOutput(out)
	exec := cmd.flags(fs)
	config.RegisterFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return err
	}
	cfg, err := config.Load(config.Path(fs, os.Environ()), fs, os.Environ())
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	log, err := cfg.Log.NewLogger()
	if err != nil {
		return err
	}
	defer log.Sync() // a failed flush at exit has nowhere to be reported
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{cfg: cfg, log: log, out: out}
	if !cmd.offline {
		// The starter talks to people: keep the SDK's own chatter out of it.
		if a.tc, err = cfg.DialTemporal(ctx, log.WithOptions(zap.IncreaseLevel(zap.WarnLevel)), nil); err != nil {
			return err
		}
		defer a.tc.Close()
	}
	return exec(ctx, a, fs.Args())
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
