package scantest

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Netns is a set of network namespaces one test made, each named
// <Prefix>-<name>. Tests probe only these and loopback: their addresses
// (10.213.0.0/16 in the scanner's labs) exist nowhere else, and no route
// of the machine's own namespace changes.
type Netns struct {
	// Prefix starts the name of every namespace of the set.
	Prefix string
}

// NewNetns makes the namespaces names under a prefix of base and this
// process's ID, each with lo up and sysctl set, removed when the test
// ends. Without root or iproute2's ip it skips, except under CI=1, where
// the tests must run and it fails.
func NewNetns(t testing.TB, base string, names []string, sysctl ...string) Netns {
	t.Helper()
	n := Netns{Prefix: fmt.Sprintf("%s%d", base, os.Getpid()%100000)}
	if os.Getuid() != 0 {
		cannot(t, "network namespace tests need root (ip netns add); run as root, as CI does")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		cannot(t, "network namespace tests need iproute2's ip")
	}
	for _, name := range names {
		full := n.Name(name)
		if out, err := exec.Command("ip", "netns", "add", full).CombinedOutput(); err != nil {
			cannot(t, "cannot make a network namespace here: "+strings.TrimSpace(string(out)))
		}
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", full).Run() })
		if len(sysctl) > 0 {
			n.Run(t, name, append([]string{"sysctl", "-qw"}, sysctl...)...)
		}
		n.Run(t, name, "ip", "link", "set", "lo", "up")
	}
	return n
}

// cannot skips the test for reason, or fails it under CI=1.
func cannot(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "1" {
		t.Fatalf("%s (CI=1: the network namespace tests must run)", reason)
	}
	t.Skip(reason)
}

// Name is the full name of the namespace name.
func (n Netns) Name(name string) string { return n.Prefix + "-" + name }

// Cmd runs a command, failing the test with its output; it returns the
// output.
func Cmd(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	require.NoError(t, err, "%s: %s", strings.Join(args, " "), out)
	return string(out)
}

// Run runs a command in the namespace name, failing the test with its
// output; it returns the output.
func (n Netns) Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	return Cmd(t, append([]string{"ip", "netns", "exec", n.Name(name)}, args...)...)
}

// Veth links the namespaces a and b with a veth pair, devA in a and devB
// in b, both down and without addresses.
func (n Netns) Veth(t testing.TB, a, devA, b, devB string) {
	t.Helper()
	Cmd(t, "ip", "link", "add", devA, "netns", n.Name(a), "type", "veth", "peer", "name", devB, "netns", n.Name(b))
}

// Do runs fn on an OS thread switched into the namespace name, so that
// the sockets fn opens live there (a listener, a DNS server of ServeDNS);
// they stay there once fn returns, served from any goroutine. fn runs on a
// goroutine of its own whose thread is never unlocked: Go ends the thread
// with it, so no other goroutine ever runs in the namespace. A failure in
// fn (require) ends the test once fn is over.
func (n Netns) Do(t testing.TB, name string, fn func()) {
	t.Helper()
	target, err := os.Open(filepath.Join("/var/run/netns", n.Name(name)))
	require.NoError(t, err)
	defer func() { _ = target.Close() }()
	entered := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			entered <- fmt.Errorf("enter namespace %s: %w", n.Name(name), err)
			return
		}
		entered <- nil
		fn()
	}()
	require.NoError(t, <-entered)
	<-done
	if t.Failed() {
		t.FailNow()
	}
}

// Forward opens a TCP listener on 127.0.0.1 of the namespace name and
// copies each connection to and from target, dialled from this process's
// own namespace; it returns the listener's address, closed when the test
// ends. A process in the namespace reaches a server of the test (the
// Temporal dev server) through it without any route between the two.
func (n Netns) Forward(t testing.TB, name, target string) string {
	t.Helper()
	var l net.Listener
	n.Do(t, name, func() {
		var err error
		l, err = net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
	})
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go forward(c, target)
		}
	}()
	return l.Addr().String()
}

// forward copies c to and from a new connection to target until either
// side closes.
func forward(c net.Conn, target string) {
	defer func() { _ = c.Close() }()
	up, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer func() { _ = up.Close() }()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}
