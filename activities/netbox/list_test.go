package netbox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// pagedSites serves total sites, at most maxPage a page whatever the limit
// asked (NetBox's MAX_PAGE_SIZE), and records the offsets asked for and
// the most requests it had at once.
type pagedSites struct {
	total, maxPage int
	mu             sync.Mutex
	offsets        []int
	inFlight, most int
	delay          time.Duration // before answering a page other than the first
}

func (p *pagedSites) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.inFlight++
	p.most = max(p.most, p.inFlight)
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	p.offsets = append(p.offsets, off)
	total := p.total
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.inFlight--
		p.mu.Unlock()
	}()
	if off > 0 {
		time.Sleep(p.delay)
	}
	limit = min(limit, p.maxPage)
	results := []map[string]any{}
	for i := off; i < total && i < off+limit; i++ {
		results = append(results, map[string]any{"id": i + 1, "name": "s" + strconv.Itoa(i), "slug": "s" + strconv.Itoa(i)})
	}
	var next any
	if off+limit < total {
		next = "http://nb/next"
	}
	if err := json.NewEncoder(w).Encode(map[string]any{"count": total, "next": next, "results": results}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func pagedClient(t *testing.T, h http.Handler, pageSize int) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := DefaultConfig()
	cfg.URL, cfg.PageSize = srv.URL, pageSize
	c, err := NewClient(cfg, "tok", nil)
	require.NoError(t, err)
	return c
}

// TestListAsksForEachPageOnce: the next pages are asked for while one is
// read, each page once, at most two requests at a time (one where
// max_in_flight is 1), also when NetBox answers fewer objects a page than
// asked for.
func TestListAsksForEachPageOnce(t *testing.T) {
	for _, inFlight := range []int{1, DefaultMaxInFlight} {
		t.Run("max_in_flight "+strconv.Itoa(inFlight), func(t *testing.T) { testListPages(t, inFlight) })
	}
}

func testListPages(t *testing.T, inFlight int) {
	for _, tc := range []struct {
		name          string
		pageSize, max int
		total         int
		offsets       []int
	}{
		{"full pages", 3, 100, 10, []int{0, 3, 6, 9}},
		{"pages capped by NetBox", 4, 3, 10, []int{0, 3, 6, 9}},
		{"one page", 1000, 1000, 10, []int{0}},
		{"exact pages", 5, 5, 10, []int{0, 5}},
		{"empty", 5, 5, 0, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &pagedSites{total: tc.total, maxPage: tc.max}
			c := pagedClient(t, p, tc.pageSize)
			c.cfg.MaxInFlight = inFlight
			got, err := c.list(context.Background(), specFor(inventory.KindSite), nil)
			require.NoError(t, err)
			require.Len(t, got, tc.total)
			for i, o := range got {
				assert.Equal(t, float64(i+1), o["id"])
			}
			if inFlight == 1 {
				assert.Equal(t, tc.offsets, p.offsets, "in order")
				assert.Equal(t, 1, p.most, "one request at a time")
				return
			}
			sort.Ints(p.offsets) // two at a time arrive in either order
			assert.Equal(t, tc.offsets, p.offsets)
			assert.LessOrEqual(t, p.most, pagesAhead, "at most two requests at a time")
		})
	}
}

// TestListReadsTwoPagesAtOnce: while one page is read, NetBox renders
// the next two (each here takes 50 ms to answer), so a long list is read
// in about half the round trips' time.
func TestListReadsTwoPagesAtOnce(t *testing.T) {
	p := &pagedSites{total: 6, maxPage: 1, delay: 50 * time.Millisecond}
	got, err := pagedClient(t, p, 1).list(context.Background(), specFor(inventory.KindSite), nil)
	require.NoError(t, err)
	require.Len(t, got, 6)
	assert.Equal(t, pagesAhead, p.most, "two requests at a time")
	assert.Len(t, p.offsets, 6, "each page once")
}

// TestListStopsWhereTheListEnds: a list that shrinks while it is read
// ends where NetBox says it does.
func TestListStopsWhereTheListEnds(t *testing.T) {
	for _, inFlight := range []int{1, DefaultMaxInFlight} {
		p := &pagedSites{total: 10, maxPage: 3}
		c := pagedClient(t, &shrinkingSites{pagedSites: p, after: 2, to: 6}, 3)
		c.cfg.MaxInFlight = inFlight
		got, err := c.list(context.Background(), specFor(inventory.KindSite), nil)
		require.NoError(t, err)
		assert.Len(t, got, 6, "max_in_flight %d", inFlight)
		assert.LessOrEqual(t, p.most, min(inFlight, pagesAhead), "max_in_flight %d", inFlight)
	}
}

// shrinkingSites serves pagedSites whose total drops to `to` after
// `after` requests.
type shrinkingSites struct {
	*pagedSites
	after, to int
	seen      int
}

func (s *shrinkingSites) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.seen++
	if s.seen > s.after {
		s.total = s.to
	}
	s.mu.Unlock()
	s.pagedSites.ServeHTTP(w, r)
}

// failingPage answers 500 for the page at offset fail, every time.
type failingPage struct {
	*pagedSites
	fail int
}

func (f *failingPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if off, _ := strconv.Atoi(r.URL.Query().Get("offset")); off == f.fail {
		http.Error(w, "<h1>Server Error (500)</h1>", http.StatusInternalServerError)
		return
	}
	f.pagedSites.ServeHTTP(w, r)
}

// TestListFailsWhenALaterPageFails: when the first page was read and a
// later one fails, the list is an error, never the part that was read, so
// that no plan is made from a NetBox seen in part (its missing objects
// would be created again).
func TestListFailsWhenALaterPageFails(t *testing.T) {
	for _, inFlight := range []int{1, DefaultMaxInFlight} {
		t.Run("max_in_flight "+strconv.Itoa(inFlight), func(t *testing.T) {
			p := &failingPage{pagedSites: &pagedSites{total: 10, maxPage: 3}, fail: 3}
			c := pagedClient(t, p, 3)
			c.cfg.MaxInFlight, c.cfg.ReadRetries = inFlight, 1
			got, err := c.list(context.Background(), specFor(inventory.KindSite), nil)
			require.Error(t, err)
			assert.Nil(t, got, "no part of the list")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusInternalServerError, apiErr.Status)
			assert.Contains(t, p.offsets, 0, "the first page was read")
		})
	}
}
