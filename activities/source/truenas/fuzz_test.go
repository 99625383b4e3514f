package truenas

import (
	"errors"
	"testing"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// FuzzDecodeAnswer feeds arbitrary messages to both protocols' decoders,
// and to the legacy handshake: each answer is a result, an *RPCError or a
// malformed answer, never a panic or another class of error; a handshake
// message is connected, skipped, a refusal or malformed.
func FuzzDecodeAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"result":[{"name":"tank"}]}`,
		`{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Method call error","data":{"error":13,"errname":"EACCES","reason":"Not authorized"}}}`,
		`{"jsonrpc":"2.0","method":"collection_update","params":{}}`,
		`{"msg":"result","id":"1","result":[{"name":"tank"}]}`,
		`{"msg":"result","id":"1","error":{"error":201,"reason":"[ENOMETHOD] Method 'query' not found in 'pool'"}}`,
		`{"msg":"changed","collection":"pool.query"}`,
		`{"msg":"failed","version":"1"}`,
		`{"msg":"connected","session":"0b8c5f29-64a4-4a5d-a1b8-1c9c3a7e0f11"}`, `{"msg":"ping"}`, `{"msg":"nosub","id":"1"}`,
		`[]`, `null`, `{"id":1}`, `{"msg":"result","id":1}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, msg []byte, legacy bool) {
		if legacy {
			done, err := handshakeAnswer("legacy API handshake", "wss://nas1/websocket", msg)
			if err != nil && (!done || (!errors.Is(err, source.ErrMalformed) && !errors.Is(err, source.ErrConfig))) {
				t.Fatalf("handshake: unclassified error %v (done %v)", err, done)
			}
		}
		decode := decodeAnswer
		if legacy {
			decode = decodeLegacyAnswer
		}
		var out []pool
		done, err := decode("pool.query", 1, msg, &out)
		if err == nil {
			return
		}
		if !done {
			t.Fatalf("an error that does not end the call: %v", err)
		}
		var re *RPCError
		if !errors.As(err, &re) && !errors.Is(err, source.ErrMalformed) && !errors.Is(err, source.ErrUnreachable) {
			t.Fatalf("unclassified error %v", err)
		}
		if re != nil && re.Error() == "" {
			t.Fatal("an error answer without text")
		}
	})
}
