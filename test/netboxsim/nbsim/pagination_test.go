package nbsim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestConformancePagination: limit and offset, the default page of 50, MAX_PAGE_SIZE's cap of
// 1000 (limit=0 asks for it) and DRF's next and previous links.
func TestConformancePagination(t *testing.T) { forEachTarget(t, testPagination) }

func testPagination(t *testing.T, c *apiClient) {
	prefix := c.n("t")
	var bulk []any
	for i := range 1205 {
		bulk = append(bulk, map[string]any{"name": fmt.Sprintf("%s%04d", prefix, i), "slug": fmt.Sprintf("%s%04d", prefix, i)})
	}
	if code, body := c.do(http.MethodPost, "/api/extras/tags/", bulk); code != http.StatusCreated {
		t.Fatalf("bulk create: %d %.200s", code, body)
	}
	base := c.url + "/api/extras/tags/"
	link := func(params ...string) any {
		q := url.Values{"name__isw": {prefix}}
		for i := 0; i+1 < len(params); i += 2 {
			q.Set(params[i], params[i+1])
		}
		return base + "?" + q.Encode()
	}
	scope := "name__isw=" + prefix
	tests := []struct {
		query          string
		results        int
		next, previous any
	}{
		{"", 50, link("limit", "50", "offset", "50"), nil},
		{"&limit=10&offset=10", 10, link("limit", "10", "offset", "20"), link("limit", "10")},
		{"&limit=5000", 1000, link("limit", "1000", "offset", "1000"), nil},
		{"&limit=0", 1000, link("limit", "1000", "offset", "1000"), nil},
		{"&limit=-3", 50, link("limit", "50", "offset", "50"), nil},
		{"&limit=1000&offset=1000", 205, nil, link("limit", "1000")},
		{"&limit=100&offset=1200", 5, nil, link("limit", "100", "offset", "1100")},
		{"limit=50&offset=50&name__isw=" + prefix + "00", 50, nil, base + "?" + url.Values{"limit": {"50"}, "name__isw": {prefix + "00"}}.Encode()},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			c.t = t
			q := tc.query
			if !strings.Contains(q, "name__isw=") {
				q = scope + q
			}
			page := c.get("/api/extras/tags/?" + q)
			if n := len(page["results"].([]any)); n != tc.results {
				t.Errorf("results = %d, want %d", n, tc.results)
			}
			if page["next"] != tc.next || page["previous"] != tc.previous {
				t.Errorf("next %v previous %v, want %v %v", page["next"], page["previous"], tc.next, tc.previous)
			}
		})
	}
	if got := c.count("/api/extras/tags/?name__isw=" + prefix + "00"); got != 100 {
		t.Errorf("count with filter = %d, want 100", got)
	}
	if c.atLeast(6) {
		testCursorPaging(t, c, prefix)
	}
}
