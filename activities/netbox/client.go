package netbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// Client talks to one NetBox over its REST API. It is safe for concurrent
// use; the rate limit and the in-flight limit hold across all callers.
type Client struct {
	cfg     Config
	base    *url.URL // ends in /api/
	http    *http.Client
	auth    string // Authorization header value; never logged
	log     *zap.Logger
	limiter *rate.Limiter
	slots   chan struct{}
	// retryBase is the first backoff of a retried GET; tests shorten it.
	retryBase time.Duration
	requests  atomic.Int64
	// schemaReady is set once Prepare succeeded, so that Plan need not
	// look the agent tag up again.
	schemaReady atomic.Bool
	// ids remembers the IDs of objects created or looked up while applying
	// a plan, so that later batches need not look their parents up again.
	ids idCache
}

// maxRetryAfter is the longest Retry-After a read waits for itself; longer
// waits go back to the caller, which can sleep without holding a request slot.
const maxRetryAfter = 30 * time.Second

// NewClient checks cfg and builds a client. The token is kept only in the
// Authorization header: `Bearer` for v2 keys (nbt_...), `Token` otherwise.
func NewClient(cfg Config, token string, log *zap.Logger) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("netbox config: %w", err)
	}
	u, err := validateURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errors.New("netbox token is empty")
	}
	base := *u
	base.Path = strings.TrimSuffix(strings.TrimSuffix(base.Path, "/"), "/api") + "/api/"
	base.RawQuery, base.Fragment = "", ""

	tlsCfg, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsCfg
	transport.MaxIdleConnsPerHost = cfg.MaxInFlight

	if log == nil {
		log = zap.NewNop()
	}
	c := &Client{
		cfg:       cfg,
		base:      &base,
		http:      &http.Client{Transport: transport, Timeout: cfg.Timeout},
		auth:      authHeader(token),
		log:       log.With(zap.String("netbox", base.Redacted())),
		slots:     make(chan struct{}, cfg.MaxInFlight),
		retryBase: 250 * time.Millisecond,
	}
	if cfg.RateLimit > 0 {
		burst := int(cfg.RateLimit)
		if burst < 1 {
			burst = 1
		}
		c.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), burst)
	}
	return c, nil
}

// tlsConfig is the TLS configuration of the client: TLS 1.2 or newer, as
// for the sources' clients (source.TLSConfig); the roots of cfg.CAFile
// when it is set; no verification only when the operator asked for it by
// name.
func tlsConfig(cfg Config) (*tls.Config, error) {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify} //nolint:gosec // an explicit user setting
	if cfg.CAFile == "" {
		return tlsCfg, nil
	}
	pem, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("read netbox ca file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("netbox ca file %s: no certificate found", cfg.CAFile)
	}
	tlsCfg.RootCAs = pool
	return tlsCfg, nil
}

// authHeader chooses the scheme by the key's form: v2 keys (NetBox 4.5+)
// start with nbt_ and go as Bearer; 40-hex v1 keys go as Token.
func authHeader(token string) string {
	if strings.HasPrefix(token, "nbt_") {
		return "Bearer " + token
	}
	return "Token " + token
}

// WrapTransport wraps the client's HTTP transport (for request metrics).
// It must be called before the client's first request.
func (c *Client) WrapTransport(wrap func(http.RoundTripper) http.RoundTripper) {
	c.http.Transport = wrap(c.http.Transport)
}

// Requests returns how many HTTP requests the client has sent.
func (c *Client) Requests() int64 { return c.requests.Load() }

// Ping checks that NetBox answers and accepts the token.
func (c *Client) Ping(ctx context.Context) error {
	if _, err := c.get(ctx, "status/", nil); err != nil {
		return fmt.Errorf("netbox status: %w", err)
	}
	// status/ answers without a token on many installs; a list proves the
	// token works.
	q := url.Values{"limit": {"1"}}
	if _, err := c.get(ctx, "extras/tags/", q); err != nil {
		return fmt.Errorf("netbox tags: %w", err)
	}
	return nil
}

