package proxmoxtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, url, auth string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { require.NoError(t, res.Body.Close()) }()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

const goodAuth = "PVEAPIToken=" + TokenID + "=" + TokenSecret

func TestFakeAnswers(t *testing.T) {
	cases := []struct {
		name     string
		overlays []string
		path     string
		auth     string
		status   string
		dataLen  int // elements of data when it is a list; -1 to skip
	}{
		{"cluster status", nil, "/cluster/status", goodAuth, "200 OK", 3},
		{"wrong token", nil, "/cluster/status", "PVEAPIToken=" + TokenID + "=wrong", "401 authentication failure", -1},
		{"no token", nil, "/cluster/status", "", "401 No ticket", -1},
		{"agent not running", nil, "/nodes/node2/qemu/101/agent/network-get-interfaces", goodAuth, "500 QEMU guest agent is not running", -1},
		{"unknown path", nil, "/nodes/node9/status", goodAuth, "501 Method 'GET /nodes/node9/status' not implemented", -1},
		{"offline node overlay", []string{OfflineNode}, "/nodes/node2/network", goodAuth, "595 Errors during connection establishment, proxy handshake: No route to host", -1},
		{"offline node keeps the other", []string{OfflineNode}, "/nodes/node1/network", goodAuth, "200 OK", 9},
		{"standalone status", []string{Standalone}, "/cluster/status", goodAuth, "200 OK", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := NewFake(tc.overlays...)
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			res, body := get(t, srv.URL+APIPrefix+tc.path, tc.auth)
			require.NoError(t, fake.Err())
			assert.Equal(t, tc.status, res.Status)
			if tc.dataLen >= 0 {
				var v struct{ Data []json.RawMessage }
				require.NoError(t, json.Unmarshal(body, &v))
				assert.Len(t, v.Data, tc.dataLen)
			}
		})
	}
}

func TestFakeFaultsAndHits(t *testing.T) {
	fake := NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)

	fake.SetFault("/nodes/node1/", Fault{Status: 503, Reason: "Service Unavailable"})
	res, _ := get(t, srv.URL+APIPrefix+"/nodes/node1/network", goodAuth)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	res, _ = get(t, srv.URL+APIPrefix+"/nodes/node2/network", goodAuth)
	assert.Equal(t, http.StatusOK, res.StatusCode)

	fake.ClearFaults()
	res, _ = get(t, srv.URL+APIPrefix+"/nodes/node1/network", goodAuth)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, 2, fake.Hits("/nodes/node1/network"))
	assert.Equal(t, 3, fake.TotalHits())

	get(t, srv.URL+APIPrefix+"/version", "")
	assert.Equal(t, 3, fake.TotalHits(), "refused requests are not counted")
}

func TestNewServer(t *testing.T) {
	srv := NewServer(t)
	res, body := get(t, srv.URL+APIPrefix+"/cluster/resources", goodAuth)
	require.Equal(t, http.StatusOK, res.StatusCode)
	var v struct {
		Data []struct {
			Type string `json:"type"`
		}
	}
	require.NoError(t, json.Unmarshal(body, &v))
	count := map[string]int{}
	for _, r := range v.Data {
		count[r.Type]++
	}
	assert.Equal(t, map[string]int{"node": 2, "qemu": 4, "lxc": 2, "storage": 2, "sdn": 1}, count)
}

func TestFakeLatency(t *testing.T) {
	fake := NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	fake.SetLatency(30 * time.Millisecond)
	start := time.Now()
	res, _ := get(t, srv.URL+APIPrefix+"/version", goodAuth)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
}
