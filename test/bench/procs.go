package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
)

// process is a child process of the harness with its output in a log file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// start runs a binary with its output in dir/<name>.log. The child is
// killed if the harness dies, so an interrupted benchmark leaves nothing
// behind.
func start(name, dir string, env []string, bin string, args ...string) (*process, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start %s: %w", name, err), f.Close())
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		if err := f.Close(); err != nil && p.err == nil {
			p.err = err
		}
		close(p.done)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// exited says whether the process ended, and how.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// stop asks the process to end with SIGTERM and kills it after grace.
func (p *process) stop(grace time.Duration) error {
	if done, _ := p.exited(); done {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
		if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("kill %s: %w", p.name, err)
		}
		<-p.done
		return nil
	}
}

// tail is the end of the process's log, for error messages.
func (p *process) tail(n int) string {
	data, err := os.ReadFile(p.log)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// waitLog waits until the process's log holds want.
func (p *process) waitLog(ctx context.Context, want string) error {
	for {
		data, err := os.ReadFile(p.log)
		if err != nil {
			return fmt.Errorf("read %s log: %w", p.name, err)
		}
		if bytes.Contains(data, []byte(want)) {
			return nil
		}
		if done, err := p.exited(); done {
			return fmt.Errorf("%s exited (%w) before %q:\n%s", p.name, err, want, p.tail(20))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w:\n%s", p.name, ctx.Err(), p.tail(20))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// usage is what /proc says about a process: its peak resident set and
// the CPU time it used.
type usage struct {
	PeakRSS int64         // bytes, VmHWM
	CPU     time.Duration // user + system
}

// clockTick is USER_HZ, 100 on every Linux architecture Go supports.
const clockTick = 100

func procUsage(pid int) (usage, error) {
	var u usage
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, fmt.Errorf("read process status: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return u, fmt.Errorf("parse VmHWM %q: %w", rest, err)
			}
			u.PeakRSS = kb * 1024
		}
	}
	fields, err := statFields(pid)
	if err != nil {
		return u, err
	}
	ticks, err := sumTicks(fields[statUtime : statStime+1])
	if err != nil {
		return u, err
	}
	u.CPU = time.Duration(ticks) * time.Second / clockTick
	return u, nil
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before ours binds it, which on a benchmark machine is unlikely.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	return port, ln.Close()
}

// startTemporal starts the Temporal CLI's dev server, headless, on free
// loopback ports, and waits until it answers.
func startTemporal(ctx context.Context, dir, bin string, inMemory bool) (*process, client.Client, string, error) {
	var ports [3]int
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, nil, "", err
		}
		ports[i] = p
	}
	args := []string{"server", "start-dev", "--headless", "--ip", "127.0.0.1",
		"--port", strconv.Itoa(ports[0]), "--http-port", strconv.Itoa(ports[1]), "--metrics-port", strconv.Itoa(ports[2]),
		"--log-level", "error", "--dynamic-config-value", "frontend.enableServerVersionCheck=false"}
	if !inMemory {
		args = append(args, "--db-filename", filepath.Join(dir, "temporal.db"))
	}
	p, err := start("temporal", dir, os.Environ(), bin, args...)
	if err != nil {
		return nil, nil, "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	deadline, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		c, err := client.DialContext(deadline, client.Options{HostPort: addr, Logger: quietLogger{}})
		if err == nil {
			return p, c, addr, nil
		}
		if done, perr := p.exited(); done {
			return nil, nil, "", fmt.Errorf("temporal dev server exited (%w):\n%s", perr, p.tail(20))
		}
		select {
		case <-deadline.Done():
			return nil, nil, "", errors.Join(fmt.Errorf("temporal dev server at %s: %w", addr, err), p.stop(5*time.Second))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// startSim starts the NetBox emulator on a free port and returns its URL.
func startSim(ctx context.Context, dir, bin, token string, args []string) (*process, string, error) {
	args = append([]string{"--listen", "127.0.0.1:0", "--token", token}, args...)
	p, err := start("netboxsim", dir, os.Environ(), bin, args...)
	if err != nil {
		return nil, "", err
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	const banner = "netboxsim listening on "
	if err := p.waitLog(wctx, banner); err != nil {
		return nil, "", errors.Join(err, p.stop(time.Second))
	}
	data, err := os.ReadFile(p.log)
	if err != nil {
		return nil, "", errors.Join(fmt.Errorf("read netboxsim log: %w", err), p.stop(time.Second))
	}
	_, rest, _ := bytes.Cut(data, []byte(banner))
	url, _, _ := bytes.Cut(rest, []byte("\n"))
	return p, strings.TrimSpace(string(url)), nil
}

// simRequest sends a control request to the emulator and decodes its answer.
func simRequest(ctx context.Context, method, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return fmt.Errorf("netboxsim control: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("netboxsim control: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("netboxsim control %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("netboxsim control %s %s: %s: %s", method, url, resp.Status, body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("netboxsim control %s: %w", url, err)
	}
	return nil
}

// quietLogger keeps the SDK client's chatter out of the benchmark's output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
