package codec

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// FuzzParseKeys: any key text parses or fails with an error, never panics,
// and an error never holds a 32-byte key the text carried.
func FuzzParseKeys(f *testing.F) {
	f.Add("k1=" + key(1))
	f.Add("new=" + key(2) + "\nold=" + key(1))
	f.Add(key(1))
	f.Add("a=,b==,=c")
	f.Fuzz(func(t *testing.T, text string) {
		k, err := ParseKeys(text)
		if err != nil {
			if strings.Contains(err.Error(), key(1)) {
				t.Fatalf("the error holds the key: %s", err)
			}
			return
		}
		if _, ok := k.aeads[k.Current()]; !ok {
			t.Fatalf("current key %q not in the ring", k.Current())
		}
	})
}

// FuzzDecode: any payload, encrypted-looking or not, decodes or fails, and
// what encodes decodes back.
func FuzzDecode(f *testing.F) {
	c := New(mustKeysF(f, "k1="+key(1)))
	enc, err := c.Encode([]*commonpb.Payload{{Metadata: map[string][]byte{converter.MetadataEncoding: []byte("json/plain")}, Data: []byte(`"x"`)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(Encoding), []byte("k1"), enc[0].Data)
	f.Add([]byte("json/plain"), []byte(""), []byte(`{"a":1}`))
	f.Add([]byte(Encoding), []byte("k9"), []byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, encoding, id, data []byte) {
		p := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: encoding, MetadataKeyID: id}, Data: data}
		if _, err := c.Decode([]*commonpb.Payload{p}); err != nil {
			return
		}
		round, err := c.Encode([]*commonpb.Payload{p})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Decode(round); err != nil {
			t.Fatalf("a payload this codec encoded does not decode: %s", err)
		}
	})
}

// FuzzServer: any request body to the codec server gets an answer, never a
// panic, and nothing is decoded without the token.
func FuzzServer(f *testing.F) {
	h := Handler(New(mustKeysF(f, "k1="+key(1))), ServerOptions{Tokens: []string{"tok"}})
	f.Add("/decode", "Bearer tok", `{"payloads":[{"metadata":{"encoding":"YmluYXJ5L2VuY3J5cHRlZA=="},"data":"AAAA"}]}`)
	f.Add("/encode", "Bearer tok", `{"payloads":[{"data":"eA=="}]}`)
	f.Add("/decode", "", `{"payloads":[]}`)
	f.Fuzz(func(t *testing.T, path, auth, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		r, err := http.NewRequest(http.MethodPost, "http://codec"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if auth != "Bearer tok" && w.Code != http.StatusUnauthorized {
			t.Fatalf("without the token: %d", w.Code)
		}
	})
}

func mustKeysF(f *testing.F, text string) *Keyring {
	k, err := ParseKeys(text)
	if err != nil {
		f.Fatal(err)
	}
	return k
}
