package codec

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

func key(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

func mustKeys(t *testing.T, text string) *Keyring {
	t.Helper()
	k, err := ParseKeys(text)
	require.NoError(t, err)
	return k
}

func payloads(t *testing.T, values ...any) []*commonpb.Payload {
	t.Helper()
	out := make([]*commonpb.Payload, len(values))
	for i, v := range values {
		p, err := converter.GetDefaultDataConverter().ToPayload(v)
		require.NoError(t, err)
		out[i] = p
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	c := New(mustKeys(t, "k1="+key(1)))
	plain := payloads(t, "serial ABC-123 at 192.0.2.7", map[string]int{"records": 3}, nil)
	enc, err := c.Encode(plain)
	require.NoError(t, err)
	require.Len(t, enc, 3)
	for _, p := range enc {
		assert.Equal(t, Encoding, string(p.Metadata[converter.MetadataEncoding]))
		assert.Equal(t, "k1", string(p.Metadata[MetadataKeyID]))
		assert.NotContains(t, string(p.Data), "ABC-123")
		assert.NotContains(t, string(p.Data), "json/plain", "the inner metadata is encrypted too")
	}
	again, err := c.Encode(plain)
	require.NoError(t, err)
	assert.NotEqual(t, enc[0].Data, again[0].Data, "a fresh nonce each time")

	dec, err := c.Decode(enc)
	require.NoError(t, err)
	var s string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(dec[0], &s))
	assert.Equal(t, "serial ABC-123 at 192.0.2.7", s)
	assert.Equal(t, plain[1].Data, dec[1].Data)
	assert.Equal(t, plain[2].Metadata, dec[2].Metadata)
}

func TestDecodeFailures(t *testing.T) {
	old := New(mustKeys(t, "k1="+key(1)))
	enc, err := old.Encode(payloads(t, "secret inventory"))
	require.NoError(t, err)

	tampered := &commonpb.Payload{Metadata: enc[0].Metadata, Data: append([]byte(nil), enc[0].Data...)}
	tampered.Data[len(tampered.Data)-1] ^= 1
	relabelled := &commonpb.Payload{Metadata: map[string][]byte{
		converter.MetadataEncoding: []byte(Encoding), MetadataKeyID: []byte("k2"),
	}, Data: enc[0].Data}
	short := &commonpb.Payload{Metadata: enc[0].Metadata, Data: []byte{1, 2, 3}}

	for _, tc := range []struct {
		name    string
		keys    string
		in      *commonpb.Payload
		wantErr string
	}{
		{"key not configured", "k2=" + key(2), enc[0], `decrypt payload: key "k1": payload key not configured (configured: k2)`},
		{"same id, wrong key", "k1=" + key(9), enc[0], `key "k1": the ciphertext does not authenticate`},
		{"altered ciphertext", "k1=" + key(1), tampered, `key "k1": the ciphertext does not authenticate`},
		{"key id swapped", "k2=" + key(1), relabelled, `key "k2": the ciphertext does not authenticate`},
		{"too short", "k1=" + key(1), short, "ciphertext of 3 bytes is too short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(mustKeys(t, tc.keys)).Decode([]*commonpb.Payload{tc.in})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.NotContains(t, err.Error(), key(1))
			assert.NotContains(t, err.Error(), "secret inventory")
		})
	}
	_, err = New(mustKeys(t, "k2="+key(2))).Decode(enc)
	assert.ErrorIs(t, err, ErrUnknownKey)
}

func TestRotatedKeyDecodesOldPayloads(t *testing.T) {
	before := New(mustKeys(t, "k1="+key(1)))
	oldEnc, err := before.Encode(payloads(t, "written under k1"))
	require.NoError(t, err)

	after := New(mustKeys(t, "k2="+key(2)+"\nk1="+key(1)))
	assert.Equal(t, "k2", after.keys.Current())
	newEnc, err := after.Encode(payloads(t, "written under k2"))
	require.NoError(t, err)
	assert.Equal(t, "k2", string(newEnc[0].Metadata[MetadataKeyID]))

	dec, err := after.Decode(append(oldEnc, newEnc...))
	require.NoError(t, err)
	for i, want := range []string{"written under k1", "written under k2"} {
		var s string
		require.NoError(t, converter.GetDefaultDataConverter().FromPayload(dec[i], &s))
		assert.Equal(t, want, s)
	}
	_, err = before.Decode(newEnc)
	assert.ErrorIs(t, err, ErrUnknownKey, "the retired key alone cannot read the new runs")
}

func TestDecodePassesClearPayloads(t *testing.T) {
	clear := payloads(t, "from before encryption")
	dec, err := New(mustKeys(t, "k1="+key(1))).Decode(clear)
	require.NoError(t, err)
	assert.Equal(t, clear, dec)
}

func TestParseKeys(t *testing.T) {
	for _, tc := range []struct {
		name, text, current, wantErr string
	}{
		{"one", "k1=" + key(1), "k1", ""},
		{"lines, comments, the first current", "# keys\nnew=" + key(2) + "\n\nold=" + key(1) + "\n", "new", ""},
		{"comma-separated", "a=" + key(1) + ", b=" + key(2), "a", ""},
		{"url base64 without padding", "k=" + base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), "k", ""},
		{"empty", "  \n# none\n", "", "no key given"},
		{"no id", key(1), "", `payload key 1: want "id=base64-of-32-bytes"`},
		{"bad id", "a b=" + key(1), "", `payload key 1: want "id=base64-of-32-bytes"`},
		{"not base64", "k1=!!!notbase64", "", `payload key 1: key "k1" is not base64`},
		{"short key", "k1=" + base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!")), "", `key "k1" has 16 bytes, want 32`},
		{"duplicate id", "k1=" + key(1) + "\nk1=" + key(2), "", `payload key 2: key id "k1" given twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseKeys(tc.text)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				for _, secret := range []string{key(1), key(2), "!!!notbase64", "sixteen"} {
					assert.False(t, strings.Contains(err.Error(), secret), "the error holds a key")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.current, k.Current())
		})
	}
}
