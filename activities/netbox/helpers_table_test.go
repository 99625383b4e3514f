package netbox

import (
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

func TestCanon(t *testing.T) {
	cases := []struct {
		name   string
		t      fieldType
		in     any
		want   any
		wantOK bool
	}{
		{"string trimmed", typeString, "  pve1 ", "pve1", true},
		{"empty string is nothing", typeString, "", nil, true},
		{"nil", typeString, nil, nil, true},
		{"string from number", typeString, 5.0, nil, false},
		{"choice object", typeChoice, map[string]any{"value": "active", "label": "Active"}, "active", true},
		{"choice plain", typeChoice, "offline", "offline", true},
		{"choice null value", typeChoice, map[string]any{"value": nil}, nil, true},
		{"int from JSON float", typeInt, float64(1500), int64(1500), true},
		{"int from int64", typeInt, int64(9), int64(9), true},
		{"int from fraction", typeInt, 1.5, nil, false},
		{"float integral", typeFloat, 2.0, int64(2), true},
		{"float decimal string", typeFloat, "2.50", 2.5, true},
		{"bool", typeBool, true, true, true},
		{"bool from string", typeBool, "true", nil, false},
		{"MAC upper case", typeMAC, "BC:24:11:5E:00:01", "bc:24:11:5e:00:01", true},
		{"MAC dashes", typeMAC, "bc-24-11-5e-00-01", "bc:24:11:5e:00:01", true},
		{"IP bare", typeIP, "10.0.0.5", "10.0.0.5/32", true},
		{"IP CIDR", typeIP, "10.0.0.5/24", "10.0.0.5/24", true},
		{"IP garbage", typeIP, "ten", nil, false},
		{"color upper", typeColor, "FF5722", "ff5722", true},
		{"ports sorted", typeIntList, []any{float64(443), float64(80)}, []int64{80, 443}, true},
		{"ports empty", typeIntList, []any{}, nil, true},
		{"ref nested", typeRef, map[string]any{"id": float64(7), "name": "x"}, int64(7), true},
		{"ref id", typeRef, float64(7), int64(7), true},
		{"ref zero", typeRef, float64(0), nil, false},
		{"generic", typeGeneric, genericRef{Type: "dcim.interface", ID: 3}, genericRef{Type: "dcim.interface", ID: 3}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := canon(tc.t, tc.in)
			assert.Equal(t, tc.wantOK, ok)
			if tc.wantOK {
				assert.Equal(t, tc.want, got)
			}
		})
	}
}

func TestKeyPart(t *testing.T) {
	cases := []struct {
		name string
		t    fieldType
		in   any
		want string
	}{
		{"names ignore case", typeString, "PVE1", "pve1"},
		{"IP by host", typeIP, "10.0.0.5/24", "10.0.0.5"},
		{"v6 host", typeIP, "2001:db8::1/64", "2001:db8::1"},
		{"id", typeRef, int64(12), "12"},
		{"generic", typeGeneric, genericRef{Type: "dcim.interface", ID: 3}, "dcim.interface:3"},
		{"nothing", typeString, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, keyPart(tc.t, tc.in))
		})
	}
}

func TestEqualCanon(t *testing.T) {
	cases := []struct {
		name string
		a, b any
		want bool
	}{
		{"nil nil", nil, nil, true},
		{"nil string", nil, "x", false},
		{"lists", []int64{1, 2}, []int64{1, 2}, true},
		{"lists differ", []int64{1, 2}, []int64{1, 3}, false},
		{"list and nil", []int64{1}, nil, false},
		{"ids", int64(3), int64(3), true},
		{"pending never equal", pendingRef{Kind: "device", Key: "k"}, int64(3), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, equalCanon(tc.a, tc.b))
		})
	}
}

func TestChunkValues(t *testing.T) {
	long := strings.Repeat("x", 40)
	var many []string
	for i := 0; i < 200; i++ {
		many = append(many, long)
	}
	cases := []struct {
		name   string
		values []string
		max    int
		chunks int
	}{
		{"none", nil, 100, 0},
		{"one fits", []string{"a", "b"}, 100, 1},
		{"split by length", many, maxQueryLen, 4},
		{"a value longer than max still goes", []string{strings.Repeat("y", 50)}, 10, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := chunkValues("name", tc.values, tc.max)
			assert.Equal(t, tc.chunks, len(got))
			n := 0
			for _, c := range got {
				q := url.Values{"name": c}.Encode()
				if len(c) > 1 {
					assert.LessOrEqual(t, len(q), tc.max)
				}
				n += len(c)
			}
			assert.Equal(t, len(tc.values), n, "every value in exactly one chunk")
		})
	}
}

