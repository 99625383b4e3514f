package netbox

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Version
		err  bool
	}{
		{"4.7.3", Version{4, 7, 3}, false},
		{"v4.4.0", Version{4, 4, 0}, false},
		{"4.3.7-Docker-3.3.0", Version{4, 3, 7}, false},
		{"4.6.0-beta1", Version{4, 6, 0}, false},
		{"4.2", Version{4, 2, 0}, false},
		{" 4.5.10 ", Version{4, 5, 10}, false},
		{"", Version{}, true},
		{"4", Version{}, true},
		{"four.seven", Version{}, true},
		{"4.7.3.1", Version{}, true},
		{"4.-1.0", Version{}, true},
	} {
		got, err := ParseVersion(tc.in)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	v := Version{4, 4, 0}
	assert.True(t, v.AtLeast(4, 4))
	assert.True(t, v.AtLeast(4, 2))
	assert.True(t, v.AtLeast(3, 9))
	assert.False(t, v.AtLeast(4, 5))
	assert.False(t, v.AtLeast(5, 0))
	assert.Equal(t, "4.4.0", v.String())
	assert.Equal(t, "", Version{}.String())
}

func TestChangelogMessage(t *testing.T) {
	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		name string
		run  Run
		step string
		want string
	}{
		{"4.4 takes it", Run{ID: "wf/1", NetBoxVersion: "4.4.10"}, "batch 0007", "netbox-agent run wf/1 batch 0007"},
		{"4.7 takes it", Run{ID: "wf/1", NetBoxVersion: "4.7.3"}, "prepare", "netbox-agent run wf/1 prepare"},
		{"outside a run", Run{NetBoxVersion: "4.7.3"}, "batch 0000", "netbox-agent batch 0000"},
		{"4.3 takes none", Run{ID: "wf/1", NetBoxVersion: "4.3.7"}, "batch 0007", ""},
		{"unknown release, none", Run{ID: "wf/1"}, "batch 0007", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.run.changelog(tc.step))
		})
	}
	msg := Run{ID: long, NetBoxVersion: "4.7.3"}.changelog("batch 0012")
	assert.Len(t, msg, maxChangelogMessage, "cut to NetBox's ObjectChange.message")
	assert.True(t, strings.HasSuffix(msg, "... batch 0012"), "the batch stays: %s", msg)
}

func TestChoicesFromOptions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   choiceSet
		err    string
	}{
		{"list endpoint", http.StatusOK, `{"name": "Interface List", "actions": {"POST": {
			"name": {"type": "string", "required": true},
			"type": {"type": "field", "choices": [{"value": "1000base-t", "display_name": "1000BASE-T (1GE)"}, {"value": "10gbase-cu", "display_name": "10GBASE-CU"}]},
			"weight_unit": {"type": "field", "choices": [{"value": 1, "display_name": "odd"}]}}}}`,
			choiceSet{"type": newFieldChoices("1000base-t", "10gbase-cu"), "weight_unit": newFieldChoices("1")}, ""},
		{"token without add permission", http.StatusOK, `{"name": "Interface List", "actions": {}}`, nil, ""},
		{"no actions at all", http.StatusOK, `{"name": "Interface List"}`, nil, ""},
		{"OPTIONS not allowed", http.StatusMethodNotAllowed, `{"detail": "Method \"OPTIONS\" not allowed."}`, nil, ""},
		{"token refused", http.StatusUnauthorized, `{"detail": "Invalid token"}`, nil, "401"},
		{"not metadata", http.StatusOK, `<html></html>`, nil, "OPTIONS answer is not NetBox's metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var method string
			url := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				method = r.Method
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			cfg := DefaultConfig()
			cfg.URL = url
			c, err := NewClient(cfg, "tok", nil)
			require.NoError(t, err)
			got, err := c.choices(context.Background(), "dcim/interfaces")
			assert.Equal(t, http.MethodOptions, method)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	cs := choiceSet{"type": newFieldChoices("other")}
	ok, known := cs.takes("type", "10gbase-cu")
	assert.False(t, ok)
	assert.True(t, known)
	ok, known = cs.takes("mode", "access")
	assert.True(t, ok, "a field NetBox did not list is not checked")
	assert.False(t, known)
}

func TestNearChoices(t *testing.T) {
	fc := newFieldChoices("virtual", "bridge", "lag", "1000base-t", "10gbase-t", "10gbase-x-sfpp", "25gbase-x-sfp28", "other")
	for _, tc := range []struct {
		value string
		want  []string
	}{
		{"10gbase-cu", []string{"10gbase-t", "10gbase-x-sfpp"}},
		{"10gbase-x-sfp", []string{"10gbase-x-sfpp"}},
		{"25gbase-x-sfp28", []string{"25gbase-x-sfp28"}},
		{"warp-drive", []string{"virtual", "bridge", "lag", "1000base-t", "10gbase-t", "10gbase-x-sfpp", "..."}},
	} {
		assert.Equal(t, tc.want, fc.near(tc.value), tc.value)
	}
}

func TestRequestCheckLeavesChoicesToNetBox(t *testing.T) {
	s := specFor(inventory.KindInterface)
	body := map[string]any{"name": "eth0", "device": 1, "type": "10gbase-cu"}
	assert.Empty(t, s.requestCheck(s.checkCreate, body), "a type of NetBox 4.5 passes go-netbox's check")
	assert.Equal(t, "10gbase-cu", body["type"], "the body itself is not changed")
	assert.Contains(t, s.requestCheck(s.checkCreate, map[string]any{"name": "eth0", "type": "1000base-t"}), "device",
		"what go-netbox models, here a required field, is still checked")
	assert.Contains(t, s.requestCheck(s.checkUpdate, map[string]any{"mtu": "big"}), "mtu")
}

// TestPlatformsMatchWithinTheirManufacturer: from NetBox 4.4 two platforms
// may share a name under different manufacturers; a record matches the one
// of its own manufacturer. Before 4.4 the name alone is unique.
func TestPlatformsMatchWithinTheirManufacturer(t *testing.T) {
	mfrA, mfrB := inventory.SharedKey(inventory.KindManufacturer, "Acme"), inventory.SharedKey(inventory.KindManufacturer, "Globex")
	linux := inventory.SharedKey(inventory.KindPlatform, "Linux")
	recs := []inventory.Record{
		rec(inventory.KindManufacturer, mfrA, "lab", map[string]any{"name": "Acme"}, nil),
		rec(inventory.KindManufacturer, mfrB, "lab", map[string]any{"name": "Globex"}, nil),
		rec(inventory.KindPlatform, linux, "lab", map[string]any{"name": "Linux"}, map[string]string{"manufacturer": mfrB}),
	}
	objs := map[inventory.Kind][]map[string]any{
		inventory.KindManufacturer: {
			{"id": 1, "name": "Acme", "slug": "acme"},
			{"id": 2, "name": "Globex", "slug": "globex"},
		},
		inventory.KindPlatform: {
			{"id": 10, "name": "Linux", "slug": "linux", "manufacturer": map[string]any{"id": 1}},
			{"id": 11, "name": "Linux", "slug": "linux", "manufacturer": map[string]any{"id": 2}},
		},
	}
	for _, tc := range []struct {
		version   Version
		ambiguous bool
	}{
		{Version{4, 3, 7}, true},
		{Version{4, 4, 0}, false},
		{Version{4, 7, 3}, false},
	} {
		t.Run(tc.version.String(), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Adopt = AdoptAuto // the platform matched shows in its adoption's update
			req := PlanRequest{Records: clone(recs), Sources: ok("lab"), Now: day0}
			p, err := buildPlan(context.Background(), &memFetcher{objs: objs}, cfg, req, netboxFacts{version: tc.version})
			require.NoError(t, err)
			if tc.ambiguous {
				require.Len(t, p.Ambiguous, 1)
				assert.Equal(t, []int64{10, 11}, p.Ambiguous[0].Candidates)
				return
			}
			assert.Empty(t, p.Ambiguous)
			var adopted *Operation
			for _, b := range p.Batches {
				for i := range b.Ops {
					if b.Kind == inventory.KindPlatform {
						adopted = &b.Ops[i]
					}
				}
			}
			require.NotNil(t, adopted, "the platform is adopted: %v", p.Batches)
			assert.Equal(t, int64(11), adopted.ID, "Globex's Linux, not Acme's")
			assert.Zero(t, p.Summary.Kinds[inventory.KindPlatform].Create)
		})
	}
}

