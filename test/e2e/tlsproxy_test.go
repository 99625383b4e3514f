package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testPKI is a CA made for one test, with the files of a server and a client
// certificate it signed.
type testPKI struct {
	caFile                string
	pool                  *x509.CertPool
	server                tls.Certificate
	clientCert, clientKey string
}

// newTestPKI makes a CA, a server certificate for 127.0.0.1 and "temporal.test",
// and a client certificate, and writes the CA and the client's files to dir.
func newTestPKI(t *testing.T, dir string) *testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "e2e test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	p := &testPKI{caFile: filepath.Join(dir, "ca.pem"), pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	require.NoError(t, os.WriteFile(p.caFile, pemBlock("CERTIFICATE", caDER), 0o600))

	issue := func(serial int64, name string, usage x509.ExtKeyUsage) ([]byte, []byte) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			DNSNames: []string{name}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		require.NoError(t, err)
		keyDER, err := x509.MarshalECPrivateKey(key)
		require.NoError(t, err)
		return pemBlock("CERTIFICATE", der), pemBlock("EC PRIVATE KEY", keyDER)
	}
	certPEM, keyPEM := issue(2, "temporal.test", x509.ExtKeyUsageServerAuth)
	p.server, err = tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	certPEM, keyPEM = issue(3, "netbox-agent", x509.ExtKeyUsageClientAuth)
	p.clientCert, p.clientKey = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	require.NoError(t, os.WriteFile(p.clientCert, certPEM, 0o600))
	require.NoError(t, os.WriteFile(p.clientKey, keyPEM, 0o600))
	return p
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// tlsProxy terminates TLS on loopback (TLS 1.2 at least, h2 by ALPN, a
// client certificate from the test CA when mutual) and forwards the bytes to
// the dev server, so that a client reaches Temporal only through TLS.
type tlsProxy struct {
	ln      net.Listener
	wg      sync.WaitGroup
	mu      sync.Mutex
	clients []string // the common names of the client certificates seen
	conns   []net.Conn
}

func startTLSProxy(t *testing.T, pki *testPKI, mutual bool, upstream string) *tlsProxy {
	t.Helper()
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pki.server},
		NextProtos: []string{"h2"}, ClientCAs: pki.pool,
	}
	if mutual {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	require.NoError(t, err)
	p := &tlsProxy{ln: ln}
	p.wg.Add(1)
	go p.accept(upstream)
	t.Cleanup(func() {
		require.NoError(t, ln.Close())
		p.mu.Lock()
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *tlsProxy) addr() string { return p.ln.Addr().String() }

func (p *tlsProxy) accept(upstream string) {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns = append(p.conns, c)
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.forward(c.(*tls.Conn), upstream)
		}()
	}
}

func (p *tlsProxy) forward(c *tls.Conn, upstream string) {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return
	}
	if certs := c.ConnectionState().PeerCertificates; len(certs) > 0 {
		p.mu.Lock()
		p.clients = append(p.clients, certs[0].Subject.CommonName)
		p.mu.Unlock()
	}
	up, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// clientNames are the common names of the client certificates the proxy saw.
func (p *tlsProxy) clientNames() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.clients...)
}
