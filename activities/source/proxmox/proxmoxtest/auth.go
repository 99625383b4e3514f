package proxmoxtest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Login credentials the fake accepts on POST /access/ticket. The password is
// a test value, not a real one.
const (
	Username = "netbox-agent@pve"
	Password = "7d1c0b5e-pw-proxmoxtest"
)

// TicketLifetime is how long pveproxy accepts a ticket: two hours.
const TicketLifetime = 2 * time.Hour

// ticket is one ticket the fake issued.
type ticket struct {
	user   string
	csrf   string
	issued time.Time
}

// tickets issues and checks login tickets the way pveproxy does: a ticket
// is good for TicketLifetime, a write must carry the CSRF token issued with
// it, and a good ticket given as the password renews it.
type tickets struct {
	mu     sync.Mutex
	now    func() time.Time
	issued map[string]ticket
	logins int
	renews int
}

func newTickets() *tickets {
	return &tickets{now: time.Now, issued: map[string]ticket{}}
}

// SetClock makes the fake read the time from now, so that tests can age
// the tickets it issued.
func (f *Fake) SetClock(now func() time.Time) {
	f.tickets.mu.Lock()
	defer f.tickets.mu.Unlock()
	f.tickets.now = now
}

// RevokeTickets forgets every ticket issued so far, as a restarted cluster
// whose auth key rotated does: the next request with one answers 401.
func (f *Fake) RevokeTickets() {
	f.tickets.mu.Lock()
	defer f.tickets.mu.Unlock()
	f.tickets.issued = map[string]ticket{}
}

// Logins counts the tickets issued for a password; Renewals those issued
// for a ticket given as the password.
func (f *Fake) Logins() (logins, renewals int) {
	f.tickets.mu.Lock()
	defer f.tickets.mu.Unlock()
	return f.tickets.logins, f.tickets.renews
}

// valid returns the live ticket named by value.
func (ts *tickets) valid(value string) (ticket, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.issued[value]
	if !ok || ts.now().Sub(t.issued) >= TicketLifetime {
		return ticket{}, false
	}
	return t, true
}

// issue answers POST /access/ticket: a new ticket for the user's password
// or for a live ticket of the same user; 401 "authentication failure"
// otherwise, as pveproxy answers a wrong password.
func (f *Fake) issue(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.Failed(writeStatus(w, http.StatusBadRequest, "Parameter verification failed.", []byte(`{"data":null}`)))
		return
	}
	user, pass := r.PostForm.Get("username"), r.PostForm.Get("password")
	if realm := r.PostForm.Get("realm"); realm != "" && !strings.Contains(user, "@") {
		user += "@" + realm
	}
	ts := f.tickets
	old, renewing := ts.valid(pass)
	switch {
	case user == Username && pass == Password:
	case renewing && old.user == user:
	default:
		f.Failed(writeStatus(w, http.StatusUnauthorized, "authentication failure", []byte(`{"data":null}`)))
		return
	}
	ts.mu.Lock()
	now := ts.now()
	value := fmt.Sprintf("PVE:%s:%08X::%s", user, now.Unix(), rand.Text()+rand.Text())
	t := ticket{user: user, csrf: fmt.Sprintf("%08X:%s", now.Unix(), rand.Text()), issued: now}
	ts.issued[value] = t
	if renewing {
		ts.renews++
	} else {
		ts.logins++
	}
	ts.mu.Unlock()
	body, err := json.Marshal(map[string]any{"data": map[string]any{
		"username": user, "ticket": value, "CSRFPreventionToken": t.csrf, "clustername": "lab",
		"cap": map[string]any{"vms": map[string]int{"VM.Audit": 1, "VM.Monitor": 1}, "nodes": map[string]int{"Sys.Audit": 1}},
	}})
	if err != nil {
		f.Failed(err)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_, err = w.Write(body)
	f.Failed(err)
}

// authorize checks a request's API token or ticket cookie; it returns the
// reason pveproxy gives when it refuses one, or "" when the request may go on.
func (f *Fake) authorize(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if auth == "PVEAPIToken="+TokenID+"="+TokenSecret {
			return ""
		}
		return "authentication failure"
	}
	c, err := r.Cookie("PVEAuthCookie")
	if err != nil {
		return "No ticket"
	}
	t, ok := f.tickets.valid(c.Value)
	if !ok {
		return "permission denied - invalid PVE ticket"
	}
	if r.Method != http.MethodGet && r.Header.Get("CSRFPreventionToken") != t.csrf {
		return "Permission denied - invalid csrf token"
	}
	return ""
}