func TestSelectCustomFieldValues(t *testing.T) {
	for _, tc := range []struct {
		name       string
		want, have any
		equal      bool
	}{
		{"select bare", "debian", "debian", true},
		{"select as 4.7 renders it", "debian", map[string]any{"value": "debian", "label": "Debian"}, true},
		{"select changed", "rhel", map[string]any{"value": "debian", "label": "Debian"}, false},
		{"multiselect bare", []any{"db", "web"}, []any{"web", "db"}, true},
		{"multiselect as 4.7 renders it", []string{"db", "web"}, []any{map[string]any{"value": "web", "label": "Web"}, map[string]any{"value": "db", "label": "Database"}}, true},
		{"multiselect changed", []any{"db"}, []any{map[string]any{"value": "web", "label": "Web"}}, false},
		{"multiselect emptied", nil, []any{}, true},
		{"json value that only looks like a choice", map[string]any{"value": 1, "label": "x", "unit": "s"}, map[string]any{"value": 1, "label": "x", "unit": "s"}, true},
		{"date against a datetime", "2025-03-01", "2025-03-01T06:00:00Z", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.equal, looseEqual(tc.want, tc.have))
		})
	}
	for _, tc := range []struct {
		in   any
		want any
	}{
		{[]any{"web", "db", "web"}, []string{"db", "web"}},
		{[]any{map[string]any{"value": "web", "label": "Web"}}, []string{"web"}},
		{"web", []string{"web"}},
		{[]any{}, nil},
	} {
		got, ok := canon(typeChoiceList, tc.in)
		assert.True(t, ok, "%v", tc.in)
		assert.Equal(t, tc.want, got, "%v", tc.in)
	}
	_, ok := canon(typeChoiceList, []any{1, 2})
	assert.False(t, ok, "numbers are no choice values")
}

func TestSelectFieldsAreNotCreated(t *testing.T) {
	cfg := DefaultConfig()
	cfg.CustomFields = []CustomFieldMapping{{Attr: "os_family", Field: "os_family", Kinds: []inventory.Kind{inventory.KindDevice}, Type: "select"}}
	_, c, _ := newSimAt(t, "4.7", cfg)
	err := c.EnsureSchema(context.Background())
	var se *SchemaError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "os_family", se.Field)
	assert.Contains(t, err.Error(), "custom field os_family does not exist: a select field needs a choice set")
}
