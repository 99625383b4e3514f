package truenastest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// reply is what the fake does with one call, whatever the protocol.
type reply struct {
	result json.RawMessage // the call's result, when err is nil
	err    *callErr
	hang   bool
	drop   bool
	raw    string // sent as is
}

// callErr is an error answer before its framing. Plain errors are the
// server's own refusals ("Not authorized"), whose reason the legacy
// protocol sends bare; the others are exceptions a method raised, whose
// reason it sends as the exception prints ("[ENOMETHOD] Method …").
type callErr struct {
	code    int // JSON-RPC error code
	message string
	errno   int
	errname string
	reason  string
	plain   bool
	// attribute is the argument that failed validation, when it did.
	attribute string
}

// dispatch decides the answer to a call: faults first, then methods
// removed, logins, the login check, the role check and the recorded
// results.
func (s *session) dispatch(method string, params []json.RawMessage) reply {
	f := s.fake
	fault, faulted := f.Call(method)
	f.mu.Lock()
	removed := f.removed[method]
	f.mu.Unlock()
	switch {
	case faulted && fault.Drop:
		return reply{drop: true}
	case faulted && fault.Hang:
		return reply{hang: true}
	case faulted && fault.Raw != "":
		return reply{raw: fault.Raw}
	case faulted && fault.Result != "":
		return reply{result: json.RawMessage(fault.Result)}
	case faulted:
		return reply{err: &callErr{code: fault.Code, message: fault.Message, errno: fault.Errno, errname: fault.Errname, reason: fault.Reason}}
	case removed:
		return reply{err: s.noMethod(method)}
	}

	switch method {
	case "auth.login_with_api_key":
		return s.loginWithAPIKey(params)
	case "auth.login_ex":
		if !s.spec.loginEx {
			return reply{err: s.noMethod(method)}
		}
		return s.loginEx(params)
	}
	if s.user == nil {
		if s.spec.coreErrors {
			// CORE 13 refuses with EACCES and no errname
			return reply{err: &callErr{code: CodeCallError, message: "Method call error", errno: 13, reason: "Not authenticated", plain: true}}
		}
		return reply{err: &callErr{code: CodeCallError, message: "Method call error", errno: 207, errname: "ENOTAUTHENTICATED", reason: "Not authenticated", plain: true}}
	}
	body, err := fs.ReadFile(fixtures, path.Join("testdata", s.fixture, method+".json"))
	if err != nil {
		return reply{err: s.noMethod(method)}
	}
	if !s.user.fullAdmin && s.spec.roles && fullAdminOnly[method] {
		return reply{err: &callErr{code: CodeCallError, message: "Method call error", errno: 13, errname: "EACCES", reason: "Not authorized", plain: true}}
	}
	return reply{result: json.RawMessage(body)}
}

// fullAdminOnly are the methods this fake serves that declare no role:
// the middleware authorizes them for FULL_ADMIN alone, so a Read-only
// Administrator's key is refused them.
var fullAdminOnly = map[string]bool{"interface.websocket_local_ip": true}

// noMethod is the answer to a method the system does not have: JSON-RPC's
// -32601, or the legacy API's ENOMETHOD raised by the method lookup,
// which names the service when it exists.
func (s *session) noMethod(method string) *callErr {
	e := &callErr{code: CodeMethodNotFound, message: "Method does not exist", errno: 201, errname: "ENOMETHOD"}
	i := strings.LastIndex(method, ".")
	if i < 0 {
		e.errno, e.errname, e.reason = 74, "EBADMSG", "Invalid method name"
		return e
	}
	svc, name := method[:i], method[i+1:]
	switch {
	case hasService(s.fixture, svc):
		e.reason = fmt.Sprintf("Method '%s' not found in '%s'", name, svc)
	default:
		e.reason = fmt.Sprintf("Service '%s' not found", svc)
	}
	return e
}

// hasService reports whether the fixture records a method of service.
func hasService(fixture, service string) bool {
	entries, err := fs.ReadDir(fixtures, path.Join("testdata", fixture))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), service+".") && !strings.Contains(strings.TrimPrefix(strings.TrimSuffix(e.Name(), ".json"), service+"."), ".") {
			return true
		}
	}
	return service == "auth"
}

// loginWithAPIKey answers like the middleware: true, or false after a
// failed lookup.
func (s *session) loginWithAPIKey(params []json.RawMessage) reply {
	var key string
	if len(params) != 1 || json.Unmarshal(params[0], &key) != nil {
		return reply{err: invalidParam("api_key", "Field required")}
	}
	s.noteKey()
	s.user = s.fake.userOf("", key)
	return reply{result: boolJSON(s.user != nil)}
}

// loginEx answers auth.login_ex for the API_KEY_PLAIN mechanism.
func (s *session) loginEx(params []json.RawMessage) reply {
	var data struct {
		Mechanism string `json:"mechanism"`
		Username  string `json:"username"`
		APIKey    string `json:"api_key"`
	}
	if len(params) != 1 || json.Unmarshal(params[0], &data) != nil || data.Mechanism == "" {
		return reply{err: invalidParam("login_data", "Field required")}
	}
	if data.Mechanism != "API_KEY_PLAIN" {
		return reply{err: invalidParam("login_data.mechanism", "mechanism not supported by the fake")}
	}
	if data.Username == "" || data.APIKey == "" {
		return reply{err: invalidParam("login_data.username", "Field required")}
	}
	s.noteKey()
	s.user = s.fake.userOf(data.Username, data.APIKey)
	result := map[string]any{"response_type": "AUTH_ERR"}
	if s.user != nil {
		result = map[string]any{"response_type": "SUCCESS", "user_info": nil, "authenticator": "LEVEL_1", "reconnect_token": nil}
	}
	b, err := json.Marshal(result)
	if err != nil {
		return reply{err: &callErr{code: CodeCallError, message: "Method call error", errno: 14, errname: "EFAULT", reason: err.Error()}}
	}
	return reply{result: b}
}

func invalidParam(attribute, msg string) *callErr {
	return &callErr{code: CodeInvalidParams, message: "Invalid params", errno: 22, errname: "EINVAL", reason: attribute + ": " + msg, attribute: attribute}
}

func boolJSON(b bool) json.RawMessage {
	if b {
		return json.RawMessage("true")
	}
	return json.RawMessage("false")
}

func (s *session) noteKey() {
	if s.tls {
		return
	}
	s.fake.keysInClear.Add(1)
}
