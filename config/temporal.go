package config

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/codec"
)

// DialTemporal connects to the Temporal frontend the way every process of
// the agent does (worker, starter): TLS, mTLS and API key as configured,
// payloads encrypted when keys are set, the process's logger behind the
// SDK's. metrics may be nil.
func (c *Config) DialTemporal(ctx context.Context, log *zap.Logger, metrics client.MetricsHandler) (client.Client, error) {
	opts, err := c.TemporalClientOptions(log, metrics)
	if err != nil {
		return nil, err
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("dial temporal at %s: %w", c.Temporal.Address, err)
	}
	return tc, nil
}

// TemporalClientOptions are the Temporal client options of a process:
// address and namespace, TLS (minimum 1.2, CA bundle, server name, a client
// certificate re-read when its files change), an API key re-read when its
// file changes, and the payload codec. Errors name the setting, never a
// secret.
func (c *Config) TemporalClientOptions(log *zap.Logger, metrics client.MetricsHandler) (client.Options, error) {
	opts := client.Options{
		HostPort:       c.Temporal.Address,
		Namespace:      c.Temporal.Namespace,
		Logger:         temporalLogger{log.WithOptions(zap.AddCallerSkip(1)).Named("temporal")},
		MetricsHandler: metrics,
	}
	if c.UsesTLS() {
		tlsCfg, err := c.temporalTLS()
		if err != nil {
			return client.Options{}, err
		}
		opts.ConnectionOptions.TLS = tlsCfg
	}
	if c.HasTemporalAPIKey() {
		opts.Credentials = client.NewAPIKeyDynamicCredentials(c.temporalAPIKey())
	}
	pc, err := c.PayloadCodec()
	switch {
	case errors.Is(err, ErrSecretNotSet):
	case err != nil:
		return client.Options{}, err
	default:
		dc := codec.DataConverter(pc)
		opts.DataConverter = dc
		// Failure messages and stack traces name hosts and records too.
		opts.FailureConverter = temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
			DataConverter: dc, EncodeCommonAttributes: true,
		})
	}
	return opts, nil
}

// PayloadCodec is the payload codec of the configured keys; it wraps
// ErrSecretNotSet when no key is configured (payloads stay in clear).
func (c *Config) PayloadCodec() (*codec.Codec, error) {
	text, err := c.EncryptionKeys()
	if err != nil {
		return nil, err
	}
	keys, err := codec.ParseKeys(text)
	if err != nil {
		return nil, fmt.Errorf("temporal.encryption: %w", err)
	}
	return codec.New(keys), nil
}

// DataConverter is the data converter of the configured payload keys, or
// the SDK's default when none is set.
func (c *Config) DataConverter() (converter.DataConverter, error) {
	pc, err := c.PayloadCodec()
	switch {
	case errors.Is(err, ErrSecretNotSet):
		return converter.GetDefaultDataConverter(), nil
	case err != nil:
		return nil, err
	}
	return codec.DataConverter(pc), nil
}

// temporalTLS is the TLS configuration of the Temporal connection.
func (c *Config) temporalTLS() (*tls.Config, error) {
	t := c.Temporal.TLS
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // only when set, and warned
	if cfg.ServerName == "" {
		if host, _, err := net.SplitHostPort(c.Temporal.Address); err == nil {
			cfg.ServerName = host
		}
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("temporal.tls.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("temporal.tls.ca_file: %s holds no PEM certificate", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" {
		if err := checkSecretMode(t.KeyFile, "temporal.tls.key_file", c.StrictSecretFiles); err != nil {
			return nil, err
		}
		kp := &keyPair{certFile: t.CertFile, keyFile: t.KeyFile}
		if _, err := kp.get(); err != nil {
			return nil, err
		}
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return kp.get() }
	}
	return cfg, nil
}

// keyPair is a client certificate read from files and read again when
// either file changes, so that a renewed certificate is used by the next
// connection without a restart.
type keyPair struct {
	certFile, keyFile string
	mu                sync.Mutex
	certMod, keyMod   time.Time
	cert              *tls.Certificate
}

func (k *keyPair) get() (*tls.Certificate, error) {
	cs, err := os.Stat(k.certFile)
	if err != nil {
		return nil, fmt.Errorf("temporal.tls.cert_file: %w", err)
	}
	ks, err := os.Stat(k.keyFile)
	if err != nil {
		return nil, fmt.Errorf("temporal.tls.key_file: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cert != nil && cs.ModTime().Equal(k.certMod) && ks.ModTime().Equal(k.keyMod) {
		return k.cert, nil
	}
	cert, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
	if err != nil {
		if k.cert != nil {
			// A renewal caught half-written: keep the pair that worked.
			return k.cert, nil
		}
		return nil, fmt.Errorf("temporal.tls.cert_file and key_file: %w", err)
	}
	k.cert, k.certMod, k.keyMod = &cert, cs.ModTime(), ks.ModTime()
	return k.cert, nil
}

// temporalAPIKey is the API key callback: the environment's key, or the
// file's, read again when the file changes.
func (c *Config) temporalAPIKey() func(context.Context) (string, error) {
	if key, ok := c.TemporalAPIKeyEnv(); ok {
		return func(context.Context) (string, error) { return key, nil }
	}
	var mu sync.Mutex
	var mod time.Time
	var key string
	return func(context.Context) (string, error) {
		fi, err := os.Stat(c.Temporal.APIKeyFile)
		if err != nil {
			return "", fmt.Errorf("temporal.api_key_file: %w", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if key != "" && fi.ModTime().Equal(mod) {
			return key, nil
		}
		v, err := c.readSecret(c.Temporal.APIKeyFile, "temporal.api_key_file")
		if err != nil {
			return "", err
		}
		key, mod = v, fi.ModTime()
		return key, nil
	}
}

// temporalLogger adapts zap to the SDK's key-value logger.
type temporalLogger struct{ z *zap.Logger }

func (l temporalLogger) Debug(msg string, kv ...any) { l.z.Debug(msg, fields(kv)...) }
func (l temporalLogger) Info(msg string, kv ...any)  { l.z.Info(msg, fields(kv)...) }
func (l temporalLogger) Warn(msg string, kv ...any)  { l.z.Warn(msg, fields(kv)...) }
func (l temporalLogger) Error(msg string, kv ...any) { l.z.Error(msg, fields(kv)...) }

func fields(kv []any) []zap.Field {
	out := make([]zap.Field, 0, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprint(kv[i])
		}
		out = append(out, zap.Any(key, kv[i+1]))
	}
	if len(kv)%2 == 1 {
		out = append(out, zap.Any("extra", kv[len(kv)-1]))
	}
	return out
}
