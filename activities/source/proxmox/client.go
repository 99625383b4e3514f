package proxmox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	px "github.com/luthermonson/go-proxmox"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// newHTTPClient builds the HTTP client every API call goes through: the TLS
// settings, the request timeout and the status transport below.
func newHTTPClient(o options) (*http.Client, error) {
	tr, err := o.tls.Transport()
	if err != nil {
		return nil, err
	}
	tr.MaxIdleConnsPerHost = o.Concurrency
	return &http.Client{Transport: statusTransport{next: tr}, Timeout: o.timeout}, nil
}

// newAPIClient returns a go-proxmox client authenticated with the token,
// or, when the source logs in with a password, one whose HTTP client sends
// the session's ticket (see ticketTransport).
func newAPIClient(o options, hc *http.Client, sess *session, secret string) *px.Client {
	opts := []px.Option{px.WithUserAgent(source.UserAgent)}
	if sess != nil {
		ticketed := *hc
		ticketed.Transport = ticketTransport{session: sess, next: hc.Transport, password: secret}
		hc = &ticketed
	} else {
		opts = append(opts, px.WithAPIToken(o.TokenID, secret))
	}
	return px.NewClient(o.baseURL, append(opts, px.WithHTTPClient(hc))...)
}

// statusError is an HTTP answer that carries an error. pveproxy puts the
// reason in the status line ("500 QEMU guest agent is not running",
// "595 No route to host").
type statusError struct {
	Code   int
	Reason string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%d %s", e.Code, e.Reason)
}

// statusTransport turns error answers into a *statusError. go-proxmox maps
// 401 and 403 to one error, keeps the reason of 500 and 501 only as text
// and tries to decode the body of any other failure as data (an empty 595
// body becomes "unexpected end of JSON input"); classifying the status here
// keeps what each failure means.
type statusTransport struct {
	next http.RoundTripper
}

func (t statusTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden &&
		res.StatusCode != http.StatusNotFound && res.StatusCode < 500 {
		res.Body = &limitedBody{body: res.Body, limit: maxAnswerBytes, left: maxAnswerBytes, path: req.URL.Path}
		return res, nil
	}
	reason := strings.TrimSpace(strings.TrimPrefix(res.Status, fmt.Sprintf("%d", res.StatusCode)))
	if msg := bodyMessage(res.Body); msg != "" && (reason == "" || reason == http.StatusText(res.StatusCode)) {
		reason = msg
	}
	if err := res.Body.Close(); err != nil {
		return nil, fmt.Errorf("close error response: %w", err)
	}
	return nil, &statusError{Code: res.StatusCode, Reason: scrubCredentials(reason, req)}
}

// redacted stands for a secret removed from an answer.
const redacted = "[redacted]"

// credentialShapes match what a Proxmox error page may echo of a request's
// credentials: the token header's value, the ticket cookie, a CSRF token.
var credentialShapes = regexp.MustCompile(`(?i)(PVEAPIToken[= ]|PVEAuthCookie=|CSRFPreventionToken[:= ]\s*)[^\s;,"'<>]+`)

// scrubCredentials removes from text, which came from the server, the
// credentials req carried (its token secret, ticket and CSRF token), and
// anything shaped like them, before the text enters an error or a log.
func scrubCredentials(text string, req *http.Request) string {
	for _, h := range []string{"Authorization", "Cookie", "CSRFPreventionToken"} {
		for _, v := range req.Header.Values(h) {
			for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == '=' || r == ';' || r == ' ' }) {
				if len(part) >= 8 && part != "PVEAPIToken" && part != "PVEAuthCookie" {
					text = strings.ReplaceAll(text, part, redacted)
				}
			}
		}
	}
	return credentialShapes.ReplaceAllString(text, "${1}"+redacted)
}

// maxAnswerBytes bounds one answer of the Proxmox API; the largest, the
// cluster's resources, is a few hundred bytes a guest.
const maxAnswerBytes = 64 << 20

