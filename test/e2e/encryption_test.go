package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netbox-agent/netbox-agent/codec"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// payloadKey is a payload key of 32 bytes of b, as a key file line.
func payloadKey(id string, b byte) string {
	return id + "=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

// TestPayloadsEncrypted runs a sync with payload keys set: the dev server's
// history, read raw, holds no payload in clear and none of the run's
// strings; the temporal CLI shows it decoded through the codec server with
// a token and not without; after a rotation the new key ring still decodes
// the old run; a ring without its key fails naming the key.
func TestPayloadsEncrypted(t *testing.T) {
	e := newEnv(t, exampleConfig(t), "NETBOX_AGENT_TEMPORAL_ENCRYPTION_KEYS="+payloadKey("k1", 1))
	logs, observed := observer.New(zapcore.DebugLevel)
	res, run := syncThroughRun(t, e, workflows.SyncRequest{DryRun: true}, logs)
	require.NotEmpty(t, res.InventoryRef)
	require.NotZero(t, observed.Len())
	for _, entry := range observed.All() {
		line := fmt.Sprint(entry.Message, entry.ContextMap())
		for _, secret := range []string{strings.TrimPrefix(payloadKey("k1", 1), "k1="), e.token} {
			assert.False(t, strings.Contains(line, secret), "a log line holds a secret: %s", entry.Message)
		}
	}

	events := rawHistory(t, run.GetID(), run.GetRunID())
	var raw bytes.Buffer
	payloads := 0
	for _, ev := range events {
		b, err := proto.Marshal(ev)
		require.NoError(t, err)
		raw.Write(b)
		eachPayload(ev.ProtoReflect(), func(p *commonpb.Payload) {
			payloads++
			assert.Equal(t, codec.Encoding, string(p.Metadata[converter.MetadataEncoding]), "a payload in clear in %s", ev.EventType)
			assert.Equal(t, "k1", string(p.Metadata[codec.MetadataKeyID]))
		})
	}
	assert.Greater(t, payloads, 10)
	for _, s := range []string{res.InventoryRef, `"dry_run"`, `"records"`, filepath.Join(e.dir, "blobs")} {
		assert.False(t, strings.Contains(raw.String(), s), "the raw history holds %q", s)
	}

	// The CLI through the codec server: with the token it shows the run's strings.
	pc, err := e.cfg.PayloadCodec()
	require.NoError(t, err)
	srv := httptest.NewServer(codec.Handler(pc, codec.ServerOptions{Tokens: []string{"ui-token"}}))
	defer srv.Close()
	shown := cli(t, "workflow", "show", "-w", run.GetID(), "-r", run.GetRunID(), "--output", "json",
		"--codec-endpoint", srv.URL, "--codec-auth", "Bearer ui-token")
	assert.Equal(t, res.InventoryRef, shownResult(t, shown).InventoryRef)
	refused, err := cliErr(t, "workflow", "show", "-w", run.GetID(), "-r", run.GetRunID(), "--output", "json",
		"--codec-endpoint", srv.URL, "--codec-auth", "Bearer wrong")
	assert.Error(t, err)
	assert.NotContains(t, string(refused), res.InventoryRef)

	// Rotation: k2 encrypts now, k1 still decodes the run made under it.
	e.configure(exampleConfig(t), "NETBOX_AGENT_TEMPORAL_ENCRYPTION_KEYS="+payloadKey("k2", 2)+","+payloadKey("k1", 1))
	rotated, err := e.cfg.PayloadCodec()
	require.NoError(t, err)
	old := firstPayloads(events)
	dec, err := rotated.Decode(old)
	require.NoError(t, err)
	assert.Contains(t, dec[0].String(), "json/plain")
	res2, run2 := syncThroughRun(t, e, workflows.SyncRequest{DryRun: true})
	assert.Equal(t, res.Records, res2.Records)
	eachPayload(rawHistory(t, run2.GetID(), run2.GetRunID())[0].ProtoReflect(), func(p *commonpb.Payload) {
		assert.Equal(t, "k2", string(p.Metadata[codec.MetadataKeyID]))
	})

	// A ring that lost k1 cannot read the old run, and says which key it lacks.
	e.configure(exampleConfig(t), "NETBOX_AGENT_TEMPORAL_ENCRYPTION_KEYS="+payloadKey("k2", 2))
	lost, err := e.cfg.PayloadCodec()
	require.NoError(t, err)
	_, err = lost.Decode(old)
	require.ErrorIs(t, err, codec.ErrUnknownKey)
	assert.Contains(t, err.Error(), `key "k1"`)
	assert.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32)))
}

// rawHistory is a run's history as the server stores it, read with the dev
// server's own client, which has no codec.
func rawHistory(t *testing.T, id, runID string) []*historypb.HistoryEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []*historypb.HistoryEvent
	it := devServer.Client().GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		out = append(out, ev)
	}
	return out
}

// eachPayload calls f on every Payload inside m, however deep, except in
// search attributes, which the server indexes and no codec encodes (the
// agent sets none; the SDK's TemporalChangeVersion lists version IDs).
func eachPayload(m protoreflect.Message, f func(*commonpb.Payload)) {
	switch v := m.Interface().(type) {
	case *commonpb.Payload:
		f(v)
		return
	case *commonpb.SearchAttributes:
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := 0; i < v.List().Len(); i++ {
				eachPayload(v.List().Get(i).Message(), f)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				eachPayload(mv.Message(), f)
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			eachPayload(v.Message(), f)
		}
		return true
	})
}

// firstPayloads are the payloads of the run's first event (its input).
func firstPayloads(events []*historypb.HistoryEvent) []*commonpb.Payload {
	var out []*commonpb.Payload
	eachPayload(events[0].ProtoReflect(), func(p *commonpb.Payload) { out = append(out, p) })
	return out
}

// shownResult is the SyncResult in the completion event of a history the
// CLI printed as JSON.
func shownResult(t *testing.T, out []byte) workflows.SyncResult {
	t.Helper()
	var h historypb.History
	require.NoError(t, protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(out, &h))
	for _, ev := range h.Events {
		if a := ev.GetWorkflowExecutionCompletedEventAttributes(); a != nil {
			var res workflows.SyncResult
			require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(a.Result, &res))
			return res
		}
	}
	t.Fatal("the history has no completion event")
	return workflows.SyncResult{}
}

// cliErr runs the temporal CLI against the dev server and returns its output
// and error, for a command expected to fail.
func cliErr(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	path, err := temporalCLI()
	require.NoError(t, err)
	args = append(args, "--address", devServer.FrontendHostPort())
	out, err := exec.Command(path, args...).CombinedOutput()
	return out, err
}
