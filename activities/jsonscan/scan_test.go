package jsonscan

import (
	"bytes"
	"encoding/json"
	"math/bits"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeAll decodes a document the way encoding/json does into an any.
func decodeAll(data []byte, useNumber bool) (any, error) {
	s := New(data)
	s.UseNumber = useNumber
	v, err := s.Value()
	if err == nil {
		err = s.End()
	}
	return v, err
}

var documents = []string{
	`{"a":1,"b":[true,false,null,"x\u00e9\n"],"c":{"d":-0.5e3,"e":{}},"f":[]}`,
	`  [1, 2.5, -0, 12345678901234567890, 1e400]  `,
	`"plain"`, `"bad \xff"`, `{"k\u0061y":"v"}`, `{"a":1,"a":2}`,
	`{"a":}`, `[1,]`, `{"a" 1}`, `tru`, `01`, `1.`, `"\x01"`, `"\q"`, `{"a":1} x`, ``,
}

// TestValueDecodesAsEncodingJSON: the same values, or an error where
// encoding/json gives one.
func TestValueDecodesAsEncodingJSON(t *testing.T) {
	for _, doc := range documents {
		for _, useNumber := range []bool{false, true} {
			requireDecodesAsEncodingJSON(t, doc, useNumber)
		}
	}
}

// requireDecodesAsEncodingJSON checks that the scanner decodes doc to the
// value encoding/json gives, or fails where it does.
func requireDecodesAsEncodingJSON(t *testing.T, doc string, useNumber bool) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	if useNumber {
		dec.UseNumber()
	}
	var want any
	wantErr := dec.Decode(&want)
	if wantErr == nil && dec.More() {
		wantErr = ErrSyntax
	}
	if wantErr == nil {
		var rest any
		if dec.Decode(&rest) == nil {
			wantErr = ErrSyntax
		}
	}
	got, err := decodeAll([]byte(doc), useNumber)
	if wantErr != nil {
		assert.Error(t, err, "%s", doc)
		return
	}
	require.NoError(t, err, "%s", doc)
	assert.Equal(t, want, got, "%s", doc)
}

func TestSinceIsTheTextRead(t *testing.T) {
	s := New([]byte(`{"a": [1, 2], "b": 3}`))
	require.NoError(t, s.Object(func(key []byte) error {
		s.Peek()
		start := s.Pos()
		if err := s.Skip(); err != nil {
			return err
		}
		if string(key) == "a" {
			assert.Equal(t, "[1, 2]", string(s.Since(start)))
		}
		return nil
	}))
	require.NoError(t, s.End())
}

// TestSpecialFlagsTheFirstByteThatIsNotPlain puts each byte value at each
// place of a word of plain text, alone and before another byte that is
// not plain: special must flag the word exactly when the byte is not
// plain, and at that byte first, so that StringSpan never passes over a
// quote, a backslash, a control byte or a multi-byte character.
func TestSpecialFlagsTheFirstByteThatIsNotPlain(t *testing.T) {
	word := func(b []byte) uint64 {
		w := uint64(0)
		for j := 7; j >= 0; j-- {
			w = w<<8 | uint64(b[j])
		}
		return w
	}
	for c := range 256 {
		for i := range 8 {
			b := []byte("abcdefgh")
			b[i] = byte(c)
			m := special(word(b))
			if plainText[c] {
				require.Zero(t, m, "byte %#x at %d", c, i)
				continue
			}
			require.Equal(t, i, bits.TrailingZeros64(m)>>3, "byte %#x at %d", c, i)
			for j := i + 1; j < 8; j++ {
				for _, d := range []byte{0, 0x1f, '"', '\\', 0x80, 0xff} {
					b2 := append([]byte(nil), b...)
					b2[j] = d
					require.Equal(t, i, bits.TrailingZeros64(special(word(b2)))>>3, "byte %#x at %d, %#x at %d", c, i, d, j)
				}
			}
		}
	}
}

// TestStringSpanAtEveryLength reads strings of plain text, with an escape,
// a quote's end or a multi-byte character at every place, as
// encoding/json does.
func TestStringSpanAtEveryLength(t *testing.T) {
	for n := range 40 {
		for _, tail := range []string{``, `\n`, `é`, `\u00e9x`, "\x01"} {
			requireDecodesAsEncodingJSON(t, `"`+strings.Repeat("a", n)+tail+`b"`, false)
		}
	}
}

// BenchmarkStringSpan passes over a string as long as a NetBox URL.
func BenchmarkStringSpan(b *testing.B) {
	doc := []byte(`"https://netbox.example.com/api/dcim/interfaces/123456/?brief=true"`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		s := New(doc)
		if _, plain, err := s.StringSpan(); err != nil || !plain {
			b.Fatal(err)
		}
	}
}
