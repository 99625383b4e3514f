package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// BranchInput names a run's netbox-branching branch: Name to open it, ID
// (with Name) to merge it.
type BranchInput struct {
	Name        string `json:"name"`
	ID          int64  `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
}

// branchPoll is how often a step that waits for the plugin's background
// job reads the branch's status.
const branchPoll = time.Second

// OpenBranch opens the run's branch and waits until the plugin has
// provisioned it: a retried attempt finds the branch it made by name and
// waits on. The heartbeat details are the branch's status.
func (a *Activities) OpenBranch(ctx context.Context, in BranchInput) (netbox.Branch, error) {
	b, err := a.NetBox.OpenBranch(ctx, in.Name, in.Description)
	if err != nil {
		return netbox.Branch{}, classify(fmt.Errorf("open branch: %w", err))
	}
	b, err = a.waitBranch(ctx, b, netbox.BranchReady)
	if err != nil {
		return netbox.Branch{}, classify(err)
	}
	a.Log.Info("branch ready", zap.String("branch", b.Name), zap.String("schema_id", b.SchemaID), zap.String("url", b.URL))
	return b, nil
}

// BranchMerge is what became of a branch's merge: the branch, and
// whether the plugin's job merged it (false when the branch held no
// change, which the plugin leaves unmerged).
type BranchMerge struct {
	Branch netbox.Branch `json:"branch"`
	Merged bool          `json:"merged"`
	JobID  int64         `json:"job_id,omitempty"`
}

// MergeBranch merges the run's branch into main and waits for the
// plugin's job. The job's ID is the heartbeat's details, so that a retried
// attempt waits on the same job instead of asking for a second merge; a
// branch merged already (by an earlier attempt, or by an operator in
// NetBox) is done.
func (a *Activities) MergeBranch(ctx context.Context, in BranchInput) (BranchMerge, error) {
	b, err := a.NetBox.GetBranch(ctx, in.ID)
	if err != nil {
		return BranchMerge{}, classify(fmt.Errorf("merge branch %q: %w", in.Name, err))
	}
	var jobID int64
	if activity.IsActivity(ctx) && activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &jobID); err != nil {
			jobID = 0
		}
	}
	if b.Status == netbox.BranchMerged {
		return BranchMerge{Branch: b, Merged: true, JobID: jobID}, nil
	}
	if jobID == 0 && b.Status == netbox.BranchReady {
		if jobID, err = a.NetBox.MergeBranch(ctx, b); err != nil {
			return BranchMerge{}, classify(err)
		}
	}
	m, err := a.waitMerge(ctx, b, jobID)
	if err != nil {
		return BranchMerge{}, classify(err)
	}
	a.Log.Info("branch merge done", zap.String("branch", b.Name), zap.Bool("merged", m.Merged), zap.Int64("job", jobID))
	return m, nil
}

// waitMerge reads the merge job until it ends, then the branch. A job
// that ended in error fails the step with the job's error.
func (a *Activities) waitMerge(ctx context.Context, b netbox.Branch, jobID int64) (BranchMerge, error) {
	t := time.NewTicker(branchPoll)
	defer t.Stop()
	for {
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, jobID)
		}
		if jobID == 0 { // merging, by a job this run did not start
			if b.Status != "merging" {
				return BranchMerge{Branch: b, Merged: b.Status == netbox.BranchMerged}, nil
			}
		} else {
			job, err := a.NetBox.GetJob(ctx, jobID)
			if err != nil {
				return BranchMerge{}, fmt.Errorf("wait for the merge of branch %q: %w", b.Name, err)
			}
			if job.Done() {
				if job.Status != netbox.JobCompleted {
					return BranchMerge{}, &netbox.BranchingError{Branch: b.Name, Problem: fmt.Sprintf(
						"the merge job %d ended %s: %s; see the branch in NetBox (%s)", jobID, job.Status, job.Error, b.URL)}
				}
				if b, err = a.NetBox.GetBranch(ctx, b.ID); err != nil {
					return BranchMerge{}, fmt.Errorf("read branch %q after its merge: %w", b.Name, err)
				}
				return BranchMerge{Branch: b, Merged: b.Status == netbox.BranchMerged, JobID: jobID}, nil
			}
		}
		select {
		case <-ctx.Done():
			return BranchMerge{}, fmt.Errorf("wait for the merge of branch %q: %w", b.Name, ctx.Err())
		case <-t.C:
		}
		if jobID == 0 {
			next, err := a.NetBox.GetBranch(ctx, b.ID)
			if err != nil {
				return BranchMerge{}, fmt.Errorf("wait for the merge of branch %q: %w", b.Name, err)
			}
			b = next
		}
	}
}

// waitBranch reads b until its status is want, heartbeating each status
// read. A failed branch, or one waiting for migrations, ends the wait with
// an error an operator must act on.
func (a *Activities) waitBranch(ctx context.Context, b netbox.Branch, want string) (netbox.Branch, error) {
	t := time.NewTicker(branchPoll)
	defer t.Stop()
	for {
		switch b.Status {
		case want:
			return b, nil
		case netbox.BranchFailed, netbox.BranchPendingMigrations:
			return b, &netbox.BranchingError{Branch: b.Name, Problem: fmt.Sprintf(
				"its status is %s while the run waits for %s; see its jobs in NetBox (%s)", b.Status, want, b.URL)}
		}
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, b.Status)
		}
		select {
		case <-ctx.Done():
			return b, fmt.Errorf("wait for branch %q to be %s (it is %s): %w", b.Name, want, b.Status, ctx.Err())
		case <-t.C:
		}
		next, err := a.NetBox.GetBranch(ctx, b.ID)
		if err != nil {
			return b, fmt.Errorf("wait for branch %q to be %s: %w", b.Name, want, err)
		}
		b = next
	}
}
