package netbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// BranchHeader is the header of netbox-branching (NetBox Labs' plugin)
// that sends a request into a branch: its value is the branch's schema ID.
const BranchHeader = "X-NetBox-Branch"

// branchesPath is the plugin's branch list.
const branchesPath = "plugins/branching/branches/"

// The statuses of a branch the agent acts on (netbox_branching's
// BranchStatusChoices); the others are passing ones.
const (
	BranchReady  = "ready"
	BranchMerged = "merged"
	BranchFailed = "failed"
	// BranchPendingMigrations: the branch needs migrations an operator
	// applies in NetBox before it can be used.
	BranchPendingMigrations = "pending-migrations"
)

// Branch is a netbox-branching branch, as the agent keeps it in a run.
type Branch struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	SchemaID string `json:"schema_id"`
	Status   string `json:"status"`
	// URL is the branch's page in NetBox's own UI, where a reviewer sees
	// its changes.
	URL string `json:"url,omitempty"`
}

// BranchingError says that NetBox cannot hold the run's branch: the plugin
// is missing, or a branch failed or was left in a state only an operator
// can put right. Retrying does not help.
type BranchingError struct {
	Branch  string `json:"branch,omitempty"`
	Problem string `json:"problem"`
}

func (e *BranchingError) Error() string {
	if e.Branch == "" {
		return "netbox branching: " + e.Problem
	}
	return fmt.Sprintf("netbox branch %q: %s", e.Branch, e.Problem)
}

// branchCtxKey carries the schema ID of the branch a request goes to.
type branchCtxKey struct{}

// InBranch is ctx whose NetBox requests go into the branch of that schema
// ID (all of them: reads, look-ups and writes); "" leaves them in main.
func InBranch(ctx context.Context, schemaID string) context.Context {
	if schemaID == branchOf(ctx) {
		return ctx
	}
	return context.WithValue(ctx, branchCtxKey{}, schemaID)
}

func branchOf(ctx context.Context) string {
	s, _ := ctx.Value(branchCtxKey{}).(string)
	return s
}

// OpenBranch finds the branch of that name or creates it, in main. A new
// branch is provisioned by the plugin's background job: its status is
// "new" or "provisioning" until it is ready (see FindBranch).
func (c *Client) OpenBranch(ctx context.Context, name, description string) (Branch, error) {
	ctx = InBranch(ctx, "") // branches are made in main
	b, found, err := c.FindBranch(ctx, name)
	if err != nil || found {
		return b, err
	}
	data, err := c.send(ctx, http.MethodPost, branchesPath, map[string]any{"name": name, "description": description})
	if err != nil {
		return Branch{}, fmt.Errorf("create branch %q: %w", name, err)
	}
	return c.readBranch(data)
}

// FindBranch reads the branch of that name; found is false when there is
// none. A NetBox without the plugin answers a BranchingError.
func (c *Client) FindBranch(ctx context.Context, name string) (b Branch, found bool, err error) {
	data, err := c.get(ctx, branchesPath, url.Values{"name": {name}})
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
		return Branch{}, false, &BranchingError{Problem: "NetBox has no netbox-branching plugin (" + apiErr.Path +
			" answered 404): install it, or set review.branch to false"}
	}
	if err != nil {
		return Branch{}, false, fmt.Errorf("find branch %q: %w", name, err)
	}
	var page struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(data, &page); err != nil {
		return Branch{}, false, &AnswerError{Endpoint: branchesPath, Problem: "not a list of branches: " + err.Error()}
	}
	for _, raw := range page.Results {
		b, err := c.readBranch(raw)
		if err != nil {
			return Branch{}, false, err
		}
		if b.Name == name {
			return b, true, nil
		}
	}
	return Branch{}, false, nil
}

// GetBranch reads one branch by ID.
func (c *Client) GetBranch(ctx context.Context, id int64) (Branch, error) {
	data, err := c.get(InBranch(ctx, ""), branchesPath+strconv.FormatInt(id, 10)+"/", nil)
	if err != nil {
		return Branch{}, fmt.Errorf("read branch %d: %w", id, err)
	}
	return c.readBranch(data)
}

