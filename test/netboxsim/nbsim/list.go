package nbsim

import (
	"bytes"
	"net/http"
	"net/url"
	"sort"
	"strconv"
)

// List requests: filters, pagination and the query planner.

func (s *Server) list(w http.ResponseWriter, r *http.Request, k *kindSpec) {
	q := r.URL.Query()
	limit := defaultPageSize
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n >= 0 {
		limit = min(n, maxPageSize)
		if n == 0 {
			limit = maxPageSize
		}
	}
	offset := 0
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 {
		offset = n
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := &view{st: s.st, base: baseURL(r)}
	filters, errs := v.parseFilters(k, q)
	if errs != nil {
		writeBody(w, http.StatusBadRequest, errs)
		return
	}
	count, page := v.query(k, filters, offset, limit)
	var b bytes.Buffer
	b.WriteString(`{"count":`)
	b.WriteString(strconv.Itoa(count))
	b.WriteString(`,"next":`)
	writeJSON(&b, pageLink(r, limit, offset+limit, offset+limit < count))
	b.WriteString(`,"previous":`)
	writeJSON(&b, pageLink(r, limit, max(offset-limit, 0), offset > 0))
	b.WriteString(`,"results":[`)
	for i, o := range page {
		if i > 0 {
			b.WriteByte(',')
		}
		v.renderQuery(&b, k, o, q)
	}
	b.WriteString("]}")
	writeRaw(w, http.StatusOK, b.Bytes())
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
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return u.String()
}

// query runs filters over k's table and returns the match count and one page. The filter with
// the fewest candidates drives the scan, so indexed filters cost their match count, and an
// unfiltered list costs one page.
func (v *view) query(k *kindSpec, filters []filter, offset, limit int) (int, []*object) {
	tb := v.table(k.Endpoint)
	if len(filters) == 0 || len(filters) == 1 && filters[0].exact {
		ids := tb.ordered()
		if len(filters) == 1 {
			ids = filters[0].cand
		}
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