func TestAuthHeader(t *testing.T) {
	cases := []struct{ token, want string }{
		{"0123456789abcdef0123456789abcdef01234567", "Token 0123456789abcdef0123456789abcdef01234567"},
		{"nbt_abc123.secretpart", "Bearer nbt_abc123.secretpart"},
	}
	for _, tc := range cases {
		t.Run(tc.want[:6], func(t *testing.T) {
			assert.Equal(t, tc.want, authHeader(tc.token))
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"-1", 0},
		{"Sat, 01 Mar 2025 12:00:10 GMT", 10 * time.Second},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0},
		{"soon", 0},
		{"9223372037", time.Duration(math.MaxInt64)},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, parseRetryAfter(tc.in, now))
		})
	}
}

func TestBadRequestMessages(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		n        int
		perItem  [][]string
		okList   bool
		messages []string
	}{
		{
			name: "bulk answer names the bad item", n: 3, okList: true,
			body:     `[{}, {"mtu": ["Ensure this value is less than or equal to 65536."]}, {}]`,
			perItem:  [][]string{nil, {"mtu: Ensure this value is less than or equal to 65536."}, nil},
			messages: []string{"mtu: Ensure this value is less than or equal to 65536."},
		},
		{
			name: "nested messages", n: 1, okList: true,
			body:     `[{"custom_fields": {"agent_id": ["too long"]}, "name": ["required", "blank"]}]`,
			perItem:  [][]string{{"custom_fields.agent_id: too long", "name: required", "name: blank"}},
			messages: []string{"custom_fields.agent_id: too long", "name: required", "name: blank"},
		},
		{
			name: "single error object", n: 2, okList: false,
			body:     `{"detail": "JSON parse error"}`,
			messages: []string{"detail: JSON parse error"},
		},
		{
			name: "list of the wrong length", n: 3, okList: false,
			body:     `[{"name": ["x"]}]`,
			messages: []string{"name: x"},
		},
		{
			name: "not JSON", n: 1, okList: false,
			body:     `<html>Bad Request</html>`,
			messages: []string{"<html>Bad Request</html>"},
		},
		{
			name: "4.7 names the bad items by position", n: 3, okList: true,
			body:    `{"detail": "1 of 3 objects could not be created.", "errors": [{"index": 1, "errors": {"mtu": ["Ensure this value is less than or equal to 65536."]}}]}`,
			perItem: [][]string{nil, {"mtu: Ensure this value is less than or equal to 65536."}, nil},
		},
		{
			name: "4.7 names the bad items by ID", n: 3, okList: true,
			body:    `{"detail": "1 of 3 objects could not be deleted.", "errors": [{"id": 103, "errors": {"__all__": ["Unable to delete: 1 dependent object(s) prevent deletion."]}}]}`,
			perItem: [][]string{nil, nil, {"Unable to delete: 1 dependent object(s) prevent deletion."}},
		},
		{
			name: "4.7 names an object not in the request", n: 2, okList: false,
			body:     `{"detail": "1 of 2 objects could not be found.", "errors": [{"id": 999, "errors": {"id": ["Object with ID 999 does not exist"]}}]}`,
			messages: []string{"detail: 1 of 2 objects could not be found.", "errors.errors.id: Object with ID 999 does not exist", "errors.id: 999"},
		},
		{
			name: "4.7 answer without entries", n: 2, okList: false,
			body:     `{"detail": "Expected a list of items but got type \"dict\"."}`,
			messages: []string{`detail: Expected a list of items but got type "dict".`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items := make([]item, tc.n)
			for i := range items {
				items[i] = item{id: int64(101 + i)}
			}
			per, ok := itemErrors(tc.body, items)
			assert.Equal(t, tc.okList, ok)
			if ok {
				assert.Equal(t, tc.perItem, per)
			}
			if len(tc.messages) > 0 && !ok {
				assert.Equal(t, tc.messages, errorMessages(tc.body))
			}
		})
	}
}

func TestWithTags(t *testing.T) {
	o := &object{Tags: []tagRef{{"Core", "core"}, {TagOrphan, TagOrphan}}}
	cases := []struct {
		name    string
		add     []tagRef
		drop    []string
		want    []string
		changed bool
	}{
		{"add agent, drop orphan", []tagRef{agentTag}, []string{TagOrphan}, []string{"core", TagAgent}, true},
		{"nothing to do", []tagRef{{"Core", "core"}}, nil, []string{TagOrphan, "core"}, false},
		{"keeps people's tags", nil, []string{"absent"}, []string{TagOrphan, "core"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := o.withTags(tc.add, tc.drop...)
			assert.Equal(t, tc.changed, changed)
			var slugs []string
			for _, g := range got {
				slugs = append(slugs, g.Slug)
			}
			assert.ElementsMatch(t, tc.want, slugs)
		})
	}
}