// MergeBranch asks the plugin to merge a ready branch into main and
// returns the ID of the background job that does it (see Job); once done,
// the branch's status is "merged", or still "ready" when the branch held
// no change. A branch whose changes conflict with main's is not merged:
// the error names the conflicts for an operator to settle in NetBox.
func (c *Client) MergeBranch(ctx context.Context, b Branch) (int64, error) {
	data, err := c.send(InBranch(ctx, ""), http.MethodPost, branchesPath+strconv.FormatInt(b.ID, 10)+"/merge/", map[string]any{"commit": true})
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict {
		return 0, &BranchingError{Branch: b.Name, Problem: "its changes conflict with main's; settle them in NetBox (" +
			b.URL + ") and merge it there: " + apiErr.Body}
	}
	if err != nil {
		return 0, fmt.Errorf("merge branch %q: %w", b.Name, err)
	}
	var job struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(data, &job); err != nil || job.ID <= 0 {
		return 0, &AnswerError{Endpoint: branchesPath, Problem: fmt.Sprintf("the merge of branch %q answered no job", b.Name)}
	}
	return job.ID, nil
}

// The statuses of a NetBox background job (core's JobStatusChoices) that
// end it.
const (
	JobCompleted = "completed"
	JobErrored   = "errored"
	JobFailed    = "failed"
)

// Job is the state of one of NetBox's background jobs.
type Job struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	// Error is the job's error text, when it ended errored or failed.
	Error string `json:"error,omitempty"`
}

// Done reports whether the job has ended, well or not.
func (j Job) Done() bool {
	return j.Status == JobCompleted || j.Status == JobErrored || j.Status == JobFailed
}

// GetJob reads one background job.
func (c *Client) GetJob(ctx context.Context, id int64) (Job, error) {
	data, err := c.get(InBranch(ctx, ""), "core/jobs/"+strconv.FormatInt(id, 10)+"/", nil)
	if err != nil {
		return Job{}, fmt.Errorf("read job %d: %w", id, err)
	}
	var raw struct {
		ID     int64  `json:"id"`
		Status any    `json:"status"`
		Error  string `json:"error"`
	}
	if err := json.Unmarshal(data, &raw); err != nil || raw.ID != id || branchStatus(raw.Status) == "" {
		return Job{}, &AnswerError{Endpoint: "core/jobs", Object: strconv.FormatInt(id, 10), Problem: "not a job with a status"}
	}
	return Job{ID: raw.ID, Status: branchStatus(raw.Status), Error: raw.Error}, nil
}

// readBranch decodes one branch of the plugin's API.
func (c *Client) readBranch(data []byte) (Branch, error) {
	var raw struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		SchemaID string `json:"schema_id"`
		Status   any    `json:"status"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return Branch{}, &AnswerError{Endpoint: branchesPath, Problem: "not a branch: " + err.Error()}
	}
	status := branchStatus(raw.Status)
	if raw.ID <= 0 || raw.Name == "" || raw.SchemaID == "" || status == "" {
		return Branch{}, &AnswerError{Endpoint: branchesPath, Object: raw.Name,
			Problem: "a branch without its id, name, schema_id or status"}
	}
	return Branch{ID: raw.ID, Name: raw.Name, SchemaID: raw.SchemaID, Status: status,
		URL: c.UIURL("plugins/branching/branches/" + strconv.FormatInt(raw.ID, 10) + "/")}, nil
}

// branchStatus is the value of a choice (a status) NetBox sends as {"value", "label"}
// or as a bare string.
func branchStatus(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		s, _ := x["value"].(string)
		return s
	}
	return ""
}

// UIURL is the address of a page of NetBox's own UI, path below its root.
func (c *Client) UIURL(path string) string {
	u := *c.base
	u.Path = u.Path[:len(u.Path)-len("api/")] + path
	u.User = nil
	return u.String()
}
