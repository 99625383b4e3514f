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
