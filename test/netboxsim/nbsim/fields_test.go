package nbsim_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"
)

var updateFields = flag.Bool("update-fields", false, "rewrite testdata/fields-4.7.json from the real NetBox under test")

// fieldsGolden holds, by endpoint, the fields of an object and of its brief form, in order, as
// NetBox 4.7.3 answers them (recorded with -update-fields against it).
const fieldsGolden = "testdata/fields-4.7.json"

// TestConformanceAnswerFields: every endpoint answers NetBox 4.7.3's fields, in its order, in
// full and in brief.
func TestConformanceAnswerFields(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		if c.minor != 7 {
			t.Skip("the fields are recorded from NetBox 4.7.3")
		}
		w := c.seed(1)
		got := map[string]map[string][]string{}
		for _, tc := range conformanceCases() {
			code, body := c.do(http.MethodPost, "/api/"+tc.endpoint+"/", tc.body(c, w, 40))
			if code != http.StatusCreated {
				t.Fatalf("create %s: %d %s", tc.endpoint, code, body)
			}
			full := orderedKeys(t, body)
			var created struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(body, &created); err != nil {
				t.Fatalf("decode: %v", err)
			}
			_, page := c.do(http.MethodGet, fmt.Sprintf("/api/%s/?brief=1&id=%d", tc.endpoint, created.ID), nil)
			var p struct {
				Results []json.RawMessage `json:"results"`
			}
			if err := json.Unmarshal(page, &p); err != nil || len(p.Results) != 1 {
				t.Fatalf("brief %s: %v %s", tc.endpoint, err, page)
			}
			got[tc.endpoint] = map[string][]string{"full": full, "brief": orderedKeys(t, p.Results[0])}
		}
		if *updateFields {
			if c.emulated() {
				t.Fatal("-update-fields records a real NetBox; set NETBOX_URL and NETBOX_TOKEN")
			}
			if err := os.WriteFile(fieldsGolden, append(mustJSONIndent(t, got), '\n'), 0o644); err != nil {
				t.Fatalf("write: %v", err)
			}
			return
		}
		raw, err := os.ReadFile(fieldsGolden)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var want map[string]map[string][]string
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("decode %s: %v", fieldsGolden, err)
		}
		for ep, forms := range want {
			for form, fields := range forms {
				if g := got[ep][form]; !slices.Equal(g, fields) {
					t.Errorf("%s %s fields:\n got %v\nwant %v", ep, form, g, fields)
				}
			}
		}
	})
}

// orderedKeys lists the keys of a JSON object in the order they come.
func orderedKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %.200s", body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("decode %.200s: %v", body, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("decode %.200s: %v", body, err)
		}
	}
	return keys
}

func mustJSONIndent(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}
