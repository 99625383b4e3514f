package netbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

// Which answer FuzzAnswer reads its input as.
const (
	answerStatus = iota
	answerOptions
	answerRefused
	answerCreated
	answerKinds
)

// fuzzToken is the client's token in FuzzAnswer: a v2 key, which error
// pages may echo.
const fuzzToken = "nbt_fuzzkey01.0123456789abcdefSECRET"

// FuzzAnswer feeds arbitrary bodies to the readers of NetBox's answers
// other than lists: /api/status/, an OPTIONS answer, the error body of a
// refused request (as an error and as the per-item errors of a bulk
// write) and the answer of a bulk create. Each reads to a value or to an
// error of its class, and an error never holds the token.
func FuzzAnswer(f *testing.F) {
	for _, s := range []string{
		`{"django-version":"5.2.7","installed-apps":{},"netbox-version":"4.7.3","netbox-full-version":"4.7.3-Docker-3.4.1","plugins":{},"python-version":"3.12.3","rq-workers-running":1}`,
		`{"netbox-version":"4.1.11"}`, `{"netbox-version":"v4.3"}`, `{"netbox-version":4.3}`, `[]`,
	} {
		f.Add(uint8(answerStatus), []byte(s))
	}
	f.Add(uint8(answerOptions), []byte(`{"name":"Interface List","actions":{"POST":{"type":{"type":"choice","required":true,"choices":[{"value":"1000base-t","display_name":"1000BASE-T (1GE)"},{"value":"virtual","display_name":"Virtual"}]},"mtu":{"type":"integer"},"mode":{"type":"choice","choices":[{"value":1,"display_name":"one"},{"value":true},{"value":null}]}}}}`))
	f.Add(uint8(answerOptions), []byte(`{"actions":{}}`))
	for _, name := range []string{"bulk_create_invalid.json", "delete_protected.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "test", "netboxsim", "nbsim", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(answerRefused), b)
	}
	for _, s := range []string{
		`[{}, {"mtu": ["Ensure this value is less than or equal to 65536."]}, {}]`,
		`{"errors":[{"id":103,"errors":{"__all__":["Unable to delete"]}},{"index":-1}]}`,
		`<html><pre>Authorization: Bearer ` + fuzzToken + `</pre></html>`,
		`{"detail":"Invalid v2 token","token":"` + fuzzToken + `"}`,
		`9223372037`,
	} {
		f.Add(uint8(answerRefused), []byte(s))
	}
	for _, name := range []string{"device.json", "interface.json", "virtual_machine.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "test", "netboxsim", "nbsim", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(answerCreated), append(append([]byte("["), b...), ']'))
	}
	f.Add(uint8(answerCreated), []byte(`[{"id":0,"custom_fields":{"agent_id":"k"}},null,{"id":-4,"custom_fields":{"agent_id":"j"}}]`))

	c, err := NewClient(Config{URL: "https://netbox.example.com"}, fuzzToken, zap.NewNop())
	if err != nil {
		f.Fatal(err)
	}
	items := []item{{id: 101}, {id: 102}, {id: 103}}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		switch which % answerKinds {
		case answerStatus:
			st, err := parseStatus(data)
			checkAnswerError(t, err)
			if err == nil && !st.Version.AtLeast(minMajor, minMinor) {
				t.Fatalf("release %s taken", st.Version)
			}
			if err == nil {
				if back, perr := ParseVersion(st.Version.String()); perr != nil || back != st.Version {
					t.Fatalf("version %s does not read back: %v, %v", st.Version, back, perr)
				}
			}
		case answerOptions:
			_, err := parseChoices("dcim/interfaces", data)
			checkAnswerError(t, err)
		case answerRefused:
			ae := c.apiError("POST", "dcim/interfaces/", 400, string(data), data, now)
			if strings.Contains(ae.Error(), fuzzToken) || strings.Contains(ae.Error(), "0123456789abcdefSECRET") {
				t.Fatalf("the token in an error: %s", ae.Error())
			}
			if len(ae.Body) > maxErrorBody+len("...") || ae.RetryAfter < 0 || ae.RetryAfter > c.cfg.MaxRetryAfter {
				t.Fatalf("body of %d bytes, Retry-After %s", len(ae.Body), ae.RetryAfter)
			}
			if per, ok := itemErrors(ae.Body, items); ok && len(per) != len(items) {
				t.Fatalf("%d item errors for %d items", len(per), len(items))
			}
			for _, m := range errorMessages(ae.Body) {
				if strings.Contains(m, fuzzToken) {
					t.Fatalf("the token in a message: %s", m)
				}
			}
		case answerCreated:
			for key, id := range createdIDs(data) {
				if key == "" || id <= 0 {
					t.Fatalf("learned %q as %d", key, id)
				}
			}
		}
	})
}

// checkAnswerError fails unless err is nil or an error of an answer the
// agent cannot read or take, with text.
func checkAnswerError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ae *AnswerError
	var ue *UnsupportedError
	if !errors.As(err, &ae) && !errors.As(err, &ue) {
		t.Fatalf("unclassified error: %v", err)
	}
	if ae != nil && (ae.Endpoint == "" || ae.Problem == "" || len(ae.Value) > maxAnswerValue+len("...")) {
		t.Fatalf("an error that names no endpoint or problem, or quotes too much: %v", err)
	}
}
