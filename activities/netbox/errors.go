package netbox

import (
	"errors"
	"fmt"
	"net/http"
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

// IsNotFound reports whether err is a 404.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
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
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
