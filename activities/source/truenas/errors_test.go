package truenas

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
	"github.com/netbox-agent/netbox-agent/test/tlstest"
)

func TestWrongKeyIsAnAuthError(t *testing.T) {
	const wrong = "7-wrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwron"
	cases := []struct {
		name     string
		settings string
		message  []string
	}{
		{name: "auth.login_with_api_key", message: []string{"refused API key 7"}},
		{name: "auth.login_ex", settings: "username: " + truenastest.Username, message: []string{"refused API key 7 for user netbox-agent"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := truenastest.NewFake(truenastest.NAS1)
			srv := truenastest.Serve(t, fake)
			src, logs := newSourceWith(t, "nas1", srv.URL, "ca_file: "+tlstest.WriteCA(t, srv)+"\n"+tc.settings, wrong)
			_, err := src.Discover(context.Background(), nil)
			sourcetest.RequireError(t, err, source.ErrAuth)
			for _, m := range tc.message {
				assert.Contains(t, err.Error(), m)
			}
			assert.Equal(t, 1, fake.Hits(tc.name))
			assert.Zero(t, fake.Hits("system.info"), "nothing is asked after a refused login")
			sourcetest.AssertNoSecret(t, wrong, err, logs)
		})
	}
}

func TestUnencryptedURLRefusedWithoutConnecting(t *testing.T) {
	fake := truenastest.NewFake(truenastest.NAS1)
	plain := httptest.NewServer(fake)
	t.Cleanup(plain.Close)
	host := strings.TrimPrefix(plain.URL, "http://")
	for _, url := range []string{"ws://" + host, "http://" + host, "ws://" + host + "/api/current"} {
		t.Run(url, func(t *testing.T) {
			cfg := loadConfig(t, "nas1", "url: "+url+"\nsite: Home Lab", truenastest.APIKey)
			_, err := source.New(cfg, zap.NewNop())
			sourcetest.RequireError(t, err, source.ErrConfig, "revokes an API key", "https:// or wss://")
			assert.NotContains(t, err.Error(), truenastest.APIKey)
		})
	}
	assert.Zero(t, fake.Connections(), "nothing was sent to the system")
	assert.Zero(t, fake.KeysInClear())
}

func TestTLSVerification(t *testing.T) {
	// CORE13 speaks only the legacy API: its certificate is checked the
	// same way, and a refused one never falls back to anything
	for _, fixture := range []string{truenastest.NAS1, truenastest.CORE13} {
		t.Run(fixture, func(t *testing.T) {
			fake := truenastest.NewFake(fixture)
			srv := truenastest.Serve(t, fake)
			cases := sourcetest.TLSCases(t, srv)
			// the error names the host whose certificate was refused, and the way
			// around a name the certificate lacks
			cases[0].Err = append(cases[0].Err, "TLS certificate of "+strings.TrimPrefix(srv.URL, "https://")+" not trusted")
			cases[3].Err = append(cases[3].Err, "insecure_skip_verify")
			cases = append(cases, sourcetest.TLSCase{Name: "wss scheme", URL: strings.Replace(srv.URL, "https://", "wss://", 1), Settings: cases[1].Settings})
			cases = append(cases, sourcetest.TLSVersionCases(t, fake)...)
			sourcetest.CheckTLS(t, cases, func(t *testing.T, url, settings string) (*source.Snapshot, error) {
				src, _ := newSourceWith(t, "nas1", url, settings, truenastest.APIKey)
				return src.Discover(context.Background(), nil)
			})
			assert.Zero(t, fake.KeysInClear())
		})
	}
}

