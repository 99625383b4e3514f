package proxmox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// newPasswordSource builds a source that logs in as proxmoxtest.Username
// with password.
func newPasswordSource(t testing.TB, url, settings, password string) (*Source, *observer.ObservedLogs) {
	t.Helper()
	all := "url: " + url + "\nusername: " + proxmoxtest.Username + "\nsite: Home Lab\n" + settings
	src, logs := sourcetest.New(t, SourceType, "alpha", all, SecretPassword, password)
	return src.(*Source), logs
}

// clock is a settable time shared by the fake and the source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestPasswordLogin(t *testing.T) {
	fake := proxmoxtest.NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	src, logs := newPasswordSource(t, srv.URL, labSettings, proxmoxtest.Password)
	snap, err := src.Discover(context.Background(), &sourcetest.Progress{})
	require.NoError(t, err)
	require.NoError(t, fake.Err())

	// the same cluster as with the API token
	sourcetest.CheckGolden(t, SourceType, "alpha", "lab", snap, false)
	logins, renewals := fake.Logins()
	assert.Equal(t, 1, logins, "one login for every request of the run, however many run at once")
	assert.Zero(t, renewals)
	sourcetest.AssertNoSecret(t, proxmoxtest.Password, nil, logs)
}

func TestWrongPasswordIsAnAuthError(t *testing.T) {
	fake := proxmoxtest.NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	const wrong = "not-the-password"
	src, logs := newPasswordSource(t, srv.URL, "", wrong)
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrAuth, "log in as "+proxmoxtest.Username, "401 authentication failure", "check username and the password")
	sourcetest.AssertNoSecret(t, wrong, err, logs)
	assert.Zero(t, fake.TotalHits(), "nothing is read without a ticket")
}

func TestTicketRenewal(t *testing.T) {
	fake := proxmoxtest.NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	clk := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	fake.SetClock(clk.now)
	src, _ := newPasswordSource(t, srv.URL, "", proxmoxtest.Password)
	src.session.now = clk.now

	discover := func() {
		t.Helper()
		_, err := src.Discover(context.Background(), nil)
		require.NoError(t, err)
		require.NoError(t, fake.Err())
	}
	steps := []struct {
		name             string
		advance          time.Duration
		revoke           bool
		logins, renewals int
	}{
		{name: "first run logs in", logins: 1},
		{name: "a run an hour later keeps the ticket", advance: time.Hour, logins: 1},
		{name: "past 90 minutes the ticket is renewed with itself", advance: 31 * time.Minute, logins: 1, renewals: 1},
		{name: "a ticket past two hours is dead: the password again", advance: 2*time.Hour + time.Minute, logins: 2, renewals: 1},
		{name: "a revoked ticket is refused once, then replaced", revoke: true, logins: 3, renewals: 1},
	}
	for _, st := range steps {
		clk.advance(st.advance)
		if st.revoke {
			fake.RevokeTickets()
		}
		discover()
		logins, renewals := fake.Logins()
		assert.Equal(t, st.logins, logins, st.name)
		assert.Equal(t, st.renewals, renewals, st.name)
	}
}

func TestTicketRefusedAfterLoginIsAnAuthError(t *testing.T) {
	fake := proxmoxtest.NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	fake.SetFault("/cluster/status", proxmoxtest.Fault{Status: 401, Reason: "permission denied - invalid PVE ticket"})
	src, _ := newPasswordSource(t, srv.URL, "", proxmoxtest.Password)
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrAuth, "refused user "+proxmoxtest.Username, "invalid PVE ticket")
	logins, _ := fake.Logins()
	assert.Equal(t, 2, logins, "a refused ticket logs in again once, not in a loop")
}

func TestOneCredentialOnly(t *testing.T) {
	srv := proxmoxtest.NewServer(t)
	settings := "url: " + srv.URL + "\nusername: " + proxmoxtest.Username + "\nsite: Home Lab\n"
	cfg := sourcetest.LoadConfig(t, SourceType, "alpha", settings, SecretPassword, proxmoxtest.Password)
	both := cfg
	both.Secret = func(setting string) (string, error) { return "set-" + setting, nil }
	_, err := New(both, nil)
	sourcetest.RequireError(t, err, source.ErrConfig, "token_secret", "is set beside password")

	none := cfg
	none.Secret = func(setting string) (string, error) { return "", nil }
	_, err = New(none, nil)
	sourcetest.RequireError(t, err, source.ErrConfig, "password")
}

func TestLoginFailures(t *testing.T) {
	notJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, err := w.Write([]byte("<html>login</html>"))
		assert.NoError(t, err)
	}))
	t.Cleanup(notJSON.Close)
	noTicket := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := w.Write([]byte(`{"data":{"username":"netbox-agent@pve"}}`))
		assert.NoError(t, err)
	}))
	t.Cleanup(noTicket.Close)
	cases := []struct {
		name     string
		url      string
		class    error
		fragment string
	}{
		{"cluster unreachable", sourcetest.ClosedURL(t), source.ErrUnreachable, "log in as " + proxmoxtest.Username},
		{"answer is no JSON", notJSON.URL, source.ErrMalformed, "decode answer"},
		{"answer without a ticket", noTicket.URL, source.ErrMalformed, "the answer has no ticket"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, logs := newPasswordSource(t, tc.url, "", proxmoxtest.Password)
			_, err := src.Discover(context.Background(), nil)
			sourcetest.RequireError(t, err, tc.class, tc.fragment)
			sourcetest.AssertNoSecret(t, proxmoxtest.Password, err, logs)
		})
	}
}
