package proxmoxtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// login posts the form to /access/ticket and returns the status and data.
func login(t *testing.T, srv *httptest.Server, user, password string) (string, map[string]any) {
	t.Helper()
	form := url.Values{"username": {user}, "password": {password}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+APIPrefix+"/access/ticket", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { require.NoError(t, res.Body.Close()) }()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var v struct {
		Data map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &v))
	return res.Status, v.Data
}

// withTicket sends method to path with the ticket cookie and csrf.
func withTicket(t *testing.T, srv *httptest.Server, method, path, ticket, csrf string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+APIPrefix+path, nil)
	require.NoError(t, err)
	req.Header.Set("Cookie", "PVEAuthCookie="+ticket)
	if csrf != "" {
		req.Header.Set("CSRFPreventionToken", csrf)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res.Status
}

func TestFakeTickets(t *testing.T) {
	fake := NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	fake.SetClock(func() time.Time { return now })

	status, _ := login(t, srv, Username, "wrong")
	assert.Equal(t, "401 authentication failure", status, "a wrong password")
	status, _ = login(t, srv, "root@pam", Password)
	assert.Equal(t, "401 authentication failure", status, "another user")

	status, data := login(t, srv, Username, Password)
	require.Equal(t, "200 OK", status)
	ticket, _ := data["ticket"].(string)
	csrf, _ := data["CSRFPreventionToken"].(string)
	assert.True(t, strings.HasPrefix(ticket, "PVE:"+Username+":"), "ticket %q has pveproxy's form", ticket)
	assert.NotEmpty(t, csrf)
	assert.Equal(t, Username, data["username"])

	assert.Equal(t, "200 OK", withTicket(t, srv, http.MethodGet, "/cluster/status", ticket, ""), "a read needs no CSRF token")
	assert.Equal(t, "401 Permission denied - invalid csrf token", withTicket(t, srv, http.MethodPost, "/nodes/node1/qemu/100/status/start", ticket, ""))
	assert.Equal(t, "401 Permission denied - invalid csrf token", withTicket(t, srv, http.MethodPost, "/nodes/node1/qemu/100/status/start", ticket, "00000000:forged"))
	assert.Equal(t, "501 Method 'POST /nodes/node1/qemu/100/status/start' not implemented",
		withTicket(t, srv, http.MethodPost, "/nodes/node1/qemu/100/status/start", ticket, csrf), "a write with its CSRF token passes the check")
	assert.Equal(t, "401 permission denied - invalid PVE ticket", withTicket(t, srv, http.MethodGet, "/cluster/status", "PVE:"+Username+":00000000::forged", ""))

	// the ticket renews itself, for its own user only
	status, _ = login(t, srv, "root@pam", ticket)
	assert.Equal(t, "401 authentication failure", status)
	status, renewed := login(t, srv, Username, ticket)
	require.Equal(t, "200 OK", status)
	assert.NotEqual(t, ticket, renewed["ticket"])

	now = now.Add(TicketLifetime)
	assert.Equal(t, "401 permission denied - invalid PVE ticket", withTicket(t, srv, http.MethodGet, "/cluster/status", ticket, ""), "stale after two hours")
	status, _ = login(t, srv, Username, ticket)
	assert.Equal(t, "401 authentication failure", status, "a stale ticket renews nothing")

	logins, renewals := fake.Logins()
	assert.Equal(t, 1, logins)
	assert.Equal(t, 1, renewals)
	require.NoError(t, fake.Err())
}

func TestFakeRevokedTickets(t *testing.T) {
	fake := NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	_, data := login(t, srv, Username, Password)
	ticket, _ := data["ticket"].(string)
	assert.Equal(t, "200 OK", withTicket(t, srv, http.MethodGet, "/version", ticket, ""))
	fake.RevokeTickets()
	assert.Equal(t, "401 permission denied - invalid PVE ticket", withTicket(t, srv, http.MethodGet, "/version", ticket, ""))
}
