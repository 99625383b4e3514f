package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
	"github.com/netbox-agent/netbox-agent/test/realnetbox"
)

// netbox is the NetBox a test writes to: netboxsim by default, or the real NetBox the
// environment names (realnetbox.FromEnv). Either way the agent reaches it through a counting
// proxy, so request counts and injected faults mean the same on both, and assertions read it
// over its REST API, directly, without being counted.
//
// The real NetBox is one database for the whole suite: tests that use it must not run in
// parallel (none calls t.Parallel), and each starts from a reset.
type netbox struct {
	// url is the proxy's base URL: what the agent talks to.
	url string
	// direct is NetBox's own base URL: what assertions read.
	direct string
	// token is the agent's token: v2 (Bearer nbt_...) where NetBox takes one.
	token string
	// tokenV1 is a v1 token (40 hex digits, sent as "Token").
	tokenV1 string
	// proxy counts the agent's requests and injects faults.
	proxy *realnetbox.Proxy
	// sim is the emulator; nil on the real NetBox.
	sim *nbsim.Server
	// real is the real NetBox; nil on netboxsim.
	real *realnetbox.Target
	// client reads NetBox for assertions.
	client *http.Client
}

// newNetBox returns a NetBox for one test, empty but for the tokens, behind a fresh proxy.
func newNetBox(t *testing.T) *netbox {
	t.Helper()
	n := &netbox{client: &http.Client{Timeout: time.Minute}}
	if real, ok := realnetbox.FromEnv(); ok {
		require.NotEmpty(t, real.Token, "NETBOX_TOKEN (a v2 token) is not set")
		require.NotEmpty(t, real.TokenV1, "NETBOX_TOKEN_V1 is not set")
		require.True(t, real.CanReset(), "NETBOX_RESET_CMD is not set: the tests cannot start from an empty NetBox")
		n.real, n.direct, n.token, n.tokenV1 = real, real.URL, real.Token, real.TokenV1
	} else {
		n.tokenV1 = newToken(t)
		opts, err := simOptions(n.tokenV1)
		require.NoError(t, err)
		n.sim = nbsim.New(opts)
		n.token = simAgentToken(n.sim, n.tokenV1)
		ts := httptest.NewServer(n.sim)
		t.Cleanup(ts.Close)
		n.direct = ts.URL
	}
	require.NoError(t, n.reset(context.Background()))
	backend, err := url.Parse(n.direct)
	require.NoError(t, err)
	n.proxy = realnetbox.NewProxy(backend, 1)
	front := httptest.NewServer(n.proxy)
	t.Cleanup(front.Close)
	n.url = front.URL
	t.Logf("NetBox: %s", n)
	return n
}

// simOptions builds the emulator's options. NETBOXSIM_VERSION picks the NetBox release it
// reproduces: one of nbsim.Versions() ("4.3" to "4.7"); unset, nbsim.DefaultVersion.
func simOptions(token string) (nbsim.Options, error) {
	v := os.Getenv("NETBOXSIM_VERSION")
	if err := nbsim.CheckVersion(v); err != nil {
		return nbsim.Options{}, fmt.Errorf("NETBOXSIM_VERSION: %w", err)
	}
	return nbsim.Options{Token: token, Version: v}, nil
}

// simAgentToken is the token the agent uses on the emulator sim whose v1 token is tokenV1: the
// v2 form where the release takes v2 tokens (4.5 and later), as on the real NetBox.
func simAgentToken(sim *nbsim.Server, tokenV1 string) string {
	if atLeast4(sim.Version(), 5) {
		return nbsim.BearerToken(tokenV1)
	}
	return tokenV1
}

// atLeast4 reports whether the NetBox version ("4.7.3") is 4.minor or later.
func atLeast4(version string, minor int) bool {
	var major, m int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &m); err != nil {
		return false
	}
	return major > 4 || major == 4 && m >= minor
}

// String names the target, for logs.
func (n *netbox) String() string {
	if n.real != nil {
		return fmt.Sprintf("real NetBox %s at %s", n.real.Version, n.real.URL)
	}
	return "netboxsim " + n.sim.Version()
}

// reset empties NetBox, keeping its tokens, and zeroes the proxy's counters.
func (n *netbox) reset(ctx context.Context) error {
	if n.real != nil {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		if err := n.real.Reset(ctx); err != nil {
			return err
		}
	} else {
		n.sim.Reset()
	}
	if n.proxy != nil {
		n.proxy.ResetStats()
	}
	return nil
}

// authorization is the Authorization header a token is sent with: Bearer for a v2 token,
// Token for a v1 one.
func authorization(token string) string {
	if strings.HasPrefix(token, "nbt_") {
		return "Bearer " + token
	}
	return "Token " + token
}
