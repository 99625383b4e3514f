package truenas

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/coder/websocket"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// The legacy protocol is the middleware's WebSocket API at /websocket, the
// only one TrueNAS CORE 13 and SCALE up to 24.10 serve (later releases keep
// it, deprecated): a "connect" message answered by "connected", then
// {"id","msg":"method","method","params"} calls answered by
// {"msg":"result","id","result"} or an "error" member holding errno,
// errname (SCALE only), type, reason, trace and extra.

// legacyErrnames names the errnos CORE's answers carry without an errname
// (FreeBSD's numbers; the middleware's own from 201 on).
var legacyErrnames = map[int]string{
	2: "ENOENT", 11: "EAGAIN", 13: errnameAccessDenied, 14: "EFAULT", 16: errnameBusy, 22: "EINVAL",
	59: errnameTooManyCalls, 201: errnameNoMethod, 207: errnameNotAuth,
}

// reasonErrname reads the "[EACCES] " a reason starts with.
var reasonErrname = regexp.MustCompile(`^\[([A-Z0-9_]+)\]\s*`)

// handshake opens the legacy session: version 1, the only one there is.
func (c *conn) handshake(ctx context.Context) error {
	const what = "legacy API handshake"
	msg, err := json.Marshal(map[string]any{"msg": "connect", "version": "1", "support": []string{"1"}})
	if err != nil {
		return fmt.Errorf("%s: encode: %w", what, err)
	}
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := c.ws.Write(callCtx, websocket.MessageText, msg); err != nil {
		return c.transportError(ctx, what, "send", err)
	}
	for {
		_, answer, err := c.ws.Read(callCtx)
		if err != nil {
			return c.transportError(ctx, what, "read answer", err)
		}
		if done, err := handshakeAnswer(what, c.url, answer); done {
			return err
		}
	}
}

// handshakeAnswer reads one message of the legacy handshake: done with no
// error on "connected", done with an error on a refusal or an answer that
// is not the protocol, not done on the events and pings it skips.
func handshakeAnswer(what, url string, answer []byte) (done bool, err error) {
	var env struct {
		Msg     string `json:"msg"`
		Session string `json:"session"`
	}
	if err := json.Unmarshal(answer, &env); err != nil {
		return true, fmt.Errorf("%s: answer is not the legacy protocol (%s): %w", what, snippet(answer), source.ErrMalformed)
	}
	switch env.Msg {
	case "connected":
		return true, nil
	case "failed":
		return true, fmt.Errorf("%s: TrueNAS refused protocol version 1 at %s: %w", what, url, source.ErrConfig)
	case "ping", "pong", "ready", "added", "changed", "removed":
		return false, nil
	}
	return true, fmt.Errorf("%s: unexpected answer %s: %w", what, snippet(answer), source.ErrMalformed)
}

// legacyAnswer is a message of the legacy protocol.
type legacyAnswer struct {
	Msg    string          `json:"msg"`
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// legacyWireError is the error member of a legacy answer.
type legacyWireError struct {
	Errno   int    `json:"error"`
	Errname string `json:"errname"`
	Type    string `json:"type"`
	Reason  string `json:"reason"`
}

// decodeLegacyAnswer reads one legacy message; done is false for an event
// or a pong, which the caller skips.
func decodeLegacyAnswer(method string, id int, msg []byte, out any) (done bool, err error) {
	var a legacyAnswer
	if err := json.Unmarshal(msg, &a); err != nil {
		return true, fmt.Errorf("%s: answer is not the legacy protocol (%s): %w", method, snippet(msg), source.ErrMalformed)
	}
	switch a.Msg {
	case "result":
	case "failed":
		return true, fmt.Errorf("%s: TrueNAS dropped the legacy session (\"failed\"): %w", method, source.ErrUnreachable)
	case "added", "changed", "removed", "ready", "nosub", "pong", "ping":
		return false, nil
	default:
		return true, fmt.Errorf("%s: answer is not the legacy protocol (%s): %w", method, snippet(msg), source.ErrMalformed)
	}
	var gotID string
	if err := json.Unmarshal(a.ID, &gotID); err != nil || gotID != strconv.Itoa(id) {
		shown := strings.Trim(string(a.ID), `"`)
		if len(shown) > 40 {
			shown = shown[:40] + "…"
		}
		return true, fmt.Errorf("%s: answer has id %q, want %q: %w", method, shown, strconv.Itoa(id), source.ErrMalformed)
	}
	if len(a.Error) > 0 && string(a.Error) != "null" {
		var we legacyWireError
		if err := json.Unmarshal(a.Error, &we); err != nil {
			return true, fmt.Errorf("%s: error answer unreadable (%s): %w", method, snippet(a.Error), source.ErrMalformed)
		}
		return true, legacyError(method, we)
	}
	if a.Result == nil {
		return true, fmt.Errorf("%s: answer has neither result nor error: %w", method, source.ErrMalformed)
	}
	if out == nil {
		return true, nil
	}
	if err := json.Unmarshal(a.Result, out); err != nil {
		return true, fmt.Errorf("%s: unexpected result: %w: %w", method, err, source.ErrMalformed)
	}
	return true, nil
}

// legacyError turns a legacy error member into an *RPCError; CORE sends no
// errname, which the errno or the reason's "[EACCES]" prefix gives.
func legacyError(method string, we legacyWireError) *RPCError {
	reason := strings.TrimSpace(we.Reason)
	name := we.Errname
	if m := reasonErrname.FindStringSubmatch(reason); m != nil {
		reason = strings.TrimSpace(reason[len(m[0]):])
		if name == "" {
			name = m[1]
		}
	}
	if name == "" {
		name = legacyErrnames[we.Errno]
	}
	return &RPCError{Method: method, Errno: we.Errno, Errname: name, Reason: reason}
}

// legacyErrorText is the text of a legacy error answer.
func legacyErrorText(e *RPCError) string {
	s := e.Method + ": TrueNAS answered error"
	switch {
	case e.Errname != "":
		s += " [" + e.Errname + "]"
	case e.Errno != 0:
		s += " " + strconv.Itoa(e.Errno)
	}
	if e.Reason != "" {
		s += " " + e.Reason
	}
	return s
}
