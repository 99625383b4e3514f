package blob

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type streamItem struct {
	Name  string         `json:"name"`
	Attrs map[string]any `json:"attrs,omitempty"`
}

type streamDoc struct {
	CreatedAt time.Time    `json:"created_at"`
	Items     []streamItem `json:"items"`
	Empty     []streamItem `json:"empty,omitempty"`
	Nil       []streamItem `json:"nil"`
	Notes     []string     `json:"notes,omitempty"`
	Count     int          `json:"count,omitempty"`
	Skipped   string       `json:"-"`
	Plain     string
	hidden    string
	Raw       []byte `json:"raw,omitempty"`
}

type embedding struct {
	streamItem
	Extra int `json:"extra"`
}

// TestEncodeStreamMatchesEncodingJSON: what the streaming encoder writes
// decodes to exactly what encoding/json would have written.
func TestEncodeStreamMatchesEncodingJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"slice", []streamItem{{Name: "a", Attrs: map[string]any{"mtu": 9000}}, {Name: "b"}}},
		{"empty slice", []streamItem{}},
		{"nil slice", []streamItem(nil)},
		{"struct", &streamDoc{
			CreatedAt: time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC),
			Items:     []streamItem{{Name: "x"}, {Name: "y", Attrs: map[string]any{"tags": []string{"p"}}}},
			Empty:     []streamItem{}, Notes: []string{"n"}, Skipped: "s", Plain: "p", hidden: "h", Raw: []byte("bytes"),
		}},
		{"zero struct", streamDoc{}},
		{"embedded falls back", embedding{streamItem: streamItem{Name: "e"}, Extra: 1}},
		{"scalar", 42},
		{"map", map[string]int{"a": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got bytes.Buffer
			require.NoError(t, encodeStream(&got, tc.v))
			want, err := json.Marshal(tc.v)
			require.NoError(t, err)
			require.True(t, json.Valid(got.Bytes()), "%s", got.String())
			require.JSONEq(t, string(want), got.String())
		})
	}
}
