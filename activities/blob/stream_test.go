package blob

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// TestPutEachWritesAnArray: PutEach writes what PutJSON writes of the
// same elements as a slice, and stops at its producer's error.
func TestPutEachWritesAnArray(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "mem://", "")
	require.NoError(t, err)
	items := []streamItem{{Name: "a", Attrs: map[string]any{"role": "nas"}}, {Name: "b"}}
	for _, tc := range []struct {
		name  string
		items []streamItem
	}{{"two", items}, {"none", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.PutEach(ctx, "each.json", func(put func(any) error) error {
				for i := range tc.items {
					if err := put(&tc.items[i]); err != nil {
						return err
					}
				}
				return nil
			})
			require.NoError(t, err)
			var got []streamItem
			require.NoError(t, EachJSON(ctx, s, "each.json", func(it *streamItem) error {
				got = append(got, *it)
				return nil
			}))
			require.Equal(t, tc.items, got)
		})
	}
	stop := errors.New("stop")
	_, err = s.PutEach(ctx, "failed.json", func(func(any) error) error { return stop })
	require.ErrorIs(t, err, stop)
}

// selfCoded writes and reads its own JSON, and counts that it did.
type selfCoded struct {
	N       int `json:"n"`
	decoded bool
}

func (s *selfCoded) AppendJSON(b []byte) ([]byte, error) {
	return fmt.Appendf(b, `{"n":%d,"self":true}`, s.N), nil
}

func (s *selfCoded) DecodeJSON(data []byte) error {
	s.decoded = true
	return json.Unmarshal(data, &struct{ N *int }{&s.N})
}

// TestSelfCodedElements: elements with AppendJSON and DecodeJSON write and
// read themselves, in slices and in streams.
func TestSelfCodedElements(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "mem://", "")
	require.NoError(t, err)
	items := []selfCoded{{N: 1}, {N: 2}}
	var buf bytes.Buffer
	require.NoError(t, encodeStream(&buf, items))
	require.JSONEq(t, `[{"n":1,"self":true},{"n":2,"self":true}]`, buf.String())
	_, err = s.PutEach(ctx, "self.json", func(put func(any) error) error { return put(&items[1]) })
	require.NoError(t, err)
	var got []selfCoded
	require.NoError(t, EachJSON(ctx, s, "self.json", func(v *selfCoded) error {
		got = append(got, *v)
		return nil
	}))
	require.Equal(t, []selfCoded{{N: 2, decoded: true}}, got)
}
