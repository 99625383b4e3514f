package truenas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// maxMessage bounds one answer; pool.query carries every vdev and disk of
// every pool, which grows past coder/websocket's 32 KiB default.
const maxMessage = 64 << 20

// JSON-RPC error codes the middleware answers with.
const (
	codeInvalidRequest  = -32600
	codeMethodNotFound  = -32601
	codeInvalidParams   = -32602
	codeTooManyCalls    = -32000 // TRUENAS_TOO_MANY_CONCURRENT_CALLS
	codeCallError       = -32001 // TRUENAS_CALL_ERROR: the method raised
	errnameNotAuth      = "ENOTAUTHENTICATED"
	errnameAccessDenied = "EACCES"
	errnameBusy         = "EBUSY"
	errnameNoMethod     = "ENOMETHOD"    // the legacy API's unknown method or service
	errnameTooManyCalls = "ETOOMANYREFS" // the legacy API's concurrent call limit
)

// RPCError is an error answer from TrueNAS, over either protocol.
type RPCError struct {
	// Method is the method called.
	Method string
	// Code and Message are the JSON-RPC error ("-32001", "Method call
	// error"); zero and empty in an answer of the legacy protocol.
	Code    int
	Message string
	// Errno, Errname and Reason are TrueNAS's detail (13, "EACCES", "Not
	// authorized").
	Errno   int
	Errname string
	Reason  string
}

// Error names the method, the JSON-RPC error and TrueNAS's reason.
func (e *RPCError) Error() string {
	if e.Code == 0 && e.Message == "" {
		return legacyErrorText(e)
	}
	s := fmt.Sprintf("%s: TrueNAS answered error %d (%s)", e.Method, e.Code, e.Message)
	switch {
	case e.Errname != "" && e.Reason != "":
		s += fmt.Sprintf(": [%s] %s", e.Errname, e.Reason)
	case e.Reason != "":
		s += ": " + e.Reason
	}
	return s
}

// methodNotFound reports whether TrueNAS does not have the method.
func (e *RPCError) methodNotFound() bool {
	return e.Code == codeMethodNotFound || (e.Code == 0 && e.Errname == errnameNoMethod)
}

// invalidParams reports arguments TrueNAS refused: JSON-RPC's -32602, the
// legacy API's EINVAL.
func (e *RPCError) invalidParams() bool {
	return e.Code == codeInvalidParams || (e.Code == 0 && e.Errname == "EINVAL")
}

// tooManyCalls reports TrueNAS's limit on concurrent calls.
func (e *RPCError) tooManyCalls() bool {
	return e.Code == codeTooManyCalls || e.Errname == errnameTooManyCalls
}

// wireError is the error member of an answer.
type wireError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    *struct {
		Errno   int    `json:"error"`
		Errname string `json:"errname"`
		Reason  string `json:"reason"`
	} `json:"data"`
}

// conn is one authenticated session over a WebSocket, in either protocol.
// Calls are made one at a time; TrueNAS answers each by its id.
type conn struct {
	ws      *websocket.Conn
	url     string
	legacy  bool
	host    string
	timeout time.Duration
	nextID  int
}

// dial opens the WebSocket at url; legacy says whether it speaks the
// legacy protocol, whose handshake follows. Failures are classified: a
// certificate that TLS refused is a config error naming ca_file and
// insecure_skip_verify, an endpoint that does not exist is a
// *noEndpointError, anything else is an unreachable system.
func dial(ctx context.Context, o options, url string, legacy bool) (*conn, error) {
	hc, err := newHTTPClient(o)
	if err != nil {
		return nil, err
	}
	dialCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ws, res, err := websocket.Dial(dialCtx, url, &websocket.DialOptions{
		HTTPClient: hc,
		HTTPHeader: http.Header{"User-Agent": {source.UserAgent}},
	})
	if err != nil {
		return nil, dialError(ctx, dialCtx, o, url, res, err)
	}
	ws.SetReadLimit(maxMessage)
	c := &conn{ws: ws, url: url, legacy: legacy, host: o.host, timeout: o.timeout}
	if legacy {
		if err := c.handshake(ctx); err != nil {
			if cerr := ws.CloseNow(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
				err = errors.Join(err, fmt.Errorf("close connection: %w", cerr))
			}
			return nil, err
		}
	}
	return c, nil
}

// noEndpointError is an HTTP 404 to the WebSocket upgrade: no such API at
// the URL. It is a config error; the protocol detection falls back on it.
type noEndpointError struct{ url string }

func (e *noEndpointError) Error() string {
	return "connect to " + e.url + ": HTTP 404: no such API there"
}

func (e *noEndpointError) Unwrap() error { return source.ErrConfig }