func TestNoAPIEndpoint(t *testing.T) {
	cases := []struct {
		protocol string
		paths    []string
		message  string
	}{
		{ProtocolAuto, []string{APIPath, LegacyPath}, "neither the JSON-RPC API (/api/current) nor the legacy one (/websocket) is there"},
		{ProtocolJSONRPC, []string{APIPath}, "TrueNAS CORE 13 and SCALE 24.10 and older lack it: set protocol: auto or legacy"},
		{ProtocolLegacy, []string{LegacyPath}, "no legacy WebSocket API there"},
	}
	for _, tc := range cases {
		t.Run(tc.protocol, func(t *testing.T) {
			var mu sync.Mutex
			var asked []string
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				asked = append(asked, r.URL.Path)
				mu.Unlock()
				http.NotFound(w, r)
			}))
			t.Cleanup(srv.Close)
			src, _ := newSource(t, "nas1", srv, "protocol: "+tc.protocol)
			_, err := src.Discover(context.Background(), nil)
			sourcetest.RequireError(t, err, source.ErrConfig, "HTTP 404", tc.message)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, tc.paths, asked)
		})
	}
}

func TestUnreachable(t *testing.T) {
	srv := truenastest.NewServer(t)
	ca := tlstest.WriteCA(t, srv)
	url := srv.URL
	srv.Close()
	src, _ := newSourceWith(t, "nas1", url, "ca_file: "+ca, truenastest.APIKey)
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrUnreachable)
}

func TestJSONRPCErrors(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		fault   truenastest.Fault
		want    error // class; nil: unclassified
		message []string
	}{
		{
			name: "role missing for system.info", method: "system.info", fault: truenastest.NotAuthorized,
			want:    source.ErrAuth,
			message: []string{"system.info: TrueNAS answered error -32001 (Method call error): [EACCES] Not authorized", "READONLY_ADMIN"},
		},
		{
			name: "interface.query raised", method: "interface.query",
			fault:   truenastest.Fault{Code: truenastest.CodeCallError, Message: "Method call error", Errno: 14, Errname: "EFAULT", Reason: "Failed to get interface state"},
			message: []string{"interface.query: TrueNAS answered error -32001 (Method call error): [EFAULT] Failed to get interface state"},
		},
		{
			name: "too many concurrent calls", method: "interface.query",
			fault:   truenastest.Fault{Code: truenastest.CodeTooManyCalls, Message: "Maximum number of concurrent calls (20) has exceeded"},
			want:    source.ErrUnreachable,
			message: []string{"-32000", "Maximum number of concurrent calls"},
		},
		{
			name: "login rate limit", method: "auth.login_with_api_key",
			fault:   truenastest.Fault{Code: truenastest.CodeCallError, Message: "Method call error", Errno: 16, Errname: "EBUSY", Reason: "Rate Limit Exceeded"},
			want:    source.ErrUnreachable,
			message: []string{"Rate Limit Exceeded", "rate limit to pass"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := truenastest.NewFake(truenastest.NAS1)
			fake.SetFault(tc.method, tc.fault)
			srv := truenastest.Serve(t, fake)
			src, _ := newSource(t, "nas1", srv, "")
			_, err := src.Discover(context.Background(), nil)
			require.Error(t, err)
			for _, class := range []error{source.ErrAuth, source.ErrConfig, source.ErrUnreachable, source.ErrMalformed} {
				assert.Equal(t, class == tc.want, errors.Is(err, class), "class %v of %v", class, err)
			}
			var re *RPCError
			require.True(t, errors.As(err, &re), "the JSON-RPC error is kept: %v", err)
			assert.Equal(t, tc.method, re.Method)
			for _, m := range tc.message {
				assert.Contains(t, err.Error(), m)
			}
		})
	}
}

