package nbsim_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
	"github.com/netbox-agent/netbox-agent/test/realnetbox"
)

// The conformance tests (TestConformance*) run against a real NetBox when NETBOX_URL and
// NETBOX_TOKEN name one (realnetbox.FromEnv; it is emptied once, at the start, when
// NETBOX_RESET_CMD is set), and otherwise against netboxsim in every version mode, one
// subtest each. On a real NetBox, which others may share, every client names its objects with
// a prefix of its own and takes its own addresses, so leftovers do not matter.

// suite is the conformance target of this test run, set once by TestMain.
type suite struct {
	real *realnetbox.Target
	nets atomic.Int64 // hands each client its own address block
	run  string       // this run's prefix for names
}

var conformance suite

func TestMain(m *testing.M) {
	if err := conformance.setUp(); err != nil {
		fmt.Fprintln(os.Stderr, "conformance target:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func (s *suite) setUp() error {
	buf := make([]byte, 3)
	if _, err := rand.Read(buf); err != nil {
		return fmt.Errorf("random prefix: %w", err)
	}
	s.run = "c" + hex.EncodeToString(buf)
	s.nets.Store(int64(buf[0]) % 100)
	real, ok := realnetbox.FromEnv()
	if !ok {
		return nil
	}
	s.real = real
	if !real.CanReset() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := real.Reset(ctx); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	return nil
}

// forEachTarget runs fn against the real NetBox, or against a fresh emulator in each version
// mode.
func forEachTarget(t *testing.T, fn func(t *testing.T, c *apiClient)) {
	t.Helper()
	if r := conformance.real; r != nil {
		t.Run("netbox-"+r.Version, func(t *testing.T) { fn(t, newRealClient(t, r)) })
		return
	}
	for _, v := range nbsim.Versions() {
		t.Run("netbox-"+v, func(t *testing.T) { fn(t, newSimVersion(t, v)) })
	}
}

// newSimVersion is an emulator of NetBox version v, with a client that authenticates as that
// version's agent would: v1 tokens before 4.5, v2 tokens from it.
func newSimVersion(t testing.TB, v string) *apiClient {
	t.Helper()
	sim := nbsim.New(nbsim.Options{Version: v, Token: testToken})
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	c := &apiClient{t: t, url: ts.URL, sim: sim, v1: testToken, auth: "Token " + testToken}
	c.minor = minorOf(sim.Version())
	if c.minor >= 5 {
		c.v2 = nbsim.BearerToken(testToken)
		c.auth = "Bearer " + c.v2
	}
	// An emulator of its own has no other client: fixed addresses keep golden files stable.
	c.net = 1
	return c
}

func newRealClient(t testing.TB, r *realnetbox.Target) *apiClient {
	t.Helper()
	c := &apiClient{t: t, url: r.URL, v1: r.TokenV1, v2: r.Token, minor: minorOf(r.Version)}
	c.auth = "Bearer " + r.Token
	if !strings.HasPrefix(r.Token, "nbt_") {
		c.auth, c.v1, c.v2 = "Token "+r.Token, r.Token, ""
	}
	c.uniq = conformance.run + strconv.FormatInt(conformance.nets.Add(1), 36) + "_"
	c.net = conformance.nextNet()
	return c
}

// nextNet is a number from 1 to 250 that no other client of this run has had lately, for
// the second octet of the client's addresses.
func (s *suite) nextNet() int { return int(s.nets.Add(1)%250) + 1 }

// minorOf is the minor number of a NetBox version: 7 for "4.7.3".
func minorOf(version string) int {
	parts := strings.Split(version, ".")
	if len(parts) < 2 {
		return 0
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0
	}
	return n
}

// atLeast reports whether the target is NetBox 4.minor or newer.
func (c *apiClient) atLeast(minor int) bool { return c.minor >= minor }

// emulated reports whether the target is netboxsim.
func (c *apiClient) emulated() bool { return c.sim != nil }
