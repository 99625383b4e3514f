package filesystem

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// jsonCases are documents whose every corner both readers must agree on:
// lines of keys and values, escapes, invalid UTF-8, numbers as written,
// duplicate keys, empty containers, and documents only the token reader
// may answer (with its error).
var jsonCases = []string{
	`{"devices": [{"name": "sw1", "serial": "A1"}, {"name": "sw2"}]}`,
	"{\n  \"a\"\n  :\n  1,\n\n \"b\": [\n true, false, null,\n -1.5e3, 0 ]\n}",
	`{"esc": "a\"b\\c\u00e9\n", "bad": "` + "\xff\xfe" + `", "dup": 1, "dup": 2}`,
	`{"empty": {}, "list": [], "nested": [[[]]], "n": 12345678901234567890}`,
	`[1, "two", {"three": 3}]`,
	`"just a string"`,
	`null`,
	``,
	`{"a": 1,}`,
	`{"a": 01}`,
	`{"a": 1} {"b": 2}`,
	`{"a": "tab	inside"}`,
	`[` + string(bytes.Repeat([]byte("["), 70)) + string(bytes.Repeat([]byte("]"), 71)),
	`{"k": tru}`,
}

func TestScanJSONMatchesTokenReader(t *testing.T) {
	docs := jsonCases
	files, err := filepath.Glob("testdata/*/*/*.json")
	require.NoError(t, err)
	more, err := filepath.Glob("testdata/*/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, append(files, more...), "the recorded inventories")
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		docs = append(docs, string(data))
	}
	for _, doc := range docs {
		_, tokenErr := parseJSONTokens([]byte(doc), lineStarts([]byte(doc)))
		took := sameJSONTree(t, []byte(doc))
		require.Equal(t, tokenErr == nil, took, "jsonTree takes exactly the documents the token reader takes: %q (%v)", doc, tokenErr)
	}
}

// sameJSONTree checks that a document jsonTree takes reads to the nodes
// the token reader gives, and reports whether it took it.
func sameJSONTree(t *testing.T, data []byte) bool {
	t.Helper()
	lines := lineStarts(data)
	want, wantErr := parseJSONTokens(data, lines)
	got, ok := scanJSON(data, lines)
	if !ok {
		return false
	}
	require.NoError(t, wantErr, "jsonTree took a document the token reader refuses: %q", data)
	if got.kind == nodeNull {
		require.Nil(t, want, "%q", data)
		return true
	}
	require.Equal(t, want, []*node{got}, "%q", data)
	return true
}

// FuzzScanJSON checks that jsonTree never reads a document differently
// from the token reader: a document it takes reads to the same nodes, and
// one it leaves goes to the token reader.
func FuzzScanJSON(f *testing.F) {
	for _, c := range jsonCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameJSONTree(t, data)
	})
}
