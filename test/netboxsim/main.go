// Command netboxsim serves the NetBox emulator, as one release from 4.3 to 4.7:
//
//	go run ./test/netboxsim --listen 127.0.0.1:8001 --token <40 hex> [--netbox-version 4.7]
//
// It prints the URL it listens on and stops on SIGINT or SIGTERM, saving its state first when
// --state-file is set (and loading it at start).
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "netboxsim:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := pflag.String("listen", "127.0.0.1:8001", "address to listen on")
	token := pflag.String("token", "", "API token (40 hex digits); also accepted as Bearer "+nbsim.BearerToken("<token>"))
	latency := pflag.Duration("latency", 0, "delay added to every API request")
	perWrite := pflag.Duration("latency-per-write", 0, "delay added to a write for every object of its body")
	perRead := pflag.Duration("latency-per-read", 0, "delay added to a list for every object of its answer")
	slots := pflag.Int("latency-slots", 0, "at most this many requests wait out their delays at once (0: no limit)")
	errorRate := pflag.Float64("error-rate", 0, "share of API requests answered 500, 502 or 503")
	stateFile := pflag.String("state-file", "", "JSON file the state is loaded from at start and saved to at exit")
	seed := pflag.Int64("seed", 1, "seed of the fault injection")
	version := pflag.String("netbox-version", nbsim.DefaultVersion, "NetBox release to emulate: "+strings.Join(nbsim.Versions(), ", "))
	cpuProfile := pflag.String("cpu-profile", "", "write a CPU profile of the emulator's whole run to this file")
	pflag.Parse()
	if *token == "" {
		return errors.New("--token is required")
	}
	if err := nbsim.CheckVersion(*version); err != nil {
		return fmt.Errorf("--netbox-version: %w", err)
	}

	sim := nbsim.New(nbsim.Options{Version: *version, Token: *token, Latency: *latency,
		LatencyPerWrite: *perWrite, LatencyPerRead: *perRead, LatencySlots: *slots, StateFile: *stateFile, Seed: *seed})
	if *errorRate > 0 {
		sim.SetFaults(nbsim.Faults{ErrorRate: *errorRate})
	}
	if *stateFile != "" {
		if err := sim.Load(); err != nil {
			return fmt.Errorf("load state: %w", err)
		}
	}

	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("netboxsim emulates NetBox %s\n", sim.Version())
	fmt.Printf("netboxsim listening on http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if *stateFile != "" {
		if err := sim.Save(); err != nil {
			return fmt.Errorf("save state: %w", err)
		}
	}
	return nil
}

// startCPUProfile profiles the process into path until the function it
// returns is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(fmt.Errorf("--cpu-profile: %w", err), f.Close())
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "netboxsim: close the CPU profile: %s\n", err)
		}
	}, nil
}
