package proxmox

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// guestCalls are the per-guest calls of the Lab fixture, the expensive part
// of a discovery that a retry may skip.
var guestCalls = []string{
	"/nodes/node1/lxc/100/config",
	"/nodes/node1/lxc/100/interfaces",
	"/nodes/node1/qemu/100/config",
	"/nodes/node1/qemu/100/agent/network-get-interfaces",
	"/nodes/node2/lxc/103/config",
	"/nodes/node2/qemu/101/config",
	"/nodes/node2/qemu/101/agent/network-get-interfaces",
	"/nodes/node2/qemu/104/config",
}

func hits(f *proxmoxtest.Fake) map[string]int {
	out := map[string]int{}
	for _, p := range guestCalls {
		out[p] = f.Hits(p)
	}
	return out
}

func TestResumeSkipsFinishedGuests(t *testing.T) {
	fake := proxmoxtest.NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	// one call at a time, so the guests read before the failure are known:
	// guests are read by node, type and ID, and qemu 104 on node2 is last
	src, _ := newSource(t, "alpha", srv.URL, "concurrency: 1")

	fake.SetFault("/nodes/node2/qemu/104/config", proxmoxtest.Fault{Status: 503, Reason: "Service Unavailable"})
	first := &sourcetest.Progress{}
	_, err := src.Discover(context.Background(), first)
	require.Error(t, err)
	require.True(t, errors.Is(err, source.ErrUnreachable), "a 503 is worth a retry: %v", err)
	var heartbeat progressState
	require.NoError(t, json.Unmarshal(first.Last(), &heartbeat))
	assert.Equal(t, 4, heartbeat.GuestsDone)
	assert.Equal(t, 5, heartbeat.GuestsTotal)
	before := hits(fake)
	for _, p := range guestCalls {
		assert.Equal(t, 1, before[p], p)
	}

	fake.ClearFaults()
	retry := &sourcetest.Progress{ResumeState: first.Last()}
	snap, err := src.Discover(context.Background(), retry)
	require.NoError(t, err)
	sourcetest.Golden(t, "lab-defaults", snap, *update)

	after := hits(fake)
	for _, p := range guestCalls {
		want := before[p]
		if p == "/nodes/node2/qemu/104/config" {
			want++ // the only guest left to read
		}
		assert.Equal(t, want, after[p], p)
	}
	var last progressState
	require.NoError(t, json.Unmarshal(retry.Last(), &last))
	assert.Equal(t, heartbeat.Run, last.Run, "the retry continues the run")
	assert.Equal(t, 5, last.GuestsDone)
	assert.Equal(t, 4, last.GuestsResumed)

	t.Run("retry on another worker reads everything again", func(t *testing.T) {
		other, _ := newSource(t, "alpha", srv.URL, "concurrency: 1")
		before := hits(fake)
		snap, err := other.Discover(context.Background(), &sourcetest.Progress{ResumeState: first.Last()})
		require.NoError(t, err)
		sourcetest.Golden(t, "lab-defaults", snap, *update)
		after := hits(fake)
		for _, p := range guestCalls {
			assert.Equal(t, before[p]+1, after[p], p)
		}
	})

	t.Run("a new run reads everything again", func(t *testing.T) {
		before := hits(fake)
		p := &sourcetest.Progress{}
		_, err := src.Discover(context.Background(), p)
		require.NoError(t, err)
		after := hits(fake)
		for _, path := range guestCalls {
			assert.Equal(t, before[path]+1, after[path], path)
		}
		var st progressState
		require.NoError(t, json.Unmarshal(p.Last(), &st))
		assert.NotEqual(t, heartbeat.Run, st.Run)
		assert.Zero(t, st.GuestsResumed)
	})
}

func TestRunCacheKeepsRecentRuns(t *testing.T) {
	var c runCache
	a := c.begin("", false)
	a.put("node1/qemu/100", &guestDetail{})
	b := c.begin("", false)
	assert.NotEqual(t, a.id, b.id)
	assert.Same(t, a, c.begin(a.id, true), "the previous run is still resumable")
	c.begin("", false)
	resumed := c.begin(a.id, true)
	assert.NotSame(t, a, resumed, "older runs are dropped")
	assert.Equal(t, a.id, resumed.id, "a run resumed without answers keeps its ID")
	_, ok := resumed.get("node1/qemu/100")
	assert.False(t, ok)
	assert.LessOrEqual(t, len(c.runs), keptRuns)
}

// inFlight counts concurrent requests to a handler while they wait; the
// count drops before the answer is written, so that a client cannot see an
// answer of a request still counted.
type inFlight struct {
	next  http.Handler
	delay time.Duration
	mu    sync.Mutex
	now   int
	peak  int
}

func (h *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.now++
	h.peak = max(h.peak, h.now)
	h.mu.Unlock()
	time.Sleep(h.delay)
	h.mu.Lock()
	h.now--
	h.mu.Unlock()
	h.next.ServeHTTP(w, r)
}

func TestConcurrencyBound(t *testing.T) {
	for _, limit := range []int{1, 3} {
		h := &inFlight{next: proxmoxtest.NewFake(), delay: 20 * time.Millisecond}
		srv := httptest.NewServer(h)
		src, _ := newSource(t, "alpha", srv.URL, "concurrency: "+strconv.Itoa(limit))
		_, err := src.Discover(context.Background(), nil)
		srv.Close()
		require.NoError(t, err)
		h.mu.Lock()
		peak := h.peak
		h.mu.Unlock()
		assert.LessOrEqual(t, peak, limit, "limit %d", limit)
		if limit > 1 {
			assert.Greater(t, peak, 1, "calls run concurrently under limit %d", limit)
		}
	}
}
