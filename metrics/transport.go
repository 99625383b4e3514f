package metrics

import (
	"net/http"
	"strings"
	"time"
)

// Transport wraps next so that every request to NetBox is counted by
// method, endpoint family and status code, and timed.
func (m *Metrics) Transport(next http.RoundTripper) http.RoundTripper {
	if m == nil {
		return next
	}
	return &transport{next: next, m: m}
}

type transport struct {
	next http.RoundTripper
	m    *Metrics
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	code := 0
	if err == nil {
		code = resp.StatusCode
	}
	t.m.Request(req.Method, Endpoint(req.URL.Path), code, time.Since(start))
	return resp, err
}

// Endpoint is the endpoint family of a NetBox API path, the label that
// keeps the request metrics' series bounded: the app and the resource
// ("/api/dcim/devices/12/" is dcim/devices), or the app alone for
// endpoints without a resource (status). A path outside /api/ is "other".
func Endpoint(path string) string {
	i := strings.Index(path, "/api/")
	if i < 0 {
		return "other"
	}
	var parts []string
	for _, p := range strings.Split(path[i+len("/api/"):], "/") {
		if p == "" || !plainSegment(p) {
			break
		}
		parts = append(parts, p)
		if len(parts) == 2 {
			break
		}
	}
	if len(parts) == 0 {
		return "root"
	}
	return strings.Join(parts, "/")
}

// plainSegment reports whether a path segment names an app or a resource
// (lower-case letters, digits after the first, - and _), not an ID.
func plainSegment(s string) bool {
	if s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
