package nbsim

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

const notProvided = "Authentication credentials were not provided."

// authenticate applies the release's TokenAuthentication; it returns the 403 body when the
// request may not proceed. NetBox answers 403 rather than 401 because its first authentication
// class (SessionAuthentication) sends no WWW-Authenticate challenge.
func (s *Server) authenticate(r *http.Request) map[string]any {
	fields := strings.Fields(r.Header.Get("Authorization"))
	if len(fields) == 0 {
		return detail(notProvided)
	}
	if s.cat.rel.v2Tokens() {
		return s.authenticateV2(fields)
	}
	return s.authenticateV1(fields)
}

func detail(msg string) map[string]any { return map[string]any{"detail": msg} }

func (s *Server) tokenIs(got, want string) bool {
	return s.token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// authenticateV1 is NetBox 4.3 and 4.4: DRF's TokenAuthentication with the "Token" keyword; any
// other scheme leaves the request anonymous (netbox/api/authentication.py at v4.4.10, and
// rest_framework/authentication.py TokenAuthentication.authenticate).
func (s *Server) authenticateV1(fields []string) map[string]any {
	if !strings.EqualFold(fields[0], "token") {
		return detail(notProvided)
	}
	switch len(fields) {
	case 1:
		return detail("Invalid token header. No credentials provided.")
	case 2:
	default:
		return detail("Invalid token header. Token string should not contain spaces.")
	}
	if !s.tokenIs(fields[1], s.token) {
		return detail("Invalid token")
	}
	return nil
}

// authenticateV2 is NetBox 4.5 and later: "Token" and "Bearer" both work, and the token's own
// form decides its version: "nbt_<key>.<token>" is a v2 token, anything else a v1 token
// (netbox/api/authentication.py at v4.5.10 to v4.7.3).
func (s *Server) authenticateV2(fields []string) map[string]any {
	scheme := strings.ToLower(fields[0])
	if scheme != "token" && scheme != "bearer" {
		return detail(notProvided)
	}
	if len(fields) != 2 {
		return detail(`Invalid authorization header: Must be in the form "Bearer <key>.<token>" or "Token <token>"`)
	}
	value, v2 := strings.CutPrefix(fields[1], "nbt_")
	if !v2 {
		if !s.tokenIs(value, s.token) {
			return detail("Invalid v1 token")
		}
		return nil
	}
	key, plaintext, ok := strings.Cut(value, ".")
	if !ok {
		return detail("Invalid authorization header: Could not parse key from v2 token. Did you mean to use 'Token' instead of 'Bearer'?")
	}
	if !s.tokenIs("nbt_"+key+"."+plaintext, BearerToken(s.token)) {
		return detail("Invalid v2 token")
	}
	return nil
}

// authenticationCheckBody is the token's user as AuthenticationCheckView answers it: NetBox's
// UserSerializer (users/api/serializers_/users.py) of the one user the emulator knows.
func authenticationCheckBody(base string) map[string]any {
	return map[string]any{
		"id": 1, "url": base + "/api/users/users/1/", "display_url": base + "/users/users/1/", "display": "admin",
		"username": "admin", "first_name": "", "last_name": "", "email": "", "is_active": true,
		"date_joined": "2025-01-01T00:00:00.000000Z", "last_login": nil, "groups": []any{}, "permissions": []any{},
	}
}
