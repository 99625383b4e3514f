package proxmox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// ticketRenewAfter is the age at which a login ticket is renewed: pveproxy
// accepts one for two hours, and a renewal well before that keeps a long
// run (or the next run on the same worker) from meeting a dead ticket.
const ticketRenewAfter = 90 * time.Minute

// session is the login ticket of a source that logs in with user and
// password. It outlives a run, so that runs on the same worker share one
// ticket, and renews it by posting it as the password before it runs out.
// The ticket and CSRF token are credentials: they never enter an error or
// a log.
type session struct {
	username string
	loginURL string
	now      func() time.Time

	mu     sync.Mutex
	ticket string
	csrf   string
	issued time.Time
}

func newSession(username, loginURL string) *session {
	return &session{username: username, loginURL: loginURL, now: time.Now}
}

// ticketAnswer is the data of POST /access/ticket.
type ticketAnswer struct {
	Ticket flexString `json:"ticket"`
	CSRF   flexString `json:"CSRFPreventionToken"`
}

// current returns the ticket to send: the one held, renewed first when it
// is older than ticketRenewAfter, or a new one for the password. rt carries
// the login; only one login runs at a time, the other callers wait for it.
func (s *session) current(ctx context.Context, rt http.RoundTripper, password string) (ticket, csrf string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	age := s.now().Sub(s.issued)
	if s.ticket != "" && age < ticketRenewAfter {
		return s.ticket, s.csrf, nil
	}
	if s.ticket != "" {
		// renewal by ticket; when refused (revoked, expired), the password
		if a, err := s.post(ctx, rt, s.ticket); err == nil {
			return s.keep(a)
		} else if !isStatus(err, http.StatusUnauthorized) {
			return "", "", err
		}
	}
	a, err := s.post(ctx, rt, password)
	if err != nil {
		s.ticket = ""
		return "", "", err
	}
	return s.keep(a)
}

func (s *session) keep(a ticketAnswer) (string, string, error) {
	s.ticket, s.csrf, s.issued = string(a.Ticket), string(a.CSRF), s.now()
	return s.ticket, s.csrf, nil
}

// drop forgets ticket after a request was refused with it, unless another
// caller has already replaced it.
func (s *session) drop(ticket string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ticket == ticket {
		s.ticket = ""
	}
}

// post asks pveproxy for a ticket, form-encoded as its API viewer does.
// password is the user's password or a live ticket to renew.
func (s *session) post(ctx context.Context, rt http.RoundTripper, password string) (ticketAnswer, error) {
	var a ticketAnswer
	form := url.Values{"username": {s.username}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.loginURL, strings.NewReader(form.Encode()))
	if err != nil {
		return a, fmt.Errorf("log in as %s: %w", s.username, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", source.UserAgent)
	res, err := rt.RoundTrip(req)
	if isStatus(err, http.StatusUnauthorized) {
		return a, fmt.Errorf("log in as %s: proxmox refused the password (%w); check username and the password: %w", s.username, err, source.ErrAuth)
	}
	if err != nil {
		return a, fmt.Errorf("log in as %s: %w", s.username, err)
	}
	var env struct {
		Data ticketAnswer `json:"data"`
	}
	raw, err := io.ReadAll(res.Body)
	cerr := res.Body.Close()
	if err = errors.Join(err, cerr); err != nil {
		return a, fmt.Errorf("log in as %s: read answer: %w", s.username, err)
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return a, &loginError{fmt.Errorf("log in as %s: decode answer: %w: %w", s.username, err, source.ErrMalformed)}
	}
	if env.Data.Ticket == "" {
		return a, &loginError{fmt.Errorf("log in as %s: the answer has no ticket: %w", s.username, source.ErrMalformed)}
	}
	return env.Data, nil
}

// loginError is a login answer that was no ticket; it ends the discovery
// like a refused password, since no call can be made without one.
type loginError struct{ err error }

func (e *loginError) Error() string { return e.err.Error() }
func (e *loginError) Unwrap() error { return e.err }

func isStatus(err error, code int) bool {
	var se *statusError
	return errors.As(err, &se) && se.Code == code
}

// ticketTransport sends each request with the session's ticket cookie and,
// on a write, its CSRF token. A request refused with 401 mid-run (the ticket
// revoked or expired early) logs in again and is sent once more.
type ticketTransport struct {
	session  *session
	next     http.RoundTripper
	password string
}

func (t ticketTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ticket, csrf, err := t.session.current(req.Context(), t.next, t.password)
	if err != nil {
		return nil, err
	}
	res, err := t.next.RoundTrip(withTicket(req, ticket, csrf))
	if !isStatus(err, http.StatusUnauthorized) || (req.Body != nil && req.GetBody == nil) {
		return res, err
	}
	t.session.drop(ticket)
	if ticket, csrf, err = t.session.current(req.Context(), t.next, t.password); err != nil {
		return nil, err
	}
	again := withTicket(req, ticket, csrf)
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, fmt.Errorf("send %s again: %w", req.URL.Path, err)
		}
	}
	return t.next.RoundTrip(again)
}

// withTicket is a copy of req carrying the ticket, and the CSRF token on
// anything but a read, as pveproxy requires of cookie-authenticated writes.
func withTicket(req *http.Request, ticket, csrf string) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Cookie", "PVEAuthCookie="+ticket)
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		r.Header.Set("CSRFPreventionToken", csrf)
	}
	return r
}
