package config

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/netbox-agent/netbox-agent/test/tlstest"
)

// frontend is a gRPC server over TLS on loopback that answers
// GetSystemInfo, as a Temporal frontend does to a new client, when the
// request carries an accepted API key; it records the keys it saw.
type frontend struct {
	workflowservice.UnimplementedWorkflowServiceServer
	addr, caFile string
	mu           sync.Mutex
	accept       map[string]bool
	seen         []string
}

func (f *frontend) GetSystemInfo(context.Context, *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	return &workflowservice.GetSystemInfoResponse{}, nil
}

func (f *frontend) auth(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	got := ""
	if v := md.Get("authorization"); len(v) > 0 {
		got = v[0]
	}
	f.mu.Lock()
	f.seen = append(f.seen, got)
	ok := f.accept[got]
	f.mu.Unlock()
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "API key not accepted")
	}
	return next(ctx, req)
}

func (f *frontend) lastKey() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		return ""
	}
	return f.seen[len(f.seen)-1]
}

func startFrontend(t *testing.T, accept ...string) *frontend {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "temporal.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"temporal.test"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	f := &frontend{caFile: filepath.Join(t.TempDir(), "ca.pem"), accept: map[string]bool{}}
	for _, a := range accept {
		f.accept["Bearer "+a] = true
	}
	require.NoError(t, os.WriteFile(f.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	srv := grpc.NewServer(
		grpc.Creds(credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})),
		grpc.UnaryInterceptor(f.auth))
	workflowservice.RegisterWorkflowServiceServer(srv, f)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return f
}

// TestTemporalAPIKey dials a TLS frontend that wants an API key: from the
// file, read again when the file changes; from the environment, which wins;
// a key the frontend refuses fails the dial without the key in the error.
func TestTemporalAPIKey(t *testing.T) {
	f := startFrontend(t, "key-one", "key-two", "env-key")
	keyFile := filepath.Join(t.TempDir(), "api.key")
	require.NoError(t, os.WriteFile(keyFile, []byte("key-one\n"), 0o600))
	text := "temporal: {address: " + f.addr + ", api_key_file: " + keyFile + ", tls: {ca_file: " + f.caFile + ", server_name: temporal.test}}\n"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	c, err := loadText(t, text)
	require.NoError(t, err)
	tc, err := c.DialTemporal(ctx, zap.NewNop(), nil)
	require.NoError(t, err)
	defer tc.Close()
	assert.Equal(t, "Bearer key-one", f.lastKey())

	require.NoError(t, os.WriteFile(keyFile, []byte("key-two\n"), 0o600))
	later := time.Now().Add(time.Minute)
	require.NoError(t, os.Chtimes(keyFile, later, later))
	_, err = tc.WorkflowService().GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{})
	require.NoError(t, err)
	assert.Equal(t, "Bearer key-two", f.lastKey(), "a rotated key file is read again")

	env, err := loadText(t, text, EnvTemporalAPIKey+"=env-key")
	require.NoError(t, err)
	tc2, err := env.DialTemporal(ctx, zap.NewNop(), nil)
	require.NoError(t, err)
	tc2.Close()
	assert.Equal(t, "Bearer env-key", f.lastKey())

	bad, err := loadText(t, text, EnvTemporalAPIKey+"=revoked-key-xyz")
	require.NoError(t, err)
	short, cancelShort := context.WithTimeout(ctx, 10*time.Second)
	defer cancelShort()
	_, err = bad.DialTemporal(short, zap.NewNop(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dial temporal at "+f.addr)
	assert.NotContains(t, err.Error(), "revoked-key-xyz")
}

func TestTemporalClientOptions(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "client.key")
	require.NoError(t, os.WriteFile(open, []byte("not a key"), 0o644))
	require.NoError(t, os.Chmod(open, 0o644))
	for _, tc := range []struct {
		name, text, wantErr string
		env                 []string
	}{
		{"clear on loopback", "temporal: {address: 127.0.0.1:7233}", "", nil},
		{"missing ca file", "temporal: {tls: {ca_file: " + filepath.Join(dir, "none.pem") + "}}", "temporal.tls.ca_file: open", nil},
		{"ca file without a certificate", "temporal: {tls: {ca_file: " + open + "}}", "holds no PEM certificate", nil},
		{"bad client pair", "temporal: {tls: {cert_file: " + open + ", key_file: " + open + "}}", "temporal.tls.cert_file and key_file: tls:", nil},
		{"open key file under strict", "strict_secret_files: true\ntemporal: {tls: {cert_file: " + open + ", key_file: " + open + "}}", "is readable by group or others", nil},
		{"bad payload key", "log: {level: info}", "temporal.encryption: payload key 1", []string{EnvEncryptionKeys + "=k1=c2hvcnQ="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadText(t, tc.text, tc.env...)
			require.NoError(t, err)
			opts, err := c.TemporalClientOptions(zap.NewNop(), nil)
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Nil(t, opts.ConnectionOptions.TLS)
				assert.Nil(t, opts.DataConverter)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.NotContains(t, err.Error(), "not a key")
		})
	}
}

// TestTemporalRefusesTLSBelow12 makes the handshake the Temporal client
// makes, with the TLS configuration it is given, to frontends that speak
// only some TLS versions: one limited to TLS 1.1 is refused, with
// verification on or off; TLS 1.2 is taken.
func TestTemporalRefusesTLSBelow12(t *testing.T) {
	old := tlstest.StartTLS(t, http.NotFoundHandler(), tls.VersionTLS10, tls.VersionTLS11)
	current := tlstest.StartTLS(t, http.NotFoundHandler(), tls.VersionTLS12, tls.VersionTLS12)
	ca := tlstest.WriteCA(t, current)
	for _, tc := range []struct {
		name, tls, wantErr string
		srv                *httptest.Server
	}{
		{"TLS 1.1 refused", "{ca_file: " + ca + "}", "protocol version not supported", old},
		{"TLS 1.1 refused without verification", "{insecure_skip_verify: true}", "protocol version not supported", old},
		{"TLS 1.2 taken", "{ca_file: " + ca + "}", "", current},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := strings.TrimPrefix(tc.srv.URL, "https://")
			c, err := loadText(t, "temporal: {address: "+addr+", tls: "+tc.tls+"}")
			require.NoError(t, err)
			opts, err := c.TemporalClientOptions(zap.NewNop(), nil)
			require.NoError(t, err)
			require.NotNil(t, opts.ConnectionOptions.TLS)
			conn, err := tls.Dial("tcp", addr, opts.ConnectionOptions.TLS)
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, uint16(tls.VersionTLS12), conn.ConnectionState().Version)
				require.NoError(t, conn.Close())
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
