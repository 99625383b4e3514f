package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/netbox-agent/netbox-agent/test/realnetbox"
)

// realTarget is a real NetBox (the one `make netbox` starts), reached
// through a counting proxy that runs inside the bench. Its CPU time is
// read from /proc for the process trees its PID files name.
type realTarget struct {
	nb      *realnetbox.Target
	proxy   *realnetbox.Proxy
	calls   *callRecorder
	srv     *http.Server
	url     string
	runDir  string
	version string
	unlock  func() error
}

// newRealTarget finds the NetBox the environment names and starts the
// proxy in front of it.
func newRealTarget(ctx context.Context, runDir string) (*realTarget, error) {
	nb, ok := realnetbox.FromEnv()
	if !ok {
		return nil, errors.New("--netbox real: NETBOX_URL is not set; start NetBox with `make netbox` and load its lines: " +
			`set -a; . "$(test/realnetbox/netbox.sh envfile)"; set +a`)
	}
	if !nb.CanReset() {
		return nil, errors.New("--netbox real: NETBOX_RESET_CMD is not set, and every first sync needs an empty NetBox")
	}
	backend, err := url.Parse(nb.URL)
	if err != nil {
		return nil, fmt.Errorf("NETBOX_URL: %w", err)
	}
	// The bench resets NetBox and counts its work: no test may share it
	// meanwhile, and the bench waits for the one that holds it.
	fmt.Fprintf(os.Stderr, "waiting for the lock of NetBox at %s (%s) ...\n", nb.URL, nb.LockPath())
	unlock, err := nb.Lock(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock netbox: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Join(fmt.Errorf("listen for the proxy: %w", err), unlock())
	}
	t := &realTarget{nb: nb, unlock: unlock, proxy: realnetbox.NewProxy(backend, 1), url: "http://" + ln.Addr().String(), runDir: runDir}
	t.calls = &callRecorder{next: t.proxy}
	t.srv = &http.Server{Handler: t.calls, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		// Serve returns ErrServerClosed on Close; anything else shows as
		// failed requests.
		_ = t.srv.Serve(ln)
	}()
	if t.version, err = t.status(ctx); err != nil {
		return nil, errors.Join(err, t.Close())
	}
	if _, err := t.CPU(); err != nil {
		return nil, errors.Join(fmt.Errorf("--netbox-run-dir: %w", err), t.Close())
	}
	return t, nil
}

// status asks NetBox for its version, through the proxy, so that a token
// or proxy problem shows before the first sync.
func (t *realTarget) status(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url+"/api/status/", nil)
	if err != nil {
		return "", fmt.Errorf("netbox status: %w", err)
	}
	req.Header.Set("Authorization", authorization(t.nb.Token))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("netbox status: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("netbox status: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("netbox status: %s: %s", resp.Status, body)
	}
	var st struct {
		Version string `json:"netbox-version"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return "", fmt.Errorf("netbox status: %w", err)
	}
	return st.Version, nil
}

func (t *realTarget) URL() string   { return t.url }
func (t *realTarget) Token() string { return t.nb.Token }

func (t *realTarget) Describe() string {
	s := fmt.Sprintf("NetBox %s at %s through a counting proxy", t.version, t.nb.URL)
	tree, err := readProcTree()
	if err != nil {
		return s
	}
	pid, err := readPidFile(filepath.Join(t.runDir, "gunicorn.pid"))
	if err != nil {
		return s
	}
	members := tree.members(pid)
	if w, th := flagValue(members, "--workers"), flagValue(members, "--threads"); w != "" {
		s += fmt.Sprintf(", gunicorn %s workers x %s threads", w, th)
	}
	return s
}

func (t *realTarget) Reset(ctx context.Context) error { return t.nb.Reset(ctx) }

func (t *realTarget) Requests(context.Context) (map[string]int, int, error) {
	st := t.proxy.Stats()
	return st.ByMethod, st.Total, nil
}

// CPU sums the CPU time of the gunicorn tree (NetBox), the rqworker tree
// (its background jobs; an older netbox.sh starts none) and the
// PostgreSQL and Redis trees (the database and cache).
func (t *realTarget) CPU() (netboxCPU, error) {
	var c netboxCPU
	tree, err := readProcTree()
	if err != nil {
		return c, err
	}
	for _, p := range []struct {
		file     string
		into     *time.Duration
		optional bool
	}{{"gunicorn.pid", &c.App, false}, {"rqworker.pid", &c.Jobs, true}, {"postgres.pid", &c.DB, false}, {"redis.pid", &c.DB, false}} {
		pid, err := readPidFile(filepath.Join(t.runDir, p.file))
		if p.optional && errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return c, err
		}
		if len(tree.members(pid)) == 0 {
			return c, fmt.Errorf("%s: process %d is not running", p.file, pid)
		}
		*p.into += tree.cpu(pid)
	}
	return c, nil
}

func (t *realTarget) TakeCalls() []call { return t.calls.take() }

func (t *realTarget) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	if err := t.srv.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("stop the proxy: %w", err))
	}
	if err := t.unlock(); err != nil {
		errs = append(errs, fmt.Errorf("unlock netbox: %w", err))
	}
	return errors.Join(errs...)
}