func TestOptionalCallErrorsAreWarnings(t *testing.T) {
	cases := []struct {
		method  string
		check   func(t *testing.T, snap *source.Snapshot)
		warning string
	}{
		{
			method: "pool.query", warning: "pool.query: TrueNAS answered error -32001 (Method call error): [EACCES] Not authorized (needs POOL_READ); no pool health or capacity",
			check: func(t *testing.T, snap *source.Snapshot) {
				dev := sourcetest.Find(snap, "truenas/nas1")
				require.NotNil(t, dev)
				assert.NotContains(t, dev.Attrs, "pool_health")
				assert.NotContains(t, dev.Attrs, "pools_healthy")
				assert.Empty(t, snap.Gaps, "a field missing leaves no record unseen")
			},
		},
		{
			method: "sharing.smb.query", warning: "sharing.smb.query: TrueNAS answered error -32001 (Method call error): [EACCES] Not authorized (needs SHARING_SMB_READ); no SMB service",
			check: func(t *testing.T, snap *source.Snapshot) {
				assert.Nil(t, sourcetest.Find(snap, "truenas/nas1/service/smb"))
				assert.NotNil(t, sourcetest.Find(snap, "truenas/nas1/service/nfs"))
				// the call after a good one failed: what it lists is unknown, not gone
				assert.True(t, covered(snap, inventory.KindService, "truenas/nas1/service/smb"), "gaps: %+v", snap.Gaps)
				assert.False(t, covered(snap, inventory.KindService, "truenas/nas1/service/nfs"))
				assert.Len(t, snap.Gaps, 1)
			},
		},
		{
			method: "iscsi.target.query", warning: "iscsi.target.query: TrueNAS answered error -32001 (Method call error): [EACCES] Not authorized (needs SHARING_ISCSI_TARGET_READ); no iSCSI service",
			check: func(t *testing.T, snap *source.Snapshot) {
				assert.Nil(t, sourcetest.Find(snap, "truenas/nas1/service/iscsi"))
				require.Len(t, snap.Gaps, 1)
				assert.Equal(t, "truenas/nas1/service/iscsi", snap.Gaps[0].Under)
				assert.Contains(t, snap.Gaps[0].Why, "iSCSI service not known: iscsi.target.query")
			},
		},
		{
			method: "interface.websocket_local_ip", warning: "interface.websocket_local_ip: TrueNAS answered error -32001 (Method call error): [EACCES] Not authorized (needs FULL_ADMIN: it declares no role on 25.04 and later; on 24.10 the key's allowlist must name it); no primary IP from it; NetBox keeps the device's primary IP",
			check: func(t *testing.T, snap *source.Snapshot) {
				assert.Empty(t, sourcetest.Find(snap, "truenas/nas1").Refs["primary_ip4"])
			},
		},
		{
			method: "iscsi.global.config", warning: "iscsi.global.config: TrueNAS answered error -32001 (Method call error): [EACCES] Not authorized (needs SHARING_ISCSI_GLOBAL_READ); iSCSI on port 3260, targets without base name",
			check: func(t *testing.T, snap *source.Snapshot) {
				r := sourcetest.Find(snap, "truenas/nas1/service/iscsi")
				require.NotNil(t, r)
				assert.Equal(t, []int64{PortISCSI}, r.Attrs["ports"])
				assert.Equal(t, "iSCSI targets: vmstore; extents: zvol/tank/iscsi/vmstore", r.String("description"))
			},
		},
		{
			method: "service.query", warning: "service.query: TrueNAS answered error -32001 (Method call error): [EACCES] Not authorized (needs SERVICE_READ); services reported whatever their state",
			check: func(t *testing.T, snap *source.Snapshot) {
				assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindService, ""), 3)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.method, func(t *testing.T) {
			fake := truenastest.NewFake(truenastest.NAS1)
			fake.SetFault(tc.method, truenastest.NotAuthorized)
			srv := truenastest.Serve(t, fake)
			src, _ := newSource(t, "nas1", srv, "")
			snap, err := src.Discover(context.Background(), nil)
			require.NoError(t, err)
			sourcetest.CheckStructure(t, SourceType, "nas1", snap)
			assert.Equal(t, []string{tc.warning}, snap.Warnings)
			tc.check(t, snap)
		})
	}
}

