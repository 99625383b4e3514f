// Package codec encrypts the payloads the agent hands to Temporal with
// AES-256-GCM, and serves Temporal's remote codec protocol so that the Web
// UI and the CLI can show them in clear to those allowed.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const (
	// Encoding is the metadata encoding of an encrypted payload.
	Encoding = "binary/encrypted"
	// MetadataKeyID names the key a payload was encrypted with.
	MetadataKeyID = "encryption-key-id"
	// keySize is the size of an AES-256 key.
	keySize = 32
)

// ErrUnknownKey is wrapped by the error of a payload encrypted with a key
// that is not configured.
var ErrUnknownKey = errors.New("payload key not configured")

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Keyring holds the payload keys by ID: the current one encrypts, every one
// decrypts, so that keys can rotate without losing old histories.
type Keyring struct {
	current string
	order   []string
	aeads   map[string]cipher.AEAD
}

// ParseKeys reads keys from text, one "id=base64" a line or comma-separated,
// each a base64 (standard or URL, padded or not) of 32 bytes; the first is
// the current one. Blank lines and lines starting with # are skipped. The
// errors name the line and the key ID, never the key.
func ParseKeys(text string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	var errs []error
	for i, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := k.add(line); err != nil {
			errs = append(errs, fmt.Errorf("payload key %d: %w", i+1, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if k.current == "" {
		return nil, errors.New("payload keys: no key given")
	}
	return k, nil
}

func (k *Keyring) add(line string) error {
	id, enc, ok := strings.Cut(line, "=")
	id, enc = strings.TrimSpace(id), strings.TrimSpace(enc)
	// A bare key cut at its padding leaves only "=": never echo its "id".
	if !ok || !keyIDPattern.MatchString(id) || strings.Trim(enc, "=") == "" {
		return errors.New(`want "id=base64-of-32-bytes", the id of letters, digits, . _ -`)
	}
	if _, dup := k.aeads[id]; dup {
		return fmt.Errorf("key id %q given twice", id)
	}
	raw, err := decodeBase64(enc)
	if err != nil {
		return fmt.Errorf("key %q is not base64", id)
	}
	if len(raw) != keySize {
		return fmt.Errorf("key %q has %d bytes, want %d (AES-256)", id, len(raw), keySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return fmt.Errorf("key %q: %w", id, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return fmt.Errorf("key %q: %w", id, err)
	}
	k.aeads[id] = aead
	k.order = append(k.order, id)
	if k.current == "" {
		k.current = id
	}
	return nil
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// Current is the ID of the key that encrypts.
func (k *Keyring) Current() string { return k.current }

// Codec is a converter.PayloadCodec that encrypts with the keyring's current
// key and decrypts with whichever key a payload names.
type Codec struct{ keys *Keyring }

// New is the codec of keys.
func New(keys *Keyring) *Codec { return &Codec{keys: keys} }

var _ converter.PayloadCodec = (*Codec)(nil)

// Encode encrypts each payload, whole (metadata and data), into a new
// payload that carries only the encoding and the key ID in clear.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.keys.aeads[c.keys.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, fmt.Errorf("encrypt payload: %w", err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return payloads, fmt.Errorf("encrypt payload: nonce: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(Encoding),
				MetadataKeyID:              []byte(c.keys.current),
			},
			Data: aead.Seal(nonce, nonce, plain, []byte(c.keys.current)),
		}
	}
	return out, nil
}

// Decode decrypts each encrypted payload and passes the others through (a
// history written before encryption was turned on). A payload whose key is
// not configured, or whose ciphertext does not authenticate, is an error
// that names the key ID.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		aead, ok := c.keys.aeads[id]
		if !ok {
			return payloads, fmt.Errorf("decrypt payload: key %q: %w (configured: %s)", id, ErrUnknownKey, strings.Join(c.keys.ids(), ", "))
		}
		data := p.GetData()
		if len(data) < aead.NonceSize()+aead.Overhead() {
			return payloads, fmt.Errorf("decrypt payload: key %q: ciphertext of %d bytes is too short", id, len(data))
		}
		plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(id))
		if err != nil {
			return payloads, fmt.Errorf("decrypt payload: key %q: the ciphertext does not authenticate (wrong key or altered payload)", id)
		}
		var dec commonpb.Payload
		if err := proto.Unmarshal(plain, &dec); err != nil {
			return payloads, fmt.Errorf("decrypt payload: key %q: %w", id, err)
		}
		out[i] = &dec
	}
	return out, nil
}

// ids lists the key IDs in the order given, the current one first.
func (k *Keyring) ids() []string { return k.order }

// DataConverter is the SDK's default converter with every payload encrypted
// by c.
func DataConverter(c *Codec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}
