package netbox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// branchingFake answers the plugin's API with the answers recorded from a
// real NetBox 4.7.3 with netbox-branching 1.2.2 (testdata/branching), in
// the order a run meets them, and keeps the requests it saw.
type branchingFake struct {
	t       *testing.T
	mu      sync.Mutex
	created bool
	merged  bool
	seen    []string // method path [branch header]
	noPlug  bool
}

func (f *branchingFake) answer(w http.ResponseWriter, name string) {
	data, err := os.ReadFile(filepath.Join("testdata", "branching", name))
	require.NoError(f.t, err)
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(data)
	require.NoError(f.t, err)
}

func (f *branchingFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, r.Method+" "+r.URL.Path+" "+r.Header.Get(BranchHeader))
	switch {
	case f.noPlug:
		http.Error(w, "<html>Page not found</html>", http.StatusNotFound)
	case r.Method == http.MethodGet && r.URL.Path == "/api/plugins/branching/branches/":
		if !f.created {
			w.Header().Set("Content-Type", "application/json")
			_, err := w.Write([]byte(`{"count":0,"next":null,"previous":null,"results":[]}`))
			require.NoError(f.t, err)
			return
		}
		f.answer(w, "list.json")
	case r.Method == http.MethodPost && r.URL.Path == "/api/plugins/branching/branches/":
		f.created = true
		w.WriteHeader(http.StatusCreated)
		f.answer(w, "create.json")
	case r.Method == http.MethodPost && r.URL.Path == "/api/plugins/branching/branches/1/merge/":
		if f.merged {
			http.Error(w, "Branch is not ready to merge.", http.StatusBadRequest)
			return
		}
		f.merged = true
		f.answer(w, "merge.json")
	case r.Method == http.MethodGet && r.URL.Path == "/api/plugins/branching/branches/1/":
		if f.merged {
			f.answer(w, "merged.json")
			return
		}
		// The branch, ready: the one result of the recorded list.
		data, err := os.ReadFile(filepath.Join("testdata", "branching", "list.json"))
		require.NoError(f.t, err)
		var page struct{ Results []json.RawMessage }
		require.NoError(f.t, json.Unmarshal(data, &page))
		w.Header().Set("Content-Type", "application/json")
		_, err = w.Write(page.Results[0])
		require.NoError(f.t, err)
	case r.Method == http.MethodGet && r.URL.Path == "/api/core/jobs/2223/":
		f.answer(w, "job.json")
	default:
		http.Error(w, "unexpected", http.StatusTeapot)
	}
}

func newBranchingClient(t *testing.T, f *branchingFake) *Client {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.URL = srv.URL
	c, err := NewClient(cfg, simToken, nil)
	require.NoError(t, err)
	return c
}

func TestBranchLifecycleOnRecordedAnswers(t *testing.T) {
	f := &branchingFake{t: t}
	c := newBranchingClient(t, f)
	ctx := context.Background()

	b, err := c.OpenBranch(ctx, "netbox-agent e2e", "recorded")
	require.NoError(t, err)
	assert.Equal(t, Branch{ID: 1, Name: "netbox-agent e2e", SchemaID: b.SchemaID, Status: "new",
		URL: c.UIURL("plugins/branching/branches/1/")}, b)
	assert.Len(t, b.SchemaID, 8)
	assert.Contains(t, b.URL, "/plugins/branching/branches/1/")
	assert.NotContains(t, b.URL, "/api/")

	// A retried open finds the branch by name and makes no second one.
	again, err := c.OpenBranch(ctx, "netbox-agent e2e", "recorded")
	require.NoError(t, err)
	assert.Equal(t, BranchReady, again.Status)
	assert.Equal(t, b.SchemaID, again.SchemaID)

	// Requests in the branch carry its schema ID; the branch's own API does not.
	_, err = c.get(InBranch(ctx, b.SchemaID), "plugins/branching/branches/1/", nil)
	require.NoError(t, err)
	_, err = c.GetBranch(InBranch(ctx, b.SchemaID), 1)
	require.NoError(t, err)

	jobID, err := c.MergeBranch(ctx, again)
	require.NoError(t, err)
	assert.Equal(t, int64(2223), jobID)
	job, err := c.GetJob(ctx, jobID)
	require.NoError(t, err)
	assert.Equal(t, Job{ID: 2223, Status: JobCompleted}, job)
	assert.True(t, job.Done())
	merged, err := c.GetBranch(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, BranchMerged, merged.Status)

	// The plugin refuses a second merge; the error says what NetBox said.
	_, err = c.MergeBranch(ctx, merged)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)
	assert.Contains(t, err.Error(), "Branch is not ready to merge.")

	f.mu.Lock()
	defer f.mu.Unlock()
	assert.Equal(t, []string{
		"GET /api/plugins/branching/branches/ ",
		"POST /api/plugins/branching/branches/ ",
		"GET /api/plugins/branching/branches/ ",
		"GET /api/plugins/branching/branches/1/ " + b.SchemaID,
		"GET /api/plugins/branching/branches/1/ ",
		"POST /api/plugins/branching/branches/1/merge/ ",
		"GET /api/core/jobs/2223/ ",
		"GET /api/plugins/branching/branches/1/ ",
		"POST /api/plugins/branching/branches/1/merge/ ",
	}, f.seen)
}

func TestBranchWithoutThePlugin(t *testing.T) {
	c := newBranchingClient(t, &branchingFake{t: t, noPlug: true})
	_, err := c.OpenBranch(context.Background(), "netbox-agent run", "")
	var be *BranchingError
	require.ErrorAs(t, err, &be)
	assert.Contains(t, err.Error(), "NetBox has no netbox-branching plugin")
	assert.Contains(t, err.Error(), "review.branch")
}

func TestBranchAnswersNetBoxCannotHaveMeant(t *testing.T) {
	c := newBranchingClient(t, &branchingFake{t: t})
	for _, body := range []string{`{}`, `{"id": 1, "name": "x", "schema_id": "abc", "status": 7}`, `[`} {
		_, err := c.readBranch([]byte(body))
		var ae *AnswerError
		assert.ErrorAs(t, err, &ae, "%s", body)
	}
}