func TestMalformedAnswers(t *testing.T) {
	cases := []struct {
		name, method string
		fault        truenastest.Fault
		message      string
	}{
		{"not JSON", "interface.query", truenastest.Fault{Raw: `<html>502 Bad Gateway</html>`}, "interface.query: answer is not JSON-RPC"},
		{"wrong answer id", "system.info", truenastest.Fault{Raw: `{"jsonrpc":"2.0","id":99,"result":{}}`}, "answer has id 99, want 2"},
		{"neither result nor error", "pool.query", truenastest.Fault{Raw: `{"jsonrpc":"2.0","id":5}`}, "neither result nor error"},
		{"result of the wrong shape", "system.info", truenastest.Fault{Result: `[{"hostname":"nas1"}]`}, "system.info: unexpected result"},
		{"interfaces of the wrong shape", "interface.query", truenastest.Fault{Result: `[{"name":"eno1","state":{"mtu":"big"}}]`}, "interface.query: unexpected result"},
		{"no hostname", "system.info", truenastest.Fault{Result: `{"version":"25.04.2.4","hostname":""}`}, "system.info: no hostname"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := truenastest.NewFake(truenastest.NAS1)
			fake.SetFault(tc.method, tc.fault)
			srv := truenastest.Serve(t, fake)
			src, _ := newSource(t, "nas1", srv, "")
			_, err := src.Discover(context.Background(), nil)
			sourcetest.RequireError(t, err, source.ErrMalformed, tc.message)
		})
	}
}

func TestCancellation(t *testing.T) {
	fake := truenastest.NewFake(truenastest.NAS1)
	fake.SetFault("pool.query", truenastest.Fault{Hang: true})
	srv := truenastest.Serve(t, fake)
	src, _ := newSource(t, "nas1", srv, "timeout: 1m")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := src.Discover(ctx, nil)
		done <- err
	}()
	require.Eventually(t, func() bool { return fake.Hits("pool.query") == 1 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		sourcetest.RequireError(t, err, context.Canceled)
		assert.False(t, errors.Is(err, source.ErrUnreachable), "a cancellation is not an outage: %v", err)
		assert.Contains(t, err.Error(), "pool.query")
	case <-time.After(5 * time.Second):
		t.Fatal("Discover did not return after cancellation")
	}
	assert.Eventually(t, func() bool { return fake.OpenSessions() == 0 }, 5*time.Second, 5*time.Millisecond, "the connection is closed")
}

func TestSilentSystemTimesOut(t *testing.T) {
	fake := truenastest.NewFake(truenastest.NAS1)
	fake.SetFault("interface.query", truenastest.Fault{Hang: true})
	srv := truenastest.Serve(t, fake)
	src, _ := newSource(t, "nas1", srv, "timeout: 200ms")
	start := time.Now()
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrUnreachable, "interface.query: no answer from", "within 200ms")
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestDroppedConnection(t *testing.T) {
	fake := truenastest.NewFake(truenastest.NAS1)
	fake.SetFault("pool.query", truenastest.Fault{Drop: true})
	srv := truenastest.Serve(t, fake)
	src, _ := newSource(t, "nas1", srv, "")
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrUnreachable, "pool.query")
}

func TestConnectionClosedAfterDiscovery(t *testing.T) {
	fake := truenastest.NewFake(truenastest.NAS1)
	srv := truenastest.Serve(t, fake)
	src, _ := newSource(t, "nas1", srv, "")
	_, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return fake.OpenSessions() == 0 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 1, fake.Connections(), "one connection per discovery")
	require.NoError(t, fake.Err())
}

func TestLoginWithoutLegacyMethod(t *testing.T) {
	// TrueNAS 27 removed auth.login_with_api_key; auth.login_ex needs the user
	fake := truenastest.NewFake(truenastest.NAS1)
	fake.RemoveMethod("auth.login_with_api_key")
	srv := truenastest.Serve(t, fake)

	src, _ := newSource(t, "nas1", srv, "")
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrConfig, "set username")

	src, _ = newSource(t, "nas1", srv, "username: "+truenastest.Username)
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.NotNil(t, sourcetest.Find(snap, "truenas/nas1"))
	assert.Equal(t, 1, fake.Hits("auth.login_ex"))
}

