package nbsim

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The change log: every create, update and delete, as NetBox's ObjectChange records them
// (core/models/change_logging.py), served read-only at core/object-changes.

const epObjectChanges = "core/object-changes"

// change is one ObjectChange. Its pre- and post-change data are not kept.
type change struct {
	ID      int64
	Time    time.Time
	Action  string // create, update, delete
	Kind    *kindSpec
	Object  int64
	Repr    string
	Message string
	Request int64
}

// maxChangeMessage is the length of ObjectChange.message (core/models/change_logging.py):
// PostgreSQL refuses a longer one when the change is saved.
const maxChangeMessage = 200

var actionLabels = map[string]string{"create": "Created", "update": "Updated", "delete": "Deleted"}

// record appends a change for o (of endpoint) to the log; rollback takes it back.
func (t *tx) record(action, endpoint string, o *object) {
	k := t.table(endpoint).kind
	// The message belongs to the objects the request names, not to what their signals or
	// cascades change (NetBox attaches it to the instance: instance._changelog_message).
	msg := ""
	switch {
	case action == "delete":
		msg = t.deleting[endpoint][o.ID]
	case t.subject == o:
		msg = t.message
	}
	if utf8.RuneCountInString(msg) > maxChangeMessage {
		t.fail("DataError", "value too long for type character varying(200)")
	}
	st := t.st
	st.nextChange++
	st.changes = append(st.changes, change{ID: st.nextChange, Time: st.now(), Action: action, Kind: k, Object: o.ID,
		Repr: k.Display(t.view, o), Message: msg, Request: t.request})
	t.undo = append(t.undo, func() { st.changes = st.changes[:len(st.changes)-1] })
}

// changelogMessage reads an object write's changelog_message (4.4 and later). NetBox's
// serializers copy it from the body without validating it (netbox/api/serializers/features.py,
// ChangeLogMessageSerializer.to_internal_value), so any value is taken, as its string.
func (t *tx) changelogMessage(body map[string]any) string {
	if !t.st.cat.rel.changelogMessages() {
		return ""
	}
	v, ok := body["changelog_message"]
	if !ok || v == nil {
		return ""
	}
	return pyStr(normalizeJSON(v))
}

// deleteMessage validates a delete's changelog_message as the CharField of
// ChangeLogMessageSerializer does (deletes run that serializer), returning its errors.
func (t *tx) deleteMessage(body map[string]any) (string, fieldErrors) {
	if !t.st.cat.rel.changelogMessages() {
		return "", nil
	}
	v, ok := body["changelog_message"]
	if !ok {
		return "", nil
	}
	switch x := v.(type) {
	case nil:
		return "", fieldErrors{"changelog_message": []any{"This field may not be null."}}
	case string:
		if strings.TrimSpace(x) == "" {
			return "", fieldErrors{"changelog_message": []any{"This field may not be blank."}}
		}
		return strings.TrimSpace(x), nil
	case bool, map[string]any, []any:
		return "", fieldErrors{"changelog_message": []any{"Not a valid string."}}
	}
	return pyStr(v), nil
}

// serveChanges answers GET core/object-changes/ (newest first, as ObjectChange.Meta.ordering
// says) and core/object-changes/<id>/.
func (s *Server) serveChanges(w http.ResponseWriter, r *http.Request, id int64) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := &view{st: s.st, base: baseURL(r)}
	if id != 0 {
		i, found := slices.BinarySearchFunc(s.st.changes, id, func(c change, id int64) int { return int(c.ID - id) })
		if !found {
			writeBody(w, http.StatusNotFound, detail("No ObjectChange matches the given query."))
			return
		}
		var b bytes.Buffer
		v.renderChange(&b, &s.st.changes[i])
		writeRaw(w, http.StatusOK, b.Bytes())
		return
	}
	q := r.URL.Query()
	match := changeFilter(q)
	var page []*change
	count := 0
	limit, offset := pageSize(q), pageOffset(q)
	for i := len(s.st.changes) - 1; i >= 0; i-- {
		c := &s.st.changes[i]
		if !match(c) {
			continue
		}
		if count >= offset && len(page) < limit {
			page = append(page, c)
		}
		count++
	}
	var b bytes.Buffer
	b.WriteString(`{"count":` + strconv.Itoa(count) + `,"next":`)
	writeJSON(&b, pageLink(r, limit, offset+limit, offset+limit < count))
	b.WriteString(`,"previous":`)
	writeJSON(&b, pageLink(r, limit, max(offset-limit, 0), offset > 0))
	b.WriteString(`,"results":[`)
	for i, c := range page {
		if i > 0 {
			b.WriteByte(',')
		}
		v.renderChange(&b, c)
	}
	b.WriteString("]}")
	writeRaw(w, http.StatusOK, b.Bytes())
}

// changeFilter compiles the ObjectChangeFilterSet filters the agent may use: id, action,
// changed_object_type, changed_object_id, request_id and q (which searches the message and
// object_repr) (core/filtersets.py).
func changeFilter(q map[string][]string) func(*change) bool {
	return func(c *change) bool {
		for key, values := range q {
			var got string
			switch key {
			case "id":
				got = itoa(c.ID)
			case "action":
				got = c.Action
			case "changed_object_type":
				got = c.Kind.ObjectType
			case "changed_object_id":
				got = itoa(c.Object)
			case "request_id":
				got = requestID(c.Request)
			case "q":
				needle := strings.ToLower(values[0])
				if !strings.Contains(strings.ToLower(c.Message), needle) && !strings.Contains(strings.ToLower(c.Repr), needle) {
					return false
				}
				continue
			default:
				continue
			}
			if !slices.Contains(values, got) {
				return false
			}
		}
		return true
	}
}

// requestID is the UUID NetBox gives every request, here made from the request's number.
func requestID(n int64) string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", n) }

func (v *view) renderChange(b *bytes.Buffer, c *change) {
	base := v.base
	user := map[string]any{"id": 1, "url": base + "/api/users/users/1/", "display": "admin", "username": "admin"}
	var obj any
	if o := v.get(c.Kind.Endpoint, c.Object); o != nil {
		var nb bytes.Buffer
		v.render(&nb, c.Kind, o, true)
		obj = rawJSON(nb.Bytes())
	}
	fields := []struct {
		name string
		val  any
	}{
		{"id", c.ID}, {"url", base + "/api/core/object-changes/" + itoa(c.ID) + "/"},
		{"display_url", base + "/core/changelog/" + itoa(c.ID) + "/"},
		{"display", fmt.Sprintf("%s %s %s by admin", c.Kind.ObjectType, c.Repr, strings.ToLower(actionLabels[c.Action]))},
		{"time", c.Time}, {"user", user}, {"user_name", "admin"}, {"request_id", requestID(c.Request)},
		{"action", map[string]any{"value": c.Action, "label": actionLabels[c.Action]}},
		{"changed_object_type", c.Kind.ObjectType}, {"changed_object_id", c.Object}, {"changed_object", obj},
		{"object_repr", c.Repr}, {"message", c.Message}, {"prechange_data", nil}, {"postchange_data", nil},
	}
	b.WriteByte('{')
	for i, f := range fields {
		if f.name == "message" && !v.st.cat.rel.changelogMessages() {
			continue
		}
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(b, f.name)
		b.WriteByte(':')
		if raw, ok := f.val.(rawJSON); ok {
			b.Write(raw)
			continue
		}
		writeJSON(b, f.val)
	}
	b.WriteByte('}')
}

// rawJSON is already encoded JSON.
type rawJSON []byte
