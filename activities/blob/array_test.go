package blob

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll reads every element's text of an array.
func readAll(r *arrayReader) ([]string, error) {
	var out []string
	for {
		text, err := r.next()
		if err != nil || text == nil {
			return out, err
		}
		out = append(out, string(bytes.TrimSpace(text)))
	}
}

// TestArrayReaderSplitsElements: every element's text, whatever the
// reads' sizes, and an error for what is not an array of JSON values.
func TestArrayReaderSplitsElements(t *testing.T) {
	big := `{"x":"` + strings.Repeat("y", 3*readChunk) + `"}`
	for _, tc := range []struct {
		doc  string
		want []string
		err  string
	}{
		{`[]`, nil, ""},
		{` null `, nil, ""},
		{` [ 1 , 2.5e3 , "x]" , {"a":[1,{"b":null}]} , true ] `, []string{"1", "2.5e3", `"x]"`, `{"a":[1,{"b":null}]}`, "true"}, ""},
		{`[12345]`, []string{"12345"}, ""},
		{`[{"a":"}\"]{["},["\\",{"b":"\\\""}],[],{}]`, []string{`{"a":"}\"]{["}`, `["\\",{"b":"\\\""}]`, `[]`, `{}`}, ""},
		{`[{"a":"x"`, nil, "invalid JSON"},
		{`[{"a":1}}]`, []string{`{"a":1}`}, "invalid JSON"},
		{`[1] x`, []string{"1"}, "invalid JSON"},
		{`null x`, nil, "invalid JSON"},
		{`[` + big + `,` + big + `]`, []string{big, big}, ""},
		{`{"a":1}`, nil, "want a JSON array"},
		{`[1,2`, []string{"1", "2"}, "invalid JSON"},
		{`[1 2]`, []string{"1"}, "invalid JSON"},
		{`[1,]`, []string{"1"}, "invalid JSON"},
		{`[tru]`, nil, "invalid JSON"},
		{`nul`, nil, "invalid JSON"},
		{``, nil, "want a JSON array"},
	} {
		for _, oneByte := range []bool{false, true} {
			var r = bytes.NewReader([]byte(tc.doc))
			ar := newArrayReader(r)
			if oneByte {
				ar = newArrayReader(iotest.OneByteReader(r))
			}
			got, err := readAll(ar)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err, tc.doc)
			} else {
				require.NoError(t, err, tc.doc)
			}
			assert.Equal(t, tc.want, got, tc.doc)
			for _, el := range got {
				assert.True(t, json.Valid([]byte(el)), el)
			}
		}
	}
}

// TestEachElementRefusesWhatDoesNotDecode: an object or array element is
// delimited by its brackets only, so its decoder must refuse every text
// that is not JSON, for a type with its own decoder and for any other.
func TestEachElementRefusesWhatDoesNotDecode(t *testing.T) {
	for _, doc := range []string{
		`[{"a":tru}]`, `[{"a":1 "b":2}]`, `[{"a":"x\q"}]`, `[{"a":1},{"b":}]`, `[{"a":1]}]`,
		`[{"kind":"device","key":"k","attrs":{"a":01}}]`, "[{\"a\":\"\x01\"}]", `[[1,,2]]`,
	} {
		err := eachElement(strings.NewReader(doc), func(*map[string]any) error { return nil })
		require.Error(t, err, doc)
		err = eachElement(strings.NewReader(doc), func(*recordLike) error { return nil })
		require.Error(t, err, doc)
	}
}

// recordLike reads its own JSON, as inventory.Record does, through the
// scanner that validates it.
type recordLike struct{ v any }

func (r *recordLike) DecodeJSON(data []byte) error {
	return json.Unmarshal(data, &r.v)
}

// FuzzEachElement checks that any document is read by eachElement as
// encoding/json reads it into a list: the same elements, or an error.
func FuzzEachElement(f *testing.F) {
	for _, doc := range []string{`[]`, `null`, `[1,"x",{"a":[1,{"b":"}"}]},[]]`, `[{"a":"\""}]`, `[{"a":tru}]`, `[{]`, `[1,]`} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var want []json.RawMessage
		wantErr := json.Unmarshal(doc, &want)
		var got []json.RawMessage
		err := eachElement(bytes.NewReader(doc), func(v *json.RawMessage) error {
			got = append(got, append(json.RawMessage(nil), *v...))
			return nil
		})
		if wantErr != nil {
			require.Error(t, err, "%q", doc)
			return
		}
		require.NoError(t, err, "%q", doc)
		require.Len(t, got, len(want), "%q", doc)
		for i := range want {
			var a, b bytes.Buffer
			require.NoError(t, json.Compact(&a, want[i]))
			require.NoError(t, json.Compact(&b, got[i]))
			require.Equal(t, a.String(), b.String(), "%q", doc)
		}
	})
}
