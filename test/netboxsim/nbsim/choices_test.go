package nbsim_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"testing"
)

var updateChoices = flag.Bool("update-choices", false, "rewrite testdata/choices-4.7.json from the real NetBox under test")

// choicesGolden holds every choice field's choices, [value, display_name], by endpoint and field,
// as NetBox 4.7.3 itself lists them in OPTIONS (recorded with -update-choices against it).
const choicesGolden = "testdata/choices-4.7.json"

// TestConformanceChoices: the choices OPTIONS lists for every writable choice field, which the
// agent checks its values against, are NetBox 4.7.3's own, value and label, in NetBox's order.
// Content type fields are left out: their choices are the installed models.
func TestConformanceChoices(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		if c.minor != 7 {
			t.Skip("the choices are recorded from NetBox 4.7.3")
		}
		got := map[string]map[string][][2]string{}
		for _, tc := range conformanceCases() {
			got[tc.endpoint] = optionsChoices(t, c, tc.endpoint)
		}
		enc, err := json.MarshalIndent(got, "", " ")
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		enc = append(enc, '\n')
		if *updateChoices {
			if c.emulated() {
				t.Fatal("-update-choices records a real NetBox; set NETBOX_URL and NETBOX_TOKEN")
			}
			if err := os.WriteFile(choicesGolden, enc, 0o644); err != nil {
				t.Fatalf("write: %v", err)
			}
			return
		}
		want, err := os.ReadFile(choicesGolden)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if !bytes.Equal(enc, want) {
			var wantMap map[string]map[string][][2]string
			if err := json.Unmarshal(want, &wantMap); err != nil {
				t.Fatalf("decode %s: %v", choicesGolden, err)
			}
			for ep, fields := range wantMap {
				for f, list := range fields {
					if g := got[ep][f]; len(g) != len(list) || !bytes.Equal(mustJSON(t, g), mustJSON(t, list)) {
						t.Errorf("%s %s: %d choices %.200v, want %d %.200v", ep, f, len(g), g, len(list), list)
					}
				}
				for f := range got[ep] {
					if _, ok := fields[f]; !ok {
						t.Errorf("%s %s: choices NetBox does not list", ep, f)
					}
				}
			}
		}
	})
}

// optionsChoices reads the choice fields of an endpoint's OPTIONS answer.
func optionsChoices(t *testing.T, c *apiClient, endpoint string) map[string][][2]string {
	t.Helper()
	code, body := c.do(http.MethodOptions, "/api/"+endpoint+"/", nil)
	var opts struct {
		Actions struct {
			POST map[string]struct {
				Choices *[]struct {
					Value       any    `json:"value"`
					DisplayName string `json:"display_name"`
				} `json:"choices"`
			} `json:"POST"`
		} `json:"actions"`
	}
	if err := json.Unmarshal(body, &opts); code != http.StatusOK || err != nil {
		t.Fatalf("OPTIONS %s: %d %v %.200s", endpoint, code, err, body)
	}
	out := map[string][][2]string{}
	for f, p := range opts.Actions.POST {
		if p.Choices == nil || f == "related_object_type" {
			continue
		}
		list := [][2]string{}
		for _, ch := range *p.Choices {
			v, _ := json.Marshal(ch.Value)
			list = append(list, [2]string{string(bytes.Trim(v, `"`)), ch.DisplayName})
		}
		out[f] = list
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}
