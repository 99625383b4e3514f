package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.uber.org/zap/zapcore"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/activities/source/truenas/truenastest"
	"github.com/netbox-agent/netbox-agent/config"
	"github.com/netbox-agent/netbox-agent/metrics"
	"github.com/netbox-agent/netbox-agent/test/realnetbox"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// lockedBuffer is a log sink several goroutines write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Sync() error { return nil }

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNoSecretLeaves runs a whole sync with known secrets for NetBox and every source, through
// a NetBox and a Proxmox API that sometimes answer with an error page repeating the request's
// Authorization header, then searches everything the run left behind: its raw history (every
// payload and every failure message), every log line of the worker and the SDK at every level,
// the run's result, every blob in the store and the metrics. No secret may be anywhere.
func TestNoSecretLeaves(t *testing.T) {
	echoed := 0
	var echoMu sync.Mutex
	fake := proxmoxtest.NewFake()
	pve := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/status/current") || strings.HasSuffix(r.URL.Path, "/agent/network-get-interfaces") {
			echoMu.Lock()
			echoed++
			echoMu.Unlock()
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"data":null,"message":"internal error, request was: Authorization: %s"}`, r.Header.Get("Authorization"))
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(pve.Close)
	nas := truenastest.NewServer(t)
	ha, _ := hatest.NewServer(t)

	cfg := exampleConfig(t) + fmt.Sprintf(`
  - name: alpha
    type: proxmox
    url: %s
    token_id: %s
    site: Home Lab
  - name: nas1
    type: truenas
    url: %s
    ca_file: %s
    site: Home
  - name: house
    type: homeassistant
    url: %s
    site: Home
`, pve.URL, proxmoxtest.TokenID, nas.URL, writeNASCA(t, nas), ha.URL)
	logs := &lockedBuffer{}
	capture := zapcore.NewCore(zapcore.NewJSONEncoder(zapcore.EncoderConfig{MessageKey: "msg", LevelKey: "level", EncodeLevel: zapcore.LowercaseLevelEncoder}), logs, zapcore.DebugLevel)
	m, err := metrics.New()
	require.NoError(t, err)
	e := newEnv(t, cfg, "NETBOX_AGENT_SYNC_RETRY_MAXIMUM_ATTEMPTS=0", "NETBOX_AGENT_LOG_LEVEL=debug",
		config.SecretEnv("alpha", "token_secret")+"="+proxmoxtest.TokenSecret,
		config.SecretEnv("nas1", "api_key")+"="+truenastest.APIKey,
		config.SecretEnv("house", "token")+"="+hatest.Token)
	e.metrics, e.logCores = m, []zapcore.Core{capture}
	e.configure(e.configYAML, e.extraEnv...)

	e.nb.proxy.SetFaults(realnetbox.Faults{EchoAuthRate: 0.05})
	res, run := syncThroughRun(t, e, workflows.SyncRequest{}, capture)
	e.nb.proxy.SetFaults(realnetbox.Faults{})
	for _, s := range res.Sources {
		require.Equal(t, activities.SourceOK, s.Status, "%s: %s", s.Name, s.Error)
	}
	require.Positive(t, res.Applied.Created)
	require.Zero(t, res.Applied.Problems, "%v", res.Problems)
	require.Positive(t, echoed, "the Proxmox API echoed its token")
	require.Positive(t, e.stats().Total)

	secrets := map[string]string{
		"NetBox token":       e.token,
		"NetBox token key":   secretPart(e.token, "."),
		"Proxmox token":      proxmoxtest.TokenSecret,
		"TrueNAS API key":    truenastest.APIKey,
		"TrueNAS key secret": secretPart(truenastest.APIKey, "-"),
		"Home Assistant":     hatest.Token,
	}
	places := map[string]string{}
	// the raw history: every payload, decoded, and the events as JSON (failure messages)
	var payloads strings.Builder
	for _, ev := range rawHistory(t, run.GetID(), run.GetRunID()) {
		eachPayload(ev.ProtoReflect(), func(p *commonpb.Payload) { payloads.Write(p.GetData()); payloads.WriteByte('\n') })
		b, err := protojson.Marshal(ev)
		require.NoError(t, err)
		payloads.Write(b)
	}
	places["history"] = payloads.String()
	places["logs"] = logs.String()
	places["blobs"] = readBlobs(t, filepath.Join(e.dir, "blobs"))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	places["metrics"] = rec.Body.String()

	require.Contains(t, places["history"], "lab-files", "the history was read")
	require.Contains(t, places["logs"], `"level":"debug"`, "debug lines were captured")
	require.Contains(t, places["blobs"], "nas1", "the blobs were read")
	require.Contains(t, places["metrics"], "netbox_agent_sync_runs_total", "the metrics were read")
	for where, text := range places {
		for what, secret := range secrets {
			require.NotEmpty(t, secret, what)
			if i := strings.Index(text, secret); i >= 0 {
				t.Errorf("the %s is in the %s: ...%s...", what, where, text[max(0, i-300):min(len(text), i+len(secret)+100)])
			}
		}
	}
	t.Logf("searched %d bytes of history, %d of logs, %d of blobs, %d of metrics; %d Proxmox answers and about 5%% of NetBox's echoed a secret",
		len(places["history"]), len(places["logs"]), len(places["blobs"]), len(places["metrics"]), echoed)
}

// secretPart is what follows the first sep in s: the secret half of a token whose other half
// names it.
func secretPart(s, sep string) string {
	_, after, ok := strings.Cut(s, sep)
	if !ok {
		return s
	}
	return after
}

// readBlobs is every file under dir, gunzipped where it is compressed.
func readBlobs(t *testing.T, dir string) string {
	t.Helper()
	var out strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		out.Write(b)
		return nil
	})
	require.NoError(t, err)
	return out.String()
}
