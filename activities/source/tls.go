package source

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"go.uber.org/zap"
)

// TLSSettings are the certificate settings of a source that speaks TLS, as
// written under the instance; a source's Settings embed them with
// `yaml:",inline"`.
type TLSSettings struct {
	// CAFile is the PEM file of the CA that signed the system's
	// certificate, relative to the config file's directory.
	CAFile string `yaml:"ca_file" json:"ca_file"`
	// InsecureSkipVerify turns certificate verification off.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify" json:"insecure_skip_verify"`
	// AllowPlaintext lets the source send its credentials over http:// or
	// ws:// to a host that is not on loopback; each start warns about it.
	AllowPlaintext bool `yaml:"allow_plaintext" json:"allow_plaintext"`
}

// CheckPlaintext refuses a plain http:// or ws:// url to a host that is
// not on loopback unless allow_plaintext is set: the source's token or
// password would cross the network readable by anyone on the path.
func (s TLSSettings) CheckPlaintext(u *url.URL) error {
	if !isPlaintext(u) || onLoopback(u) || s.AllowPlaintext {
		return nil
	}
	return SettingError("url", "%s://%s sends the credentials without TLS to a host that is not on loopback: "+
		"use https:// (ca_file names a private CA), or set allow_plaintext: true to accept that", u.Scheme, u.Host)
}

// WarnIfPlaintext logs, once when a source is built, that its credentials
// go to rawURL without TLS, when that host is not on loopback.
func WarnIfPlaintext(log *zap.Logger, rawURL string) {
	if u, err := url.Parse(rawURL); err == nil && isPlaintext(u) && !onLoopback(u) {
		log.Warn("credentials sent without TLS (allow_plaintext is set)", zap.String("url", u.Scheme+"://"+u.Host))
	}
}

func isPlaintext(u *url.URL) bool { return u.Scheme == "http" || u.Scheme == "ws" }

func onLoopback(u *url.URL) bool {
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TLS is how a source's client checks certificates.
type TLS struct {
	// CAFile is the absolute path of the CA file, or "".
	CAFile string
	// Verify is false when the operator turned verification off.
	Verify bool
}

// Resolve checks the settings and makes a relative ca_file absolute against
// baseDir. verify is the source's own switch, if it has one (proxmox's
// verify_tls), else true. A ca_file with verification off is a
// contradiction the operator hears about.
func (s TLSSettings) Resolve(baseDir string, verify bool) (TLS, error) {
	t := TLS{Verify: verify && !s.InsecureSkipVerify}
	if s.CAFile == "" {
		return t, nil
	}
	if !t.Verify {
		off := "insecure_skip_verify is true"
		if !verify {
			off = "certificate verification is off"
		}
		return TLS{}, SettingError("ca_file", "is set but %s", off)
	}
	caFile, err := ResolveFile("ca_file", baseDir, s.CAFile)
	if err != nil {
		return TLS{}, err
	}
	t.CAFile = caFile
	return t, nil
}

// Transport is a clone of http.DefaultTransport with t's TLS
// configuration; a CA file that cannot be read or holds no certificate is
// an error naming ca_file.
func (t TLS) Transport() (*http.Transport, error) {
	cfg, err := TLSConfig(t.CAFile, !t.Verify)
	if err != nil {
		return nil, SettingError("ca_file", "%w", err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	return tr, nil
}

// WarnIfOff logs, once when a source is built, that the certificate of the
// server at url is not checked.
func (t TLS) WarnIfOff(log *zap.Logger, url string) {
	if !t.Verify {
		log.Warn("TLS certificate verification is off", zap.String("url", url))
	}
}

// TLSError explains err when it is a certificate that TLS refused: which
// problem, and what to set (ca_file, insecure_skip_verify); or a server
// that speaks only TLS older than 1.2; wrapping ErrConfig since only a
// settings change helps. what names the step
// ("connect to wss://nas1/api/current"), host the server, or "". Any other
// error gives nil.
func TLSError(what, host string, err error) error {
	of := ""
	if host != "" {
		of = " of " + host
	}
	if TLSVersionRefused(err) {
		return fmt.Errorf("%s: the server%s offers only TLS older than 1.2, which the agent refuses (%w); enable TLS 1.2 or 1.3 on it: %w",
			what, of, err, ErrConfig)
	}
	msg, ok := TLSProblem(err)
	if !ok {
		return nil
	}
	return fmt.Errorf("%s: TLS certificate%s not trusted: %s; set ca_file to the CA that signed it, or insecure_skip_verify: true to skip verification: %w",
		what, of, msg, ErrConfig)
}

// TLSConfig is the TLS configuration of a source's client: TLS 1.2 or
// newer; when caFile is set, its certificates are the roots a server must
// chain to; skipVerify turns verification off, for operators who asked for
// it by name. The error says what is wrong with caFile.
func TLSConfig(caFile string, skipVerify bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: skipVerify} // only when the operator set it by name
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// TLSVersionRefused reports whether err is a TLS handshake that failed
// because the server speaks no version the client accepts: the server's
// protocol_version alert to a hello that offered only TLS 1.2 and 1.3, or
// the client's refusal of a server that answered with an older version.
// crypto/tls exports no type for either, so the text is what tells.
func TLSVersionRefused(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "tls: protocol version not supported") ||
		strings.Contains(msg, "tls: server selected unsupported protocol version")
}

// TLSProblem names the certificate problem in err, if that is what it is,
// so that a source's error can say what to fix (ca_file,
// insecure_skip_verify) rather than only that the connection failed.
func TLSProblem(err error) (string, bool) {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknown):
		return "certificate signed by an unknown authority (self-signed or private CA)", true
	case errors.As(err, &host):
		return host.Error(), true
	case errors.As(err, &invalid):
		return invalid.Error(), true
	case errors.As(err, &verify):
		return verify.Err.Error(), true
	}
	return "", false
}
