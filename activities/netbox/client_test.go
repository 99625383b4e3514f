package netbox

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/tlstest"
)

// fakeNetBox answers with the statuses of script, one per request, then 200.
func fakeNetBox(t *testing.T, script []int, retryAfter string, seenAuth *atomic.Value) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if seenAuth != nil {
			seenAuth.Store(r.Header.Get("Authorization"))
		}
		if i < len(script) && script[i] != http.StatusOK {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(script[i])
			fmt.Fprintf(w, `{"detail": "status %d"}`, script[i])
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"count": 0, "next": null, "previous": null, "results": [], "netbox-version": "4.3.0"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func newFakeClient(t *testing.T, url, token string) *Client {
	cfg := DefaultConfig()
	cfg.URL = url
	c, err := NewClient(cfg, token, zap.NewNop())
	require.NoError(t, err)
	c.retryBase = time.Millisecond
	return c
}

func TestClientRequests(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef01234567"
	cases := []struct {
		name       string
		token      string
		script     []int
		retryAfter string
		wantErr    func(t *testing.T, err error)
		requests   int32
		auth       string
	}{
		{name: "v1 token", token: token, requests: 2, auth: "Token " + token},
		{name: "v2 token", token: "nbt_0123456789ab." + token, requests: 2, auth: "Bearer nbt_0123456789ab." + token},
		{name: "5xx retried", token: token, script: []int{503, 502}, requests: 4, auth: "Token " + token},
		{name: "429 retried after its delay", token: token, script: []int{429}, retryAfter: "0", requests: 3},
		{name: "401 is final", token: token, script: []int{401}, requests: 1, wantErr: func(t *testing.T, err error) {
			assert.True(t, IsAuth(err))
			assert.NotContains(t, err.Error(), token)
		}},
		{name: "retries run out", token: token, script: []int{500, 500, 500, 500}, requests: 4, wantErr: func(t *testing.T, err error) {
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, 500, ae.Status)
			assert.Equal(t, "/api/status/", ae.Path)
			assert.True(t, ae.Retryable())
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var auth atomic.Value
			srv, n := fakeNetBox(t, tc.script, tc.retryAfter, &auth)
			c := newFakeClient(t, srv.URL, tc.token)
			err := c.Ping(context.Background())
			if tc.wantErr != nil {
				require.Error(t, err)
				tc.wantErr(t, err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.requests, n.Load())
			if tc.auth != "" {
				assert.Equal(t, tc.auth, auth.Load())
			}
		})
	}
}

func TestWriteErrorCarriesRetryAfter(t *testing.T) {
	srv, n := fakeNetBox(t, []int{429}, "7", nil)
	c := newFakeClient(t, srv.URL, "0123456789abcdef0123456789abcdef01234567")
	_, err := c.send(context.Background(), http.MethodPost, "dcim/sites/", []map[string]any{{"name": "x"}})
	require.Error(t, err)
	assert.Equal(t, 7*time.Second, RetryAfter(err))
	assert.False(t, IsValidation(err))
	assert.Equal(t, int32(1), n.Load(), "writes are not retried by the client")
}

func TestNewClientRejects(t *testing.T) {
	cases := []struct {
		name, url, token, want string
	}{
		{"no scheme", "netbox.local", "t", "scheme must be http or https"},
		{"no host", "https://", "t", "missing host"},
		{"no token", "https://netbox.local", " ", "netbox token is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.URL = tc.url
			_, err := NewClient(cfg, tc.token, nil)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestListPagesAndReadsLeniently(t *testing.T) {
	var offsets []string
	var mu sync.Mutex // pages are asked for two at a time
	total := 5
	var broken func(site map[string]any)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		offsets = append(offsets, q.Get("offset"))
		mu.Unlock()
		limit, _ := strconv.Atoi(q.Get("limit"))
		off, _ := strconv.Atoi(q.Get("offset"))
		var results []map[string]any
		for i := off; i < total && i < off+limit; i++ {
			site := map[string]any{"id": i + 1, "url": "u", "display": "d", "name": fmt.Sprint("s", i), "slug": fmt.Sprint("s", i),
				"status": map[string]any{"value": "active", "label": "Active"}}
			if broken != nil && i == 3 {
				broken(site)
			}
			results = append(results, site)
		}
		var next any
		if off+limit < total {
			next = "http://elsewhere/next"
		}
		require.NoError(t, json.NewEncoder(w).Encode(map[string]any{"count": total, "next": next, "results": results}))
	}))
	t.Cleanup(srv.Close)
	cfg := DefaultConfig()
	cfg.URL, cfg.PageSize = srv.URL, 2
	c, err := NewClient(cfg, "tok", nil)
	require.NoError(t, err)

	got, err := c.list(context.Background(), specFor(inventory.KindSite), nil)
	require.NoError(t, err)
	assert.Len(t, got, 5)
	sort.Strings(offsets)
	assert.Equal(t, []string{"0", "2", "4"}, offsets, "each page once")

	// What go-netbox v4.3.0's models refuse but a later NetBox sends is
	// read: a choice value and label it does not know, a field it does not
	// know, a field it requires left out.
	for name, change := range map[string]func(map[string]any){
		"unknown choice":   func(s map[string]any) { s["status"] = map[string]any{"value": "retired", "label": "Retired (new)"} },
		"bare choice":      func(s map[string]any) { s["status"] = "retired" },
		"unknown field":    func(s map[string]any) { s["owner"] = map[string]any{"id": 1, "name": "ops"} },
		"missing required": func(s map[string]any) { delete(s, "slug"); delete(s, "url") },
	} {
		broken = change
		got, err := c.list(context.Background(), specFor(inventory.KindSite), nil)
		require.NoError(t, err, name)
		assert.Len(t, got, 5, name)
	}
	broken = func(s map[string]any) { s["status"] = map[string]any{"value": "retired", "label": "Retired (new)"} }
	got, err = c.list(context.Background(), specFor(inventory.KindSite), nil)
	require.NoError(t, err)
	assert.Equal(t, "retired", got[3]["status"], "a choice is read as its value")
}

func TestUnreadableAnswers(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		want  string
		field string
	}{
		{"not JSON", `<html>login</html>`, `netbox answer of /api/dcim/sites/ cannot be read: not a NetBox list: "<html>login</html>"`, ""},
		{"id of another shape", `{"count":1,"results":[{"id":"seven","name":"s"}]}`, `object s: field id: not an object ID: "seven"`, "id"},
		{"name as an object", `{"count":1,"results":[{"id":7,"name":{"en":"s"}}]}`, `object #7: field name: no reading for this object: {"en":"s"}`, "name"},
		{"choice without a text value", `{"count":1,"results":[{"id":7,"name":"s","status":{"value":3,"label":"x"}}]}`, `object #7 s: field status: no reading for this object: {"label":"x","value":3}`, "status"},
		{"custom fields as a list", `{"count":1,"results":[{"id":7,"name":"s","custom_fields":[1]}]}`, `field custom_fields`, "custom_fields"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, tc.body)
			}))
			t.Cleanup(srv.Close)
			cfg := DefaultConfig()
			cfg.URL = srv.URL
			c, err := NewClient(cfg, "tok", nil)
			require.NoError(t, err)
			_, err = c.list(context.Background(), specFor(inventory.KindSite), nil)
			var ae *AnswerError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "dcim/sites", ae.Endpoint)
			assert.Equal(t, tc.field, ae.Field)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, 1, strings.Count(err.Error(), "dcim/sites"), "the endpoint is named once: %s", err)
		})
	}
}

