package truenas

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// Login methods of the middleware.
const (
	methodLoginWithAPIKey = "auth.login_with_api_key"
	methodLoginEx         = "auth.login_ex"
)

// keyID is the public part of an API key ("3" of "3-Xk…"), which TrueNAS
// shows next to the key's name; errors name the key by it, never by the key.
func keyID(key string) string {
	id, _, _ := strings.Cut(key, "-")
	return id
}

// validKey reports whether key has the form of a TrueNAS API key:
// "<id>-<secret>" with a numeric id.
func validKey(key string) bool {
	id, secret, ok := strings.Cut(key, "-")
	if !ok || id == "" || secret == "" {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// loginResponse is auth.login_ex's answer.
type loginResponse struct {
	ResponseType string   `json:"response_type"`
	URLs         []string `json:"urls"`
}

// login authenticates the session with the API key: auth.login_ex with the
// key's user when username is set on a JSON-RPC session, else
// auth.login_with_api_key (the only API key login CORE 13 and SCALE 24.10
// have). Nothing
// the server answers is allowed to carry the key into an error.
func (c *conn) login(ctx context.Context, username, key string) error {
	err := c.loginOnce(ctx, username, key)
	if err == nil {
		return nil
	}
	return redactError(err, key)
}

func (c *conn) loginOnce(ctx context.Context, username, key string) error {
	who := "API key " + keyID(key)
	if username == "" || c.legacy {
		var ok bool
		err := c.call(ctx, methodLoginWithAPIKey, []any{key}, &ok)
		var re *RPCError
		switch {
		case errors.As(err, &re) && re.methodNotFound() && !c.legacy:
			return fmt.Errorf("%s is not offered by this TrueNAS (removed in 27): set username to the user %s belongs to, so that %s is used: %w",
				methodLoginWithAPIKey, who, methodLoginEx, source.ErrConfig)
		case err != nil:
			return loginError(err)
		case !ok:
			return fmt.Errorf("TrueNAS refused %s (wrong, expired or revoked key; a key once sent over plain http is revoked): %w", who, source.ErrAuth)
		}
		return nil
	}

	var res loginResponse
	err := c.call(ctx, methodLoginEx, []any{map[string]any{
		"mechanism":     "API_KEY_PLAIN",
		"username":      username,
		"api_key":       key,
		"login_options": map[string]any{"user_info": false},
	}}, &res)
	if err != nil {
		return loginError(err)
	}
	switch res.ResponseType {
	case "SUCCESS":
		return nil
	case "AUTH_ERR":
		return fmt.Errorf("TrueNAS refused %s for user %s (wrong key or user; a revoked key stays refused until it is reset): %w", who, username, source.ErrAuth)
	case "EXPIRED":
		return fmt.Errorf("%s of user %s has expired: %w", who, username, source.ErrAuth)
	case "DENIED":
		return fmt.Errorf("user %s may not use the API (%s): give the user a privilege with API access: %w", username, who, source.ErrAuth)
	case "OTP_REQUIRED":
		return fmt.Errorf("TrueNAS asks user %s for a one-time password, which an API key login cannot give: %w", username, source.ErrAuth)
	case "REDIRECT":
		return fmt.Errorf("TrueNAS redirects the login to %s (the standby controller of an HA pair answered): point url at the active controller or the virtual IP: %w",
			strings.Join(res.URLs, ", "), source.ErrConfig)
	}
	return fmt.Errorf("%s: unexpected response_type %q: %w", methodLoginEx, res.ResponseType, source.ErrMalformed)
}

// loginError classifies a failed login call: the middleware's rate limit on
// unauthenticated calls passes with time, bad parameters do not.
func loginError(err error) error {
	var re *RPCError
	if !errors.As(err, &re) {
		return err
	}
	switch {
	case re.Errname == errnameBusy || re.tooManyCalls():
		return fmt.Errorf("%w; wait for TrueNAS's login rate limit to pass: %w", err, source.ErrUnreachable)
	case re.invalidParams() || re.methodNotFound():
		return fmt.Errorf("%w: %w", err, source.ErrConfig)
	}
	return fmt.Errorf("%w: %w", err, source.ErrAuth)
}

// redactedError keeps an error's class while its text never shows the key:
// it unwraps to the source error classes alone, since whatever records an
// error's causes (Temporal's failure chain) prints each one.
type redactedError struct {
	msg     string
	classes []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.classes }

func redactError(err error, key string) error {
	msg := err.Error()
	if key == "" || !strings.Contains(msg, key) {
		return err
	}
	r := &redactedError{msg: strings.ReplaceAll(msg, key, "[api key]")}
	for _, class := range []error{source.ErrAuth, source.ErrConfig, source.ErrUnreachable, source.ErrMalformed, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, class) {
			r.classes = append(r.classes, class)
		}
	}
	return r
}
