package nbsim

import (
	"bytes"
	"net/http"
)

// A write's answer is held until the request is done: NetBox saves each change's log entry as
// it saves the object, and PostgreSQL refusing the entry (a changelog_message longer than
// ObjectChange.message takes) fails the whole request with a 500 and rolls it back
// (utilities/error_handlers.py handle_rest_api_exception).

// heldAnswer records an answer instead of sending it.
type heldAnswer struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func newHeldAnswer() *heldAnswer { return &heldAnswer{header: http.Header{}, code: http.StatusOK} }

// Header is the answer's header, sent with it.
func (h *heldAnswer) Header() http.Header { return h.header }

// Write holds b.
func (h *heldAnswer) Write(b []byte) (int, error) { return h.body.Write(b) }

// WriteHeader holds the status.
func (h *heldAnswer) WriteHeader(code int) { h.code = code }

// answerOrFail sends the held answer, or, when a change could not be logged, rolls the request
// back and answers NetBox's 500 instead.
func (s *Server) answerOrFail(w http.ResponseWriter, t *tx, h *heldAnswer) {
	if t.tooLong {
		t.rollback()
		r := s.cat.rel
		// JsonResponse: Python's json.dumps, with its spaces.
		body := `{"error": "value too long for type character varying(200)", "exception": "DataError", "netbox_version": "` +
			r.full + `", "python_version": "` + r.python + `"}`
		writeRaw(w, http.StatusInternalServerError, []byte(body))
		return
	}
	for k, v := range h.header {
		w.Header()[k] = v
	}
	w.WriteHeader(h.code)
	// A failed write means the client has gone; there is no one left to tell.
	_, _ = w.Write(h.body.Bytes())
}
