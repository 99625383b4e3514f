package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/codec"
	"github.com/netbox-agent/netbox-agent/config"
)

func codecServerFlags(*pflag.FlagSet) func(ctx context.Context, a *app, args []string) error {
	return func(ctx context.Context, a *app, _ []string) error { return serveCodec(ctx, a.cfg, a.log) }
}

// codecHandler is the codec server's handler for cfg: its payload keys,
// tokens and CORS origins; without keys or tokens there is nothing to serve.
func codecHandler(cfg *config.Config) (http.Handler, error) {
	pc, err := cfg.PayloadCodec()
	if err != nil {
		return nil, fmt.Errorf("codec server: %w", err)
	}
	tokens, err := cfg.CodecServerTokens()
	if err != nil {
		return nil, fmt.Errorf("codec server: %w", err)
	}
	if len(tokens) == 0 {
		return nil, errors.New("codec server: codec_server.token_file holds no token")
	}
	return codec.Handler(pc, codec.ServerOptions{Tokens: tokens, Origins: splitList(cfg.CodecServer.CORSOrigins)}), nil
}

// serveCodec serves the codec until ctx ends: over TLS with
// codec_server.cert_file, in clear only on loopback or when allowed.
func serveCodec(ctx context.Context, cfg *config.Config, log *zap.Logger) error {
	cs := cfg.CodecServer
	h, err := codecHandler(cfg)
	if err != nil {
		return err
	}
	useTLS := cs.CertFile != ""
	if !useTLS && !cs.AllowPlaintext && !onLoopback(cs.Listen) {
		return fmt.Errorf("codec_server.listen: %s is not on loopback and no codec_server.cert_file is set; set one, or codec_server.allow_plaintext: true", cs.Listen)
	}
	ln, err := net.Listen("tcp", cs.Listen)
	if err != nil {
		return fmt.Errorf("codec server: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	errc := make(chan error, 1)
	go func() {
		if useTLS {
			errc <- srv.ServeTLS(ln, cs.CertFile, cs.KeyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	if !useTLS && !onLoopback(cs.Listen) {
		log.Warn("security", zap.String("warning", "the codec server serves decrypted payloads without TLS (codec_server.allow_plaintext is set)"))
	}
	log.Info("codec server listening", zap.String("address", ln.Addr().String()), zap.Bool("tls", useTLS))
	select {
	case err := <-errc:
		return fmt.Errorf("codec server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("stop codec server: %w", err)
	}
	return nil
}

// onLoopback reports whether the listen address addr is on loopback.
func onLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
