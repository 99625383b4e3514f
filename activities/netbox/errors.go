package netbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// APIError is a NetBox answer outside 2xx. The caller classifies it:
// 400 is a validation failure (not retryable), 401/403 an auth failure (not
// retryable), 404 on a delete means the object is gone, 429 is retried
// after RetryAfter, 5xx is retried with backoff.
type APIError struct {
	Status     int           `json:"status"`
	Method     string        `json:"method"`
	Path       string        `json:"path"`
	Body       string        `json:"body,omitempty"`
	RetryAfter time.Duration `json:"retry_after,omitempty"`
}

// maxErrorBody bounds the body kept in an APIError, so that an HTML error
// page does not end up whole in a workflow history.
const maxErrorBody = 4096

// redacted stands for a secret removed from text.
const redacted = "[redacted]"

// scrubSecrets removes API tokens from text NetBox sent (an error page
// may echo the request's headers), before it enters an error or a log:
// the agent's own token, given by its Authorization header auth, and
// anything shaped like a token: an Authorization value (Token or Bearer
// and a word of 8 or more characters), a v2 token (nbt_<key>.<secret>)
// and a v1 token (40 hex digits). The secret of the agent's own v2 token
// goes too when it appears without its key.
func scrubSecrets(text, auth string) string {
	if f := strings.Fields(auth); len(f) > 0 && len(f[len(f)-1]) >= 8 {
		token := f[len(f)-1]
		text = strings.ReplaceAll(text, token, redacted)
		// a v2 token's secret is the part after its key's dot, and a
		// page may echo it alone
		if _, secret, ok := strings.Cut(token, "."); ok && strings.HasPrefix(token, "nbt_") && len(secret) >= 8 {
			text = strings.ReplaceAll(text, secret, redacted)
		}
	}
	text = authShape.ReplaceAllString(text, "${1}${2}"+redacted)
	text = v2TokenShape.ReplaceAllString(text, redacted)
	return v1TokenShape.ReplaceAllString(text, redacted)
}

// The shapes of tokens scrubSecrets removes: an Authorization value, a v2
// token, a v1 token.
var (
	authShape    = regexp.MustCompile(`(?i)\b(Token|Bearer)(\s+)[A-Za-z0-9_.\-]{8,}`)
	v2TokenShape = regexp.MustCompile(`nbt_[A-Za-z0-9_.\-]+`)
	v1TokenShape = regexp.MustCompile(`\b[0-9a-fA-F]{40}\b`)
)

// Error names the request and NetBox's answer; the token is never part of it.
func (e *APIError) Error() string {
	body := strings.TrimSpace(e.Body)
	if body == "" {
		return fmt.Sprintf("netbox %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("netbox %s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), body)
}

// Retryable reports whether repeating the request may succeed: 429, 5xx
// and 408.
func (e *APIError) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout || e.Status >= 500
}

// IsValidation reports whether err is NetBox refusing a request body (400).
func IsValidation(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusBadRequest
}

// IsAuth reports whether err is NetBox refusing the token (401 or 403).
func IsAuth(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden)
}

// RetryAfter returns the delay NetBox asked for with a 429, or 0.
func RetryAfter(err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests {
		return ae.RetryAfter
	}
	return 0
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return 0
		}
		if s > int(math.MaxInt64/time.Second) {
			// more seconds than a Duration holds: as long as it can be
			return math.MaxInt64
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// AnswerError is a NetBox answer the agent cannot read: a body that is not
// the JSON NetBox sends, or a field whose shape or value the engine has no
// reading for. Asking again gets the same answer, so it is not retryable.
// It names the endpoint, the object and the value itself; callers add no
// more than the step they were at.
type AnswerError struct {
	Endpoint string `json:"endpoint"`         // "dcim/interfaces"
	Object   string `json:"object,omitempty"` // "#12 eth0"; empty when the whole answer is unreadable
	Field    string `json:"field,omitempty"`
	Value    string `json:"value,omitempty"` // as NetBox sent it, cut short
	Problem  string `json:"problem"`
}

// maxAnswerValue bounds the value an AnswerError quotes.
const maxAnswerValue = 200

// Error names the endpoint, the object, the field and its value once.
func (e *AnswerError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "netbox answer of /api/%s/ cannot be read", e.Endpoint)
	if e.Object != "" {
		fmt.Fprintf(&b, ": object %s", e.Object)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s", e.Problem)
	if e.Value != "" {
		fmt.Fprintf(&b, ": %s", e.Value)
	}
	return b.String()
}

// quote renders a value for an AnswerError as JSON (text as a Go-quoted
// string), cut to maxAnswerValue.
func quote(v any) string {
	var s string
	if str, ok := v.(string); ok {
		s = strconv.Quote(str)
	} else {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			s = fmt.Sprint(v)
		} else {
			s = strings.TrimSpace(b.String())
		}
	}
	if len(s) > maxAnswerValue {
		s = s[:maxAnswerValue] + "..."
	}
	return s
}

// UnsupportedError is a NetBox release the agent does not work with.
type UnsupportedError struct {
	Version string `json:"version"`
}

// Error names the release and the oldest one the agent takes.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("netbox %s is not supported: the agent needs NetBox %s or later (MAC address objects came with 4.2)",
		e.Version, MinVersion)
}

// SettingError is a setting whose value the connected NetBox does not
// take, such as an interface type the NetBox release does not know.
type SettingError struct {
	Setting string `json:"setting"`
	Value   string `json:"value"`
	Problem string `json:"problem"`
}

// Error names the setting and its value.
func (e *SettingError) Error() string {
	return fmt.Sprintf("setting %s: %q %s", e.Setting, e.Value, e.Problem)
}

// SchemaError is NetBox's schema standing in the agent's way in a way only
// an operator can change: a custom field of another type, or one the agent
// cannot create itself.
type SchemaError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// Error names the custom field and what is wrong with it.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("custom field %s %s", e.Field, e.Problem)
}
