package source

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type counts struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

// reports records what a heartbeat would carry.
type reports struct {
	mu     sync.Mutex
	seen   []counts
	resume []byte
}

func (r *reports) Report(v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, v.(counts))
}

func (r *reports) Resume(v any) bool {
	if r.resume == nil {
		return false
	}
	return json.Unmarshal(r.resume, v) == nil
}

func TestHeartbeat(t *testing.T) {
	p := &reports{}
	hb := NewHeartbeat(p, counts{Total: 50})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hb.Update(func(c *counts) { c.Done++ })
		}()
	}
	wg.Wait()
	assert.Equal(t, counts{Done: 50, Total: 50}, hb.State())
	require.Len(t, p.seen, 51, "the start and every change are reported")
	assert.Equal(t, counts{Total: 50}, p.seen[0])
	for i, c := range p.seen {
		assert.Equal(t, i, c.Done, "reports go out one at a time, in order")
	}
	hb.Set(counts{Done: 1, Total: 1})
	assert.Equal(t, counts{Done: 1, Total: 1}, p.seen[len(p.seen)-1])

	t.Run("without a progress", func(t *testing.T) {
		hb := NewHeartbeat[counts](nil, counts{Total: 1})
		hb.Update(func(c *counts) { c.Done++ })
		assert.Equal(t, counts{Done: 1, Total: 1}, hb.State())
	})
}

func TestResume(t *testing.T) {
	prev, ok := Resume[counts](nil)
	assert.False(t, ok)
	assert.Zero(t, prev)
	prev, ok = Resume[counts](&reports{})
	assert.False(t, ok)
	assert.Zero(t, prev)
	prev, ok = Resume[counts](&reports{resume: []byte(`{"done":3,"total":9}`)})
	assert.True(t, ok)
	assert.Equal(t, counts{Done: 3, Total: 9}, prev)
}