// dialError classifies a failed dial; ctx is the caller's, whose
// cancellation is reported as such, dialCtx the one bounded by the timeout.
func dialError(ctx, dialCtx context.Context, o options, url string, res *http.Response, err error) error {
	what := "connect to " + url
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", what, ctxErr)
	}
	if terr := source.TLSError(what, o.host, err); terr != nil {
		return terr
	}
	if res != nil {
		switch res.StatusCode {
		case http.StatusNotFound:
			return &noEndpointError{url: url}
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("%s: HTTP %s: %w", what, res.Status, source.ErrAuth)
		}
		return fmt.Errorf("%s: HTTP %s: %w", what, res.Status, source.ErrUnreachable)
	}
	if dialCtx.Err() != nil {
		return fmt.Errorf("%s: no answer within %s: %w", what, o.timeout, source.ErrUnreachable)
	}
	return fmt.Errorf("%s: %w: %w", what, err, source.ErrUnreachable)
}

// newHTTPClient builds the client of the WebSocket handshake with the TLS
// settings; the handshake's deadline comes from the dial context.
func newHTTPClient(o options) (*http.Client, error) {
	tr, err := o.tls.Transport()
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: tr}, nil
}

// call invokes method with params and decodes its result into out (nil
// discards it). A JSON-RPC error answer is an *RPCError; an answer that is
// not JSON-RPC, or a result of the wrong shape, wraps source.ErrMalformed;
// a connection that fails or stays silent past the timeout wraps
// source.ErrUnreachable.
func (c *conn) call(ctx context.Context, method string, params []any, out any) error {
	if params == nil {
		params = []any{}
	}
	c.nextID++
	id := c.nextID
	req, err := c.encodeCall(id, method, params)
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", method, err)
	}
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := c.ws.Write(callCtx, websocket.MessageText, req); err != nil {
		return c.transportError(ctx, method, "send", err)
	}
	for {
		typ, msg, err := c.ws.Read(callCtx)
		if err != nil {
			return c.transportError(ctx, method, "read answer", err)
		}
		if typ != websocket.MessageText {
			return fmt.Errorf("%s: answer is a binary message: %w", method, source.ErrMalformed)
		}
		decode := decodeAnswer
		if c.legacy {
			decode = decodeLegacyAnswer
		}
		done, err := decode(method, id, msg, out)
		if done || err != nil {
			return err
		}
	}
}

// encodeCall frames a call in the session's protocol.
func (c *conn) encodeCall(id int, method string, params []any) ([]byte, error) {
	if c.legacy {
		return json.Marshal(map[string]any{"id": strconv.Itoa(id), "msg": "method", "method": method, "params": params})
	}
	return json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

// decodeAnswer reads one JSON-RPC message; done is false for a notification, which
// the caller skips.
func decodeAnswer(method string, id int, msg []byte, out any) (done bool, err error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(msg, &env); err != nil {
		return true, fmt.Errorf("%s: answer is not JSON-RPC (%s): %w", method, snippet(msg), source.ErrMalformed)
	}
	rawID, hasID := env["id"]
	if !hasID || string(rawID) == "null" {
		if _, isNote := env["method"]; isNote {
			return false, nil
		}
	}
	if e, ok := env["error"]; ok && string(e) != "null" {
		var we wireError
		if err := json.Unmarshal(e, &we); err != nil {
			return true, fmt.Errorf("%s: error answer unreadable (%s): %w", method, snippet(e), source.ErrMalformed)
		}
		re := &RPCError{Method: method, Code: we.Code, Message: we.Message}
		if we.Data != nil {
			re.Errno, re.Errname, re.Reason = we.Data.Errno, we.Data.Errname, strings.TrimSpace(we.Data.Reason)
		}
		return true, re
	}
	var gotID int
	if err := json.Unmarshal(rawID, &gotID); err != nil || gotID != id {
		return true, fmt.Errorf("%s: answer has id %s, want %d: %w", method, strings.Trim(snippet(rawID), `"`), id, source.ErrMalformed)
	}
	result, ok := env["result"]
	if !ok {
		return true, fmt.Errorf("%s: answer has neither result nor error: %w", method, source.ErrMalformed)
	}
	if out == nil {
		return true, nil
	}
	if err := json.Unmarshal(result, out); err != nil {
		return true, fmt.Errorf("%s: unexpected result: %w: %w", method, err, source.ErrMalformed)
	}
	return true, nil
}

// transportError classifies a failed read or write. The caller's
// cancellation is reported as such; the call's own deadline and a dropped
// connection mean the system is unreachable.
func (c *conn) transportError(ctx context.Context, method, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %s: %w", method, what, ctxErr)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: no answer from %s within %s: %w", method, c.host, c.timeout, source.ErrUnreachable)
	}
	if errors.Is(err, websocket.ErrMessageTooBig) {
		return fmt.Errorf("%s: answer larger than %d bytes: %w", method, maxMessage, source.ErrMalformed)
	}
	return fmt.Errorf("%s: %s: %w: %w", method, what, err, source.ErrUnreachable)
}

// close ends the session with a normal closure; the middleware drops the
// session's login with it.
func (c *conn) close() error {
	err := c.ws.Close(websocket.StatusNormalClosure, "")
	if err != nil && websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		return fmt.Errorf("close connection: %w", err)
	}
	return nil
}

// snippet shows the start of a message in an error, enough to recognise it.
func snippet(b []byte) string {
	const max = 80
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return fmt.Sprintf("%q", s)
}
