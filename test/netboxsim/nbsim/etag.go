package nbsim

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// ETags, from NetBox 4.6 (netbox/api/viewsets/__init__.py, ETagMixin): weak tags made from an
// object's last_updated, sent on object GETs, single creates and updates, and checked against
// If-Match on PUT, PATCH and DELETE.

// etag is ETagMixin._get_etag: W/"<last_updated.isoformat()>". Python's isoformat of an aware
// UTC time ends in +00:00 and leaves out the fraction when it is zero.
func etag(o *object) string {
	t := o.Updated.UTC()
	layout := "2006-01-02T15:04:05.000000+00:00"
	if t.Nanosecond()/int(time.Microsecond) == 0 {
		layout = "2006-01-02T15:04:05+00:00"
	}
	return `W/"` + t.Format(layout) + `"`
}

// setETag adds o's ETag to the answer when the release sends them.
func (s *Server) setETag(w http.ResponseWriter, o *object) {
	if s.cat.rel.etags() && o != nil {
		w.Header().Set("ETag", etag(o))
	}
}

// preconditionFailed checks the request's If-Match against o (ETagMixin._validate_etag): a
// header that is absent or "*" always passes; otherwise o's tag must be one of those listed. On
// failure it answers 412 with the current tag and reports true.
func (s *Server) preconditionFailed(w http.ResponseWriter, r *http.Request, o *object) bool {
	if !s.cat.rel.etags() {
		return false
	}
	h := r.Header.Get("If-Match")
	if h == "" || h == "*" {
		return false
	}
	var tags []string
	for _, t := range strings.Split(h, ",") {
		tags = append(tags, strings.TrimSpace(t))
	}
	current := etag(o)
	if slices.Contains(tags, current) {
		return false
	}
	w.Header().Set("ETag", current)
	writeBody(w, http.StatusPreconditionFailed, detail("Precondition failed."))
	return true
}
