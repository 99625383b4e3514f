package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/netbox-agent/netbox-agent/config"
)

func codecConfig(t *testing.T, text string, environ ...string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	cfg, err := config.Load(path, nil, environ)
	require.NoError(t, err)
	return cfg
}

func TestCodecServerNeedsKeysTokensAndTLSOffLoopback(t *testing.T) {
	keys := config.EnvEncryptionKeys + "=k1=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	tokens := config.EnvCodecServerToken + "=tok"
	for _, tc := range []struct {
		name, text, wantErr string
		env                 []string
	}{
		{"no keys", "log: {level: info}", "codec server: payload keys: secret not set", []string{tokens}},
		{"no tokens", "log: {level: info}", "codec server: codec server token: secret not set", []string{keys}},
		{"off loopback in clear", "codec_server: {listen: 0.0.0.0:0}", "codec_server.listen: 0.0.0.0:0 is not on loopback and no codec_server.cert_file is set", []string{keys, tokens}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := serveCodec(context.Background(), codecConfig(t, tc.text, tc.env...), zap.NewNop())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
		})
	}

	h, err := codecHandler(codecConfig(t, "codec_server: {cors_origins: 'http://localhost:8233'}", keys, tokens))
	require.NoError(t, err)
	for _, auth := range []string{"", "Bearer tok"} {
		r := httptest.NewRequest(http.MethodPost, "/decode", strings.NewReader(`{"payloads":[]}`))
		r.Header.Set("Origin", "http://localhost:8233")
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		want := http.StatusOK
		if auth == "" {
			want = http.StatusUnauthorized
		}
		assert.Equal(t, want, w.Code, "auth %q", auth)
		assert.Equal(t, "http://localhost:8233", w.Header().Get("Access-Control-Allow-Origin"))
	}
}

func TestCodecServerServesUntilStopped(t *testing.T) {
	keys := config.EnvEncryptionKeys + "=k1=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	cfg := codecConfig(t, "codec_server: {listen: 127.0.0.1:0}", keys, config.EnvCodecServerToken+"=tok")
	core, logs := observer.New(zap.InfoLevel)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveCodec(ctx, cfg, zap.New(core)) }()
	require.Eventually(t, func() bool { return logs.FilterMessage("codec server listening").Len() == 1 }, 5*time.Second, 10*time.Millisecond)
	addr := logs.FilterMessage("codec server listening").All()[0].ContextMap()["address"].(string)

	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/decode", strings.NewReader(`{"payloads":[]}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	require.NoError(t, <-done)
}