func TestKeyNeverInErrors(t *testing.T) {
	// a server that repeats what it was sent must not carry the key into
	// the error, over either protocol
	for _, fixture := range []string{truenastest.NAS1, truenastest.CORE13} {
		t.Run(fixture, func(t *testing.T) {
			fake := truenastest.NewFake(fixture)
			fake.SetFault("auth.login_with_api_key", truenastest.Fault{Code: truenastest.CodeInvalidParams, Message: "Invalid params",
				Errno: 22, Errname: "EINVAL", Reason: "api_key: " + truenastest.APIKey + " is not valid"})
			srv := truenastest.Serve(t, fake)
			src, logs := newSource(t, "nas1", srv, "")
			_, err := src.Discover(context.Background(), nil)
			sourcetest.RequireError(t, err, source.ErrConfig, "[api key] is not valid")
			sourcetest.AssertNoSecret(t, truenastest.APIKey, err, logs)
			for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
				assert.NotContains(t, e.Error(), truenastest.APIKey)
			}
		})
	}
}

func TestLoginResponses(t *testing.T) {
	cases := []struct {
		result  string
		want    error
		message string
	}{
		{`{"response_type":"AUTH_ERR"}`, source.ErrAuth, "refused API key 7 for user netbox-agent"},
		{`{"response_type":"EXPIRED"}`, source.ErrAuth, "API key 7 of user netbox-agent has expired"},
		{`{"response_type":"DENIED"}`, source.ErrAuth, "user netbox-agent may not use the API"},
		{`{"response_type":"OTP_REQUIRED","username":"netbox-agent"}`, source.ErrAuth, "one-time password"},
		{`{"response_type":"REDIRECT","urls":["wss://nas1-b.example.com/api/current"]}`, source.ErrConfig, "redirects the login to wss://nas1-b.example.com/api/current"},
		{`{"response_type":"SCRAM_RESPONSE"}`, source.ErrMalformed, `unexpected response_type "SCRAM_RESPONSE"`},
	}
	for _, tc := range cases {
		t.Run(tc.result, func(t *testing.T) {
			fake := truenastest.NewFake(truenastest.NAS1)
			fake.SetFault("auth.login_ex", truenastest.Fault{Result: tc.result})
			srv := truenastest.Serve(t, fake)
			src, _ := newSource(t, "nas1", srv, "username: "+truenastest.Username)
			_, err := src.Discover(context.Background(), nil)
			sourcetest.RequireError(t, err, tc.want, tc.message)
			assert.Zero(t, fake.Hits("system.info"))
		})
	}
}

func TestCanceledBeforeConnecting(t *testing.T) {
	fake := truenastest.NewFake(truenastest.NAS1)
	srv := truenastest.Serve(t, fake)
	src, _ := newSource(t, "nas1", srv, "")
	sourcetest.CheckCanceled(t, src)
	assert.Zero(t, fake.Hits("auth.login_with_api_key"))
}

func TestSilentHandshakeTimesOut(t *testing.T) {
	// a listener that accepts and never says a word
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ln.Close()) })
	held := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held <- c
		}
	}()
	t.Cleanup(func() {
		for {
			select {
			case c := <-held:
				require.NoError(t, c.Close())
			default:
				return
			}
		}
	})
	src, _ := newSourceWith(t, "nas1", "https://"+ln.Addr().String(), "timeout: 200ms\ninsecure_skip_verify: true", truenastest.APIKey)
	start := time.Now()
	_, err = src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrUnreachable, "no answer within 200ms")
	assert.Less(t, time.Since(start), 10*time.Second)
}

// covered reports whether a record of kind with key lies in a gap of snap.
func covered(snap *source.Snapshot, kind inventory.Kind, key string) bool {
	for _, g := range snap.Gaps {
		if g.Covers(kind, key) {
			return true
		}
	}
	return false
}
