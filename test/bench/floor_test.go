package main

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/activities/source/filesystem"
	"github.com/netbox-agent/netbox-agent/test/bench/gen"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// TestFloorWritesWhatASyncWrites loads a generated inventory with the
// floor and then plans a sync of it: a plan with nothing to do shows that
// the floor wrote the same objects, fields, tags and custom fields as a
// first sync would.
func TestFloorWritesWhatASyncWrites(t *testing.T) {
	const objects = 2500
	files, _, err := gen.Files(gen.Options{Objects: objects, Seed: 7})
	require.NoError(t, err)
	recs, warnings := filesystem.Read("bench", "", files)
	require.Empty(t, warnings)
	for i := range recs {
		inventory.NormalizeRecord(&recs[i])
	}

	token := "0123456789abcdef0123456789abcdef01234567"
	sim := nbsim.New(nbsim.Options{Token: token})
	rec := &callRecorder{next: sim}
	ts := httptest.NewServer(rec)
	t.Cleanup(ts.Close)

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newFloorLoader(ts.URL, token)
	l.today = now.Format(time.DateOnly)
	ctx := context.Background()
	require.NoError(t, l.load(ctx, recs))
	assert.Equal(t, objects, l.created)

	calls := rec.take()
	require.Len(t, calls, l.requests)
	written := 0
	for _, c := range calls {
		assert.NotEqual(t, "GET", c.Method, "the floor reads nothing")
		assert.Less(t, c.Status, 300, "%s %s", c.Method, c.Endpoint)
		assert.LessOrEqual(t, c.Written, floorBatch)
		if c.Method == "POST" {
			written += c.Written
		}
	}
	assert.Equal(t, objects+1+4, written, "every object, the tag and four custom fields")

	cfg := netbox.DefaultConfig()
	cfg.URL = ts.URL
	c, err := netbox.NewClient(cfg, token, nil)
	require.NoError(t, err)
	p, err := c.Plan(ctx, netbox.PlanRequest{
		Records: recs, Now: now,
		Sources: map[string]bool{"bench": true},
	})
	require.NoError(t, err)
	assert.Zero(t, p.Operations(), "a sync after the floor has nothing to do: %+v", p.Summary)
	assert.NotEmpty(t, rec.take(), "the plan's reads are recorded")
}

func TestCallRecorderCounts(t *testing.T) {
	assert.Equal(t, 3, objectsIn([]byte(` [{"a":1},{"b":2},{}]`)))
	assert.Equal(t, 1, objectsIn([]byte(`{"a":1}`)))
	assert.Equal(t, 0, objectsIn(nil))
	assert.Equal(t, "dcim/devices", endpointOf("/api/dcim/devices/12/"))
	assert.Equal(t, "status", endpointOf("/api/status/"))
}

func TestProcTree(t *testing.T) {
	tree, err := readProcTree()
	require.NoError(t, err)
	assert.Contains(t, tree.members(1), 1)
	assert.Empty(t, tree.members(1<<30))
	assert.GreaterOrEqual(t, tree.cpu(1), time.Duration(0))
}

func TestLeastSquares(t *testing.T) {
	var calls []call
	for i, n := range []int{0, 1, 10, 100, 1000} {
		// 8 ms a request, 40 ms an object written, 2 ms an object read.
		w, r := n, (i*37)%500
		d := 8*time.Millisecond + time.Duration(w)*40*time.Millisecond + time.Duration(r)*2*time.Millisecond
		calls = append(calls, call{Written: w, Read: r, Duration: d})
	}
	x, err := leastSquares(calls)
	require.NoError(t, err)
	assert.InDelta(t, 0.008, x[0], 1e-6)
	assert.InDelta(t, 0.040, x[1], 1e-6)
	assert.InDelta(t, 0.002, x[2], 1e-6)

	_, err = leastSquares([]call{{Duration: time.Second}, {Duration: time.Second}})
	assert.Error(t, err, "no writes or reads")
}
