package homeassistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// maxMessageBytes bounds one message. The device registry of a large home
// is a few megabytes in one message, far beyond the library's 32 KiB
// default; the bound keeps a broken peer from exhausting memory.
const maxMessageBytes = 64 << 20

// CommandError is a command Home Assistant answered with success false.
// It counts as source.ErrAuth when the code is "unauthorized".
type CommandError struct {
	Command string // "config/device_registry/list"
	Code    string // "unknown_command", "unauthorized", "home_assistant_error", ...
	Message string
}

func (e *CommandError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("home assistant refused %s: %s", e.Command, e.Code)
	}
	return fmt.Sprintf("home assistant refused %s: %s: %s", e.Command, e.Code, e.Message)
}

// Is makes errors.Is(err, source.ErrAuth) hold for a refusal on grounds of
// permission, which no retry heals.
func (e *CommandError) Is(target error) bool {
	return target == source.ErrAuth && e.Code == "unauthorized"
}

// client is one authenticated WebSocket connection. It is used by one
// goroutine at a time: each call writes a command and reads until its
// result.
type client struct {
	ws      *websocket.Conn
	log     *zap.Logger
	timeout time.Duration
	nextID  int64
	version string // Home Assistant's version, from auth_ok
}

// newHTTPClient builds the client of the WebSocket handshake: the TLS
// settings, and HTTP/1.1 only, since the upgrade does not exist in HTTP/2.
func newHTTPClient(o options) (*http.Client, error) {
	tr, err := o.tls.Transport()
	if err != nil {
		return nil, err
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	tr.Protocols = &protocols
	return &http.Client{Transport: tr}, nil
}

// connect opens the WebSocket and authenticates with the token. The
// caller closes the client.
func (s *Source) connect(ctx context.Context, token string) (*client, error) {
	hc, err := newHTTPClient(s.opts)
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	ws, res, err := websocket.Dial(dctx, s.opts.wsURL, &websocket.DialOptions{
		HTTPClient: hc,
		HTTPHeader: http.Header{"User-Agent": {source.UserAgent}},
	})
	if err != nil {
		hc.CloseIdleConnections()
		return nil, s.dialError(ctx, res, err)
	}
	ws.SetReadLimit(maxMessageBytes)
	c := &client{ws: ws, log: s.Log, timeout: s.opts.Timeout}
	if err := c.authenticate(ctx, token); err != nil {
		c.abort()
		return nil, err
	}
	return c, nil
}

// dialError classifies a failed handshake.
func (s *Source) dialError(ctx context.Context, res *http.Response, err error) error {
	where := "connect to " + s.opts.wsURL
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", where, ctxErr)
	}
	if res != nil {
		switch res.StatusCode {
		case http.StatusForbidden:
			// Home Assistant answers 403 to an address it banned after
			// failed logins (http: ip_ban_enabled).
			return fmt.Errorf("%s: %s; if Home Assistant banned this address after failed logins, remove it from ip_bans.yaml: %w",
				where, res.Status, source.ErrAuth)
		case http.StatusUnauthorized:
			return fmt.Errorf("%s: %s: %w", where, res.Status, source.ErrAuth)
		case http.StatusNotFound:
			return fmt.Errorf("%s: %s: no WebSocket API there; check url: %w", where, res.Status, source.ErrConfig)
		}
		return fmt.Errorf("%s: %s: %w", where, res.Status, source.ErrUnreachable)
	}
	if terr := source.TLSError(where, "", err); terr != nil {
		return terr
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: no answer within %s: %w", where, s.opts.Timeout, source.ErrUnreachable)
	}
	return fmt.Errorf("%s: %w: %w", where, err, source.ErrUnreachable)
}

// authenticate runs the auth phase: auth_required, then auth with the
// token, then auth_ok or auth_invalid.
func (c *client) authenticate(ctx context.Context, token string) error {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	first, err := c.read(actx)
	if err != nil {
		return c.failure(ctx, "wait for auth_required", err)
	}
	switch first.Type {
	case msgAuthRequired:
	case msgAuthOK:
		// a connection the server authenticated by itself (the Supervisor's proxy)
		c.version = first.HAVersion
		return nil
	default:
		return fmt.Errorf("wait for auth_required: got a %q message: %w", first.Type, source.ErrMalformed)
	}
	if err := c.write(actx, authMessage{Type: msgAuth, AccessToken: token}); err != nil {
		return c.failure(ctx, "send auth", err)
	}
	answer, err := c.read(actx)
	if err != nil {
		return c.failure(ctx, "wait for auth_ok", err)
	}
	version, err := authAnswer(answer, token)
	if err != nil {
		return err
	}
	c.version = version
	return nil
}