func TestEnsureSchema(t *testing.T) {
	cfg := testConfig()
	cfg.CustomFields = []CustomFieldMapping{{Attr: "pool_health", Field: "pool_health", Kinds: []inventory.Kind{inventory.KindDevice}}}
	sim, c := newSim(t, cfg)
	ctx := context.Background()
	// A hand-made agent_id field, loose and on devices only.
	_, err := c.send(ctx, http.MethodPost, "extras/custom-fields/", map[string]any{
		"name": CFAgentID, "type": "text", "object_types": []string{"dcim.device"}, "filter_logic": "loose"})
	require.NoError(t, err)

	require.NoError(t, c.EnsureSchema(ctx))
	assert.Equal(t, 3, sim.Count("extras/tags"))
	assert.Equal(t, 6, sim.Count("extras/custom-fields"))
	for _, cf := range sim.Dump()["extras/custom-fields"] {
		types := stringList(cf["object_types"])
		switch cf["name"] {
		case "pool_health":
			assert.Equal(t, []string{"dcim.device"}, types)
		default:
			assert.Equal(t, objectTypes(), types, "%s on every kind", cf["name"])
		}
		if cf["name"] == CFAgentID {
			fl, _ := canon(typeChoice, cf["filter_logic"])
			assert.Equal(t, "exact", fl)
		}
	}

	sim.ResetStats()
	require.NoError(t, c.EnsureSchema(ctx))
	assert.Zero(t, writes(sim), "a second call changes nothing")

	// A field of the wrong type is reported, not rewritten.
	sim.Reset()
	_, err = c.send(ctx, http.MethodPost, "extras/custom-fields/", map[string]any{
		"name": CFLastSeen, "type": "text", "object_types": []string{"dcim.device"}})
	require.NoError(t, err)
	assert.ErrorContains(t, c.EnsureSchema(ctx), "custom field agent_last_seen has type text, the agent needs date")
}

// TestClientNeedsTLS12 holds the client to TLS 1.2 or newer, as the
// sources' clients are, whatever the Go release's default.
func TestClientNeedsTLS12(t *testing.T) {
	for _, skip := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.URL, cfg.InsecureSkipVerify = "https://netbox.example", skip
		c, err := NewClient(cfg, "0123456789abcdef0123456789abcdef01234567", zap.NewNop())
		require.NoError(t, err)
		tr, ok := c.http.Transport.(*http.Transport)
		require.True(t, ok)
		assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion, "insecure_skip_verify %v", skip)
	}
}

// TestClientRefusesTLSBelow12 talks to NetBox servers that speak only
// some TLS versions: one limited to TLS 1.1 is refused, with verification
// on or off, and the error says the version is why; TLS 1.2 is served.
func TestClientRefusesTLSBelow12(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"count": 0, "next": null, "previous": null, "results": [], "netbox-version": "4.7.3"}`)
	})
	old := tlstest.StartTLS(t, h, tls.VersionTLS10, tls.VersionTLS11)
	current := tlstest.StartTLS(t, h, tls.VersionTLS12, tls.VersionTLS12)
	ca := tlstest.WriteCA(t, current)
	cases := []struct {
		name    string
		url     string
		skip    bool
		wantErr string
	}{
		{name: "TLS 1.1 refused", url: old.URL, wantErr: "tls: protocol version not supported"},
		{name: "TLS 1.1 refused without verification", url: old.URL, skip: true, wantErr: "tls: protocol version not supported"},
		{name: "TLS 1.2 served", url: current.URL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.URL, cfg.InsecureSkipVerify, cfg.ReadRetries = tc.url, tc.skip, 0
			if !tc.skip {
				cfg.CAFile = ca
			}
			c, err := NewClient(cfg, "0123456789abcdef0123456789abcdef01234567", zap.NewNop())
			require.NoError(t, err)
			err = c.Ping(context.Background())
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
			assert.ErrorContains(t, err, "netbox status")
		})
	}
}
