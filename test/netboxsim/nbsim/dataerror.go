package nbsim

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf16"
)

// A write's answer is held until the request is done: what NetBox's validation lets through and
// PostgreSQL refuses when it is saved (a changelog_message longer than ObjectChange.message
// takes, a unique constraint no model check covers) fails the whole request with a 500 and
// rolls it back (utilities/error_handlers.py handle_rest_api_exception).

// dbError is a database exception: its class and its message.
type dbError struct{ exception, message string }

// fail records the first database error of the request.
func (t *tx) fail(exception, message string) {
	if t.dbError == nil {
		t.dbError = &dbError{exception, message}
	}
}

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
	if e := t.dbError; e != nil {
		t.rollback()
		r := s.cat.rel
		// JsonResponse: Python's json.dumps, with its spaces and ASCII escapes.
		body := `{"error": ` + pyJSONString(e.message) + `, "exception": ` + pyJSONString(e.exception) +
			`, "netbox_version": "` + r.full + `", "python_version": "` + r.python + `"}`
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

// pyJSONString is s as Python's json.dumps writes it: non-ASCII characters as \u escapes.
func pyJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r > 0x7f:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