// authAnswer reads the answer to the auth message: Home Assistant's
// version on auth_ok, an ErrAuth on auth_invalid, an ErrMalformed on any
// other message; what the server sent has the token taken out, should it
// echo it, before it enters the error.
func authAnswer(answer *envelope, token string) (string, error) {
	switch answer.Type {
	case msgAuthOK:
		return answer.HAVersion, nil
	case msgAuthInvalid:
		msg := strings.ReplaceAll(answer.Message, token, "[token]")
		return "", fmt.Errorf("home assistant refused the access token (%s); create a long-lived access token in the user's profile: %w",
			msg, source.ErrAuth)
	}
	return "", fmt.Errorf("wait for auth_ok: got a %q message: %w", strings.ReplaceAll(answer.Type, token, "[token]"), source.ErrMalformed)
}

// call sends a command and decodes its result into out. Messages that are
// not the command's result are skipped.
func (c *client) call(ctx context.Context, cmd string, out any) error {
	c.nextID++
	id := c.nextID
	cctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := c.write(cctx, command{ID: id, Type: cmd}); err != nil {
		return c.failure(ctx, cmd, err)
	}
	for {
		msg, err := c.read(cctx)
		if err != nil {
			return c.failure(ctx, cmd, err)
		}
		if msg.Type != msgResult || msg.ID != id {
			continue
		}
		return msg.commandResult(cmd, out)
	}
}

// commandResult decodes the result of command cmd into out: a
// *CommandError when Home Assistant refused it, ErrMalformed when the
// result is empty or not what out holds.
func (e *envelope) commandResult(cmd string, out any) error {
	if !e.Success {
		ce := &CommandError{Command: cmd, Code: "unknown_error"}
		if e.Error != nil {
			ce.Code, ce.Message = e.Error.Code, e.Error.Message
		}
		return ce
	}
	if len(e.Result) == 0 || string(e.Result) == "null" {
		return fmt.Errorf("%s: result is empty: %w", cmd, source.ErrMalformed)
	}
	if err := json.Unmarshal(e.Result, out); err != nil {
		return fmt.Errorf("%s: decode result: %w: %w", cmd, err, source.ErrMalformed)
	}
	return nil
}

func (c *client) write(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	return c.ws.Write(ctx, websocket.MessageText, b)
}

func (c *client) read(ctx context.Context) (*envelope, error) {
	typ, data, err := c.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	return decodeMessage(typ, data)
}

// decodeMessage reads one message of the WebSocket API.
func decodeMessage(typ websocket.MessageType, data []byte) (*envelope, error) {
	if typ != websocket.MessageText {
		return nil, fmt.Errorf("got a binary message: %w", source.ErrMalformed)
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("decode message: %w: %w", err, source.ErrMalformed)
	}
	return &env, nil
}

// failure classifies an exchange that failed; ctx is the caller's, so that
// its cancellation is told apart from the step's own timeout.
func (c *client) failure(ctx context.Context, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", what, ctxErr)
	}
	switch {
	case errors.Is(err, source.ErrMalformed):
		return fmt.Errorf("%s: %w", what, err)
	case errors.Is(err, websocket.ErrMessageTooBig):
		return fmt.Errorf("%s: answer larger than %d MiB: %w", what, maxMessageBytes>>20, source.ErrMalformed)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: no answer within %s: %w", what, c.timeout, source.ErrUnreachable)
	}
	if status := websocket.CloseStatus(err); status != -1 {
		var ce websocket.CloseError
		reason := ""
		if errors.As(err, &ce) && ce.Reason != "" {
			reason = ": " + ce.Reason
		}
		return fmt.Errorf("%s: home assistant closed the connection (%s%s): %w", what, status, reason, source.ErrUnreachable)
	}
	return fmt.Errorf("%s: %w: %w", what, err, source.ErrUnreachable)
}

// close ends the connection with a normal closure. A failure to close
// cleanly loses nothing that was read, so it is only logged.
func (c *client) close() {
	if err := c.ws.Close(websocket.StatusNormalClosure, ""); err != nil {
		c.log.Debug("websocket not closed cleanly", zap.Error(err))
	}
}

// abort drops the connection without the closing handshake, after an
// error that is reported already.
func (c *client) abort() {
	if err := c.ws.CloseNow(); err != nil {
		c.log.Debug("websocket dropped", zap.Error(err))
	}
}
