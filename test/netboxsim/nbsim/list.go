package nbsim

import (
	"bytes"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// List requests: filters, pagination and the query planner.

func (s *Server) list(w http.ResponseWriter, r *http.Request, k *kindSpec) {
	q := r.URL.Query()
	limit, offset := pageSize(q), pageOffset(q)
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := readOnlyView(s.st, baseURL(r))
	filters, errs := v.parseFilters(k, q)
	if errs != nil {
		writeBody(w, http.StatusBadRequest, errs)
		return
	}
	start := int64(-1)
	if s.cat.rel.cursorPaging() {
		n, msg := cursorStart(q)
		if msg != "" {
			writeBody(w, http.StatusBadRequest, []string{msg})
			return
		}
		start = n
	}
	count, page := v.query(k, filters, offset, limit, start)
	b, _ := s.pages.Get().(*bytes.Buffer)
	if b == nil {
		b = new(bytes.Buffer)
	}
	defer s.pages.Put(b)
	b.Reset()
	b.WriteString(`{"count":`)
	if start >= 0 {
		// Cursor mode: no count, no previous page, and a next page only after a full one.
		b.WriteString(`null,"next":`)
		writeJSON(b, cursorLink(r, limit, page))
		b.WriteString(`,"previous":null`)
	} else {
		b.WriteString(strconv.Itoa(count))
		b.WriteString(`,"next":`)
		writeJSON(b, pageLink(r, limit, offset+limit, offset+limit < count))
		b.WriteString(`,"previous":`)
		writeJSON(b, pageLink(r, limit, max(offset-limit, 0), offset > 0))
	}
	b.WriteString(`,"results":[`)
	for i, o := range page {
		if i > 0 {
			b.WriteByte(',')
		}
		v.renderQuery(b, k, o, q)
	}
	b.WriteString("]}")
	writeRaw(w, http.StatusOK, b.Bytes())
}

// pageSize is NetBoxPagination.get_limit with PAGINATE_COUNT 50 and MAX_PAGE_SIZE 1000: limit=0
// asks for the maximum, an invalid or negative limit gets the default (netbox/api/pagination.py).
func pageSize(q url.Values) int {
	limit := defaultPageSize
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n >= 0 {
		limit = min(n, maxPageSize)
		if n == 0 {
			limit = maxPageSize
		}
	}
	return limit
}

// pageOffset is DRF's LimitOffsetPagination.get_offset: anything but a positive integer is 0.
func pageOffset(q url.Values) int {
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 {
		return n
	}
	return 0
}

// cursorStart reads NetBox 4.6's cursor parameter: -1 when there is none, or the message of the
// ValidationError NetBoxPagination raises (netbox/api/pagination.py, get_start and
// paginate_queryset).
func cursorStart(q url.Values) (int64, string) {
	raw, ok := q["start"]
	if !ok {
		return -1, ""
	}
	n, err := strconv.ParseInt(strings.TrimSpace(raw[0]), 10, 64)
	switch {
	case err != nil || n < 0:
		return -1, "Invalid 'start' parameter: must be a non-negative integer."
	case q.Has("offset"):
		return -1, "'start' and 'offset' are mutually exclusive."
	case q.Has("ordering"):
		return -1, "Ordering cannot be specified in conjunction with cursor-based pagination."
	}
	return n, ""
}

// cursorLink is the next page in cursor mode: the request's URL with start set past the page's
// last ID and offset dropped, or null after a short page.
func cursorLink(r *http.Request, limit int, page []*object) any {
	if len(page) < limit || len(page) == 0 {
		return nil
	}
	q := r.URL.Query()
	q.Set("start", itoa(page[len(page)-1].ID+1))
	q.Set("limit", strconv.Itoa(limit))
	q.Del("offset")
	return absoluteURL(r, q)
}

// from is the part of the list at or after start (all of it when start is negative).
func (l idList) from(start int64) idList {
	if start <= 0 {
		return l
	}
	i := sort.Search(len(l), func(i int) bool { return l[i] >= start })
	return l[i:]
}

// pageLink builds DRF's next/previous URL: the request's URL with limit and offset replaced
// (offset dropped when zero), parameters sorted.
func pageLink(r *http.Request, limit, offset int, ok bool) any {
	if !ok {
		return nil
	}
	q := r.URL.Query()
	q.Set("limit", strconv.Itoa(limit))
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	} else {
		q.Del("offset")
	}
	return absoluteURL(r, q)
}

// absoluteURL is the request's URL with query q (sorted, as DRF's replace_query_param leaves it).
func absoluteURL(r *http.Request, q url.Values) string {
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return u.String()
}

// query runs filters over k's table and returns the match count and one page. The filter with
// the fewest candidates drives the scan, so indexed filters cost their match count, and an
// unfiltered list costs one page.
func (v *view) query(k *kindSpec, filters []filter, offset, limit int, start int64) (int, []*object) {
	tb := v.table(k.Endpoint)
	if len(filters) == 0 || len(filters) == 1 && filters[0].exact {
		ids := tb.ordered()
		if len(filters) == 1 {
			ids = filters[0].cand
		}
		ids = ids.from(start)
		count := len(ids)
		lo, hi := min(offset, count), min(offset+limit, count)
		page := make([]*object, 0, hi-lo)
		for _, id := range ids[lo:hi] {
			page = append(page, tb.objs[id])
		}
		return count, page
	}
	var driver idList
	driving := -1
	for i, f := range filters {
		if f.hasCand && (driving < 0 || len(f.cand) < len(driver)) {
			driver, driving = f.cand, i
		}
	}
	if driving < 0 {
		driver = tb.ordered()
	}
	driver = driver.from(start)
	sort.SliceStable(filters, func(i, j int) bool { return filters[i].hasCand && !filters[j].hasCand })
	count := 0
	var page []*object
	for _, id := range driver {
		o := tb.objs[id]
		if o == nil || !matchAll(filters, o) {
			continue
		}
		if count >= offset && len(page) < limit {
			page = append(page, o)
		}
		count++
	}
	return count, page
}

func matchAll(filters []filter, o *object) bool {
	for _, f := range filters {
		if !f.match(o) {
			return false
		}
	}
	return true
}
