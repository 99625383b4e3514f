package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/metrics"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// fakeTemporal answers health checks; every other method panics, which
// tells a test that the health handler called something it should not.
type fakeTemporal struct {
	client.Client
	err error
}

func (f fakeTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, f.err
}

// ScheduleClient answers a Temporal without schedules.
func (f fakeTemporal) ScheduleClient() client.ScheduleClient { return &fakeSchedules{} }

// fakeSchedules is a Temporal's schedules: each has a workflow type and a
// count of runs skipped for overlap.
type fakeSchedules struct {
	client.ScheduleClient
	types   map[string]string
	skipped map[string]int
	running map[string][]string
}

func (f *fakeSchedules) List(context.Context, client.ScheduleListOptions) (client.ScheduleListIterator, error) {
	it := &fakeScheduleList{}
	for id, typ := range f.types {
		e := &client.ScheduleListEntry{ID: id}
		e.WorkflowType.Name = typ
		it.entries = append(it.entries, e)
	}
	return it, nil
}

func (f *fakeSchedules) GetHandle(_ context.Context, id string) client.ScheduleHandle {
	return fakeSchedule{id: id, f: f}
}

type fakeScheduleList struct{ entries []*client.ScheduleListEntry }

func (l *fakeScheduleList) HasNext() bool { return len(l.entries) > 0 }
func (l *fakeScheduleList) Next() (*client.ScheduleListEntry, error) {
	e := l.entries[0]
	l.entries = l.entries[1:]
	return e, nil
}

type fakeSchedule struct {
	client.ScheduleHandle
	id string
	f  *fakeSchedules
}

func (s fakeSchedule) Describe(context.Context) (*client.ScheduleDescription, error) {
	d := &client.ScheduleDescription{Info: client.ScheduleInfo{NumActionsSkippedOverlap: s.f.skipped[s.id]}}
	for _, id := range s.f.running[s.id] {
		d.Info.RunningWorkflows = append(d.Info.RunningWorkflows, client.ScheduleWorkflowExecution{WorkflowID: id})
	}
	return d, nil
}

// scheduleTemporal is a Temporal with the schedules f.
type scheduleTemporal struct {
	fakeTemporal
	f *fakeSchedules
}

func (t scheduleTemporal) ScheduleClient() client.ScheduleClient { return t.f }

const simToken = "0123456789abcdef0123456789abcdef01234567"

func netboxClient(t *testing.T, token string) *netbox.Client {
	srv := httptest.NewServer(nbsim.New(nbsim.Options{Token: simToken}))
	t.Cleanup(srv.Close)
	c, err := netbox.NewClient(netbox.Config{URL: srv.URL, ReadRetries: 1}, token, zap.NewNop())
	require.NoError(t, err)
	return c
}

func TestHealthEndpoints(t *testing.T) {
	m, err := metrics.New()
	require.NoError(t, err)

	for _, tc := range []struct {
		name           string
		path           string
		check          bool
		temporal       error
		token          string
		wantStatus     int
		wantStatusText string
		wantChecks     map[string]string
	}{
		{"alive", "/healthz", false, nil, simToken, http.StatusOK, "ok", nil},
		{"not checked yet", "/readyz", false, nil, simToken, http.StatusServiceUnavailable, "starting", nil},
		{"ready", "/readyz", true, nil, simToken, http.StatusOK, "ready", map[string]string{"temporal": "ok", "netbox": "ok"}},
		{"temporal down", "/readyz", true, errors.New("connection refused"), simToken, http.StatusServiceUnavailable, "not ready",
			map[string]string{"temporal": "unreachable", "netbox": "ok"}},
		{"netbox refuses the token", "/readyz", true, nil, "ffffffffffffffffffffffffffffffffffffffff", http.StatusServiceUnavailable, "not ready",
			map[string]string{"temporal": "ok", "netbox": "unreachable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acts := &activities.Activities{NetBox: netboxClient(t, tc.token)}
			hv := newHealth(fakeTemporal{err: tc.temporal}, acts, m, zap.NewNop())
			if tc.check {
				hv.check(context.Background(), 5*time.Second)
			}
			rec := httptest.NewRecorder()
			hv.routes().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			assert.Equal(t, tc.wantStatus, rec.Code)
			assert.NotContains(t, rec.Body.String(), "refused", "no internal error text")
			assert.NotContains(t, rec.Body.String(), tc.token, "the token never shows")
			var got struct {
				Status string            `json:"status"`
				Checks map[string]string `json:"checks"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			assert.Equal(t, tc.wantStatusText, got.Status)
			assert.Equal(t, tc.wantChecks, got.Checks)
		})
	}

	t.Run("metrics", func(t *testing.T) {
		handler, closer := m.Temporal()
		t.Cleanup(func() { require.NoError(t, closer.Close()) })
		handler.Counter("probe_total").Inc(1)
		h := newHealth(fakeTemporal{}, &activities.Activities{}, m, zap.NewNop()).routes()
		require.Eventually(t, func() bool {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			body := rec.Body.String()
			return rec.Code == http.StatusOK && strings.Contains(body, "netbox_agent_probe_total") &&
				strings.Contains(body, `netbox_agent_dependency_up{dependency="netbox"} 0`)
		}, 5*time.Second, 100*time.Millisecond, "the SDK's metrics and the agent's reach /metrics")
	})
}