func TestLooseEqual(t *testing.T) {
	cases := []struct {
		name string
		a, b any
		want bool
	}{
		{"numbers", float64(3), int64(3), true},
		{"date and datetime", "2025-03-01", "2025-03-01T00:00:00Z", true},
		{"empty is nothing", "", nil, true},
		{"nothing and value", nil, "x", false},
		{"strings differ", "a", "b", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, looseEqual(tc.a, tc.b))
		})
	}
}

func TestConfigDefaultsAndMappings(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", DefaultConfig(), ""},
		{"zero config gets numeric defaults", Config{}, ""},
		{"threshold above one", Config{MassDeleteThreshold: 1.5}, "mass_delete_threshold 1.5 is above 1"},
		{"negative grace", Config{OrphanGrace: -time.Hour}, "orphan_grace -1h0m0s is negative"},
		{"mapping to the agent's own field", Config{CustomFields: []CustomFieldMapping{{Attr: "x", Field: CFAgentID, Kinds: []inventory.Kind{inventory.KindDevice}}}}, `field "agent_id" is the agent's own`},
		{"mapping with a bad name", Config{CustomFields: []CustomFieldMapping{{Attr: "x", Field: "Pool-Health", Kinds: []inventory.Kind{inventory.KindDevice}}}}, "must match [a-z0-9_]+"},
		{"mapping of an unknown kind", Config{CustomFields: []CustomFieldMapping{{Attr: "x", Field: "x", Kinds: []inventory.Kind{"toaster"}}}}, `kind "toaster" is not written`},
		{"mapping with an unknown type", Config{CustomFields: []CustomFieldMapping{{Attr: "x", Field: "x", Type: "blob", Kinds: []inventory.Kind{inventory.KindDevice}}}}, `unknown type "blob"`},
		{"one field, two types", Config{CustomFields: []CustomFieldMapping{
			{Attr: "x", Field: "x", Type: "integer", Kinds: []inventory.Kind{inventory.KindDevice}},
			{Attr: "y", Field: "x", Kinds: []inventory.Kind{inventory.KindVirtualMachine}}}}, "mapped with types integer and text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cfg.withDefaults()
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, DefaultBatchSize, got.BatchSize)
			assert.Equal(t, DefaultPageSize, got.PageSize)
			assert.Equal(t, DefaultMaxInFlight, got.MaxInFlight)
			assert.Equal(t, DefaultMassDeleteThreshold, got.MassDeleteThreshold)
		})
	}
}

func TestKindTable(t *testing.T) {
	// Every kind of the model has a table, in dependency order, and every
	// late field points forward.
	assert.Len(t, Kinds(), len(inventory.Kinds()))
	for _, s := range specOrder {
		assert.NotEmpty(t, s.Endpoint, s.Kind)
		assert.NotNil(t, s.checkCreate, s.Kind)
		assert.NotNil(t, s.checkUpdate, s.Kind)
		for _, nk := range append(append([][]string{}, s.NaturalKeys...), s.ScopedKeys...) {
			for _, f := range nk {
				assert.NotNil(t, s.field(f), "%s natural key field %s", s.Kind, f)
			}
		}
		for _, cq := range s.Candidates {
			assert.NotNil(t, s.field(cq.Field), "%s candidate field %s", s.Kind, cq.Field)
		}
		for _, f := range s.Fields {
			if f.Type == typeChoice {
				// The probe stands in for the value in go-netbox's request check.
				assert.NotEmpty(t, f.Probe, "%s.%s has a probe", s.Kind, f.Name)
				assert.Empty(t, s.requestCheck(s.checkUpdate, map[string]any{f.Name: "not-in-4.3"}), "%s.%s probe", s.Kind, f.Name)
			}
			for _, tk := range f.Targets {
				assert.NotNil(t, specFor(tk), "%s.%s points to %s", s.Kind, f.Name, tk)
				if f.Late {
					assert.GreaterOrEqual(t, tk.Order(), s.Kind.Order())
				}
			}
		}
		if s.Kind.Shared() {
			assert.True(t, s.FetchAll, "%s is shared and read whole", s.Kind)
			assert.Empty(t, s.OrphanStatus)
		}
	}
}
