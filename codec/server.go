package codec

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"go.temporal.io/sdk/converter"
)

// maxRequestBytes bounds a codec request: a page of history's payloads.
const maxRequestBytes = 16 << 20

// ServerOptions are what the codec server checks before it decodes.
type ServerOptions struct {
	// Tokens are the bearer tokens accepted in the Authorization header.
	// Without any, every request is refused.
	Tokens []string
	// Origins are the browser origins (the Temporal Web UI) allowed by CORS.
	Origins []string
}

// Handler serves Temporal's remote codec protocol (POST …/encode and
// …/decode with a JSON Payloads body) for c: a CORS preflight from an
// allowed origin is answered, and every other request needs one of the
// tokens as "Authorization: Bearer <token>".
func Handler(c *Codec, opts ServerOptions) http.Handler {
	inner := converter.NewPayloadCodecHTTPHandler(c)
	hashes := make([][32]byte, 0, len(opts.Tokens))
	for _, t := range opts.Tokens {
		hashes = append(hashes, sha256.Sum256([]byte(t)))
	}
	origins := map[string]bool{}
	for _, o := range opts.Origins {
		origins[strings.TrimSuffix(o, "/")] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && origins[origin] {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Namespace")
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if !authorized(r.Header.Get("Authorization"), hashes) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="netbox-agent codec"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
		inner.ServeHTTP(w, r)
	})
}

// authorized compares the bearer token with each accepted one in constant
// time (by their hashes, so that the length leaks nothing either).
func authorized(header string, hashes [][32]byte) bool {
	tok, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || tok == "" {
		return false
	}
	got := sha256.Sum256([]byte(tok))
	match := 0
	for _, h := range hashes {
		match |= subtle.ConstantTimeCompare(got[:], h[:])
	}
	return match == 1
}