// get sends a GET and retries it on 429, 5xx and transport errors.
func (c *Client) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	return c.read(ctx, http.MethodGet, path, q)
}

// read sends a request that changes nothing (GET, OPTIONS) and retries it
// on 429, 5xx and transport errors.
func (c *Client) read(ctx context.Context, method, path string, q url.Values) ([]byte, error) {
	var last error
	for attempt := 0; attempt <= c.cfg.ReadRetries; attempt++ {
		if attempt > 0 {
			wait := c.retryBase << (attempt - 1)
			if ra := RetryAfter(last); ra > 0 {
				if ra > maxRetryAfter {
					return nil, last
				}
				wait = ra
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("wait to retry: %w", errors.Join(ctx.Err(), last))
			case <-t.C:
			}
		}
		body, err := c.do(ctx, method, path, q, nil)
		if err == nil {
			return body, nil
		}
		last = err
		if !retryable(ctx, err) {
			return nil, err
		}
		c.log.Debug("netbox read failed, retrying", zap.String("method", method), zap.String("path", path), zap.Int("attempt", attempt+1), zap.Error(err))
	}
	return nil, last
}

// retryable reports whether a failed request may succeed when repeated.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Retryable()
	}
	return true // transport errors: resets, timeouts, refused connections
}

// send sends one write request with a JSON body; writes are not retried
// here because the caller retries whole idempotent batches.
func (c *Client) send(ctx context.Context, method, path string, body any) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", method, path, err)
	}
	return c.do(ctx, method, path, nil, data)
}

// sendList sends a bulk write. note, when set, is the changelog_message
// of every object in it: NetBox 4.4+ takes it as a field of each item, on
// a bulk DELETE too, and records it with each change.
func (c *Client) sendList(ctx context.Context, method, path string, bodies []map[string]any, note string) ([]byte, error) {
	if note == "" {
		return c.send(ctx, method, path, bodies)
	}
	noted := make([]map[string]any, len(bodies))
	for i, b := range bodies {
		m := make(map[string]any, len(b)+1)
		for k, v := range b {
			m[k] = v
		}
		m["changelog_message"] = note
		noted[i] = m
	}
	return c.send(ctx, method, path, noted)
}

// do sends one request within the rate and in-flight limits.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body []byte) ([]byte, error) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("rate limit: %w", err)
		}
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a request slot: %w", ctx.Err())
	}
	defer func() { <-c.slots }()

	u := c.base.JoinPath(path)
	if strings.HasSuffix(path, "/") && !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if b := branchOf(ctx); b != "" {
		req.Header.Set(BranchHeader, b)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("netbox %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read netbox %s %s: %w", method, path, err)
	}
	if int64(len(data)) > c.cfg.MaxResponseBytes {
		return nil, &AnswerError{Endpoint: strings.Trim(path, "/"),
			Problem: fmt.Sprintf("the answer to %s is larger than %d bytes (netbox.max_response_bytes); lower netbox.page_size", method, c.cfg.MaxResponseBytes)}
	}
	c.log.Debug("netbox request", zap.String("method", method), zap.String("path", path),
		zap.Int("status", resp.StatusCode), zap.Int("bytes", len(data)), zap.Duration("took", time.Since(start)))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.apiError(method, path, resp.StatusCode, resp.Header.Get("Retry-After"), data, time.Now())
	}
	return data, nil
}

// apiError is the error of an answer outside 2xx: its body with the
// token and anything shaped like one taken out, cut to maxErrorBody, and
// its Retry-After header read at now, up to netbox.max_retry_after.
func (c *Client) apiError(method, path string, status int, retryAfter string, body []byte, now time.Time) *APIError {
	b := scrubSecrets(string(body), c.auth)
	if len(b) > maxErrorBody {
		b = b[:maxErrorBody] + "..."
	}
	return &APIError{
		Status:     status,
		Method:     method,
		Path:       "/api/" + strings.TrimPrefix(path, "/"),
		Body:       b,
		RetryAfter: min(parseRetryAfter(retryAfter, now), c.cfg.MaxRetryAfter),
	}
}
