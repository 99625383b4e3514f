package jsonscan

import (
	"bytes"
	"encoding/json"
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
				continue
			}
			require.NoError(t, err, "%s", doc)
			assert.Equal(t, want, got, "%s", doc)
		}
	}
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

func BenchmarkStringSpan(b *testing.B) {
	doc := []byte(`"eth0 on hypervisor-0042.lab.example.com, a port of the second switch"`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		s := New(doc)
		if _, plain, err := s.StringSpan(); err != nil || !plain {
			b.Fatal(err)
		}
	}
}