// limitedBody is an answer's body that fails, naming the limit and the
// path, once it goes past its limit, rather than growing without bound.
type limitedBody struct {
	body  io.ReadCloser
	limit int64
	left  int64
	path  string
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the limit: the answer may end here, or go on past it.
		var one [1]byte
		if n, err := b.body.Read(one[:]); n == 0 {
			return 0, err
		}
		return 0, fmt.Errorf("proxmox answer of %s is larger than %d bytes: %w", b.path, b.limit, source.ErrMalformed)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.body.Close() }

// bodyMessage reads the "message" some error bodies carry; the status line
// is the primary source.
func bodyMessage(body io.Reader) string {
	var v struct {
		Message string `json:"message"`
	}
	raw, err := io.ReadAll(io.LimitReader(body, 4096))
	if err != nil || json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return strings.TrimSpace(v.Message)
}

// failure says what a failed call means for the discovery.
type failure int

const (
	// failFatal ends the discovery; the error already carries its class.
	failFatal failure = iota
	// failLocal concerns one object (a guest's config, a node's network):
	// the object is reported with what is known and a warning.
	failLocal
	// failNode means pveproxy could not reach the node that owns the object.
	failNode
	// failAgent means the guest agent did not answer.
	failAgent
)

// classify wraps err in its source error class and says whether it ends the
// discovery. what names the call ("read config of qemu 100").
func (s *Source) classify(ctx context.Context, what string, err error) (failure, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return failFatal, fmt.Errorf("%s: %w", what, ctxErr)
	}
	var le *loginError
	if errors.Is(err, source.ErrAuth) || errors.As(err, &le) {
		// a login that failed: the error says why
		return failFatal, fmt.Errorf("%s: %w", what, err)
	}
	var se *statusError
	if errors.As(err, &se) {
		switch {
		case se.Code == http.StatusUnauthorized:
			return failFatal, fmt.Errorf("%s: proxmox refused %s (%w); check %s: %w",
				what, s.opts.credential(), se, s.opts.credentialSettings(), source.ErrAuth)
		case se.Code == http.StatusForbidden:
			return failLocal, fmt.Errorf("%s: %s lacks permission (%w)", what, s.opts.credential(), se)
		case se.Code >= 595:
			// pveproxy could not forward the call to the node.
			return failNode, fmt.Errorf("%s: %w", what, se)
		case isAgentFailure(se.Reason):
			return failAgent, fmt.Errorf("%s: %w", what, se)
		case se.Code == http.StatusBadGateway || se.Code == http.StatusServiceUnavailable || se.Code == http.StatusGatewayTimeout:
			return failFatal, fmt.Errorf("%s: %w: %w", what, se, source.ErrUnreachable)
		default:
			return failLocal, fmt.Errorf("%s: %w", what, se)
		}
	}
	if terr := source.TLSError(what, s.opts.host, err); terr != nil {
		return failFatal, terr
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		// the exchange itself failed: refused, reset, timed out
		return failFatal, fmt.Errorf("%s: %w: %w", what, err, source.ErrUnreachable)
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) || errors.Is(err, io.ErrUnexpectedEOF) {
		return failLocal, fmt.Errorf("%s: %w: %w", what, err, source.ErrMalformed)
	}
	if errors.Is(err, px.ErrNotAuthorized) {
		return failFatal, fmt.Errorf("%s: proxmox refused %s: %w", what, s.opts.credential(), source.ErrAuth)
	}
	return failLocal, fmt.Errorf("%s: %w", what, err)
}

// isAgentFailure recognises pveproxy's answers when the guest agent does
// not respond: "QEMU guest agent is not running", "No QEMU guest agent
// configured", "VM 100 qmp command 'guest-network-get-interfaces' failed -
// got timeout".
func isAgentFailure(reason string) bool {
	r := strings.ToLower(reason)
	return strings.Contains(r, "guest agent") || strings.Contains(r, "qemu agent") || strings.Contains(r, "'guest-")
}
