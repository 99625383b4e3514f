package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// netboxTarget is the NetBox the syncs write to: the emulator, or a real
// NetBox behind a counting proxy.
type netboxTarget interface {
	// URL and Token are what the worker and the floor loader are given.
	URL() string
	Token() string
	// Describe names the target in the table's title.
	Describe() string
	// Reset empties NetBox.
	Reset(ctx context.Context) error
	// Requests returns the API requests served so far, by method, and
	// their total.
	Requests(ctx context.Context) (map[string]int, int, error)
	// CPU returns the CPU time NetBox's processes have used so far.
	CPU() (netboxCPU, error)
	// TakeCalls returns the requests timed since the last call; none
	// when the target does not time them.
	TakeCalls() []call
	Close() error
}

// netboxCPU is the CPU time of NetBox's processes: App is the web server
// (gunicorn and its workers, or the emulator), Jobs the background worker
// (rqworker, which renders config contexts after devices and VMs change),
// DB the database and cache (PostgreSQL and Redis). The emulator has only
// App.
type netboxCPU struct {
	App  time.Duration `json:"app"`
	Jobs time.Duration `json:"jobs"`
	DB   time.Duration `json:"db"`
}

func (c netboxCPU) sub(before netboxCPU) netboxCPU {
	return netboxCPU{App: c.App - before.App, Jobs: c.Jobs - before.Jobs, DB: c.DB - before.DB}
}

// Total is the CPU time of every NetBox process.
func (c netboxCPU) Total() time.Duration { return c.App + c.Jobs + c.DB }

// Web is the CPU time of the web server and the background worker.
func (c netboxCPU) Web() time.Duration { return c.App + c.Jobs }

// simCost is the emulator's cost model: a delay per request, per object
// written and per object read, waited out in at most slots requests at
// once (0: no limit).
type simCost struct {
	perRequest, perWrite, perRead time.Duration
	slots                         int
}

func (c simCost) String() string {
	s := c.perRequest.String() + " per request"
	if c.perWrite > 0 {
		s += ", " + c.perWrite.String() + " per object written"
	}
	if c.perRead > 0 {
		s += ", " + c.perRead.String() + " per object read"
	}
	if c.slots > 0 {
		s += fmt.Sprintf(", %d at once", c.slots)
	}
	return s
}

// args are the emulator's flags for the model; the per-object ones only
// when set, so that the bench runs an older emulator without them.
func (c simCost) args() []string {
	args := []string{"--latency", c.perRequest.String()}
	if c.perWrite > 0 {
		args = append(args, "--latency-per-write", c.perWrite.String())
	}
	if c.perRead > 0 {
		args = append(args, "--latency-per-read", c.perRead.String())
	}
	if c.slots > 0 {
		args = append(args, "--latency-slots", strconv.Itoa(c.slots))
	}
	return args
}

// simTarget is the NetBox emulator, run as its own process.
type simTarget struct {
	proc  *process
	url   string
	token string
	cost  simCost
}

func newSimTarget(ctx context.Context, dir, bin string, cost simCost) (*simTarget, error) {
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	p, url, err := startSim(ctx, dir, bin, token, cost.args())
	if err != nil {
		return nil, err
	}
	return &simTarget{proc: p, url: url, token: token, cost: cost}, nil
}

func (s *simTarget) URL() string   { return s.url }
func (s *simTarget) Token() string { return s.token }

func (s *simTarget) Describe() string {
	return fmt.Sprintf("netboxsim (pid %d) at %s, %s", s.proc.pid(), s.url, s.cost)
}

func (s *simTarget) Reset(ctx context.Context) error {
	return simRequest(ctx, http.MethodPost, s.url+"/_sim/reset", nil)
}

func (s *simTarget) Requests(ctx context.Context) (map[string]int, int, error) {
	var st nbsim.Stats
	if err := simRequest(ctx, http.MethodGet, s.url+"/_sim/stats", &st); err != nil {
		return nil, 0, err
	}
	return st.ByMethod, st.Total, nil
}

func (s *simTarget) CPU() (netboxCPU, error) {
	u, err := procUsage(s.proc.pid())
	return netboxCPU{App: u.CPU}, err
}

func (s *simTarget) TakeCalls() []call { return nil }

func (s *simTarget) Close() error { return s.proc.stop(10 * time.Second) }

// authorization is the header value a token is sent with: v2 tokens
// ("nbt_...") as Bearer, older ones as Token.
func authorization(token string) string {
	if strings.HasPrefix(token, "nbt_") {
		return "Bearer " + token
	}
	return "Token " + token
}
