package workflows

import (
	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// ProgressQuery is the name of the query that answers a Progress.
const ProgressQuery = "progress"

// SyncRequest is the input of SyncWorkflow. Every field is optional:
// `{}` syncs every enabled source. It never carries secrets.
type SyncRequest struct {
	// Sources limits the run to these source names; empty means all enabled.
	Sources []string `json:"sources,omitempty"`
	// DryRun discovers, merges and plans, and writes nothing to NetBox.
	DryRun bool `json:"dry_run,omitempty"`
	// PlanRef applies exactly this saved plan (from an earlier dry run)
	// instead of discovering anew.
	PlanRef string `json:"plan_ref,omitempty"`
	// AllowDeletes lets the mass-delete guard's blocks through for this
	// run's plan: "*" (every source), a source name (all its kinds), or
	// "source/kind" (say "pve/ip_address"). It names what the operator
	// checked; the result's plan.let_through and the run's memo say what
	// it let through. A saved plan (PlanRef) cannot take it.
	AllowDeletes []string `json:"allow_deletes,omitempty"`
	// Resume carries the state of a run that continued as new; only the
	// workflow itself sets it.
	Resume *ApplyState `json:"resume,omitempty"`
}

// SyncResult is what a finished run reports.
type SyncResult struct {
	DryRun bool `json:"dry_run"`
	// NetBoxVersion is the release of the NetBox the run talked to, read
	// once at its start.
	NetBoxVersion string                    `json:"netbox_version,omitempty"`
	Sources       []activities.SourceResult `json:"sources,omitempty"`
	InventoryRef  string                    `json:"inventory_ref,omitempty"`
	Records       int                       `json:"records"`
	Merged        int                       `json:"merged"`
	PlanRef       string                    `json:"plan_ref,omitempty"`
	Plan          activities.PlanSummary    `json:"plan"`
	// Prepared says what the Prepare step found and made in NetBox before
	// the first batch; a dry run, and a run started before the step existed,
	// have none.
	Prepared *netbox.Prepared `json:"prepared,omitempty"`
	Applied  ApplyTotals      `json:"applied"`
	// FailedBatches lists the batches that failed for good, and why (the
	// first 50; Applied counts them all).
	FailedBatches []BatchFailure `json:"failed_batches,omitempty"`
	// Problems lists the first 50 objects NetBox refused, that drifted or
	// could not be written (Applied.Problems counts them all); where a
	// batch had more than its result carries, the whole lists are in the
	// blob store under ProblemsRef, one file a batch.
	Problems    []netbox.Problem `json:"problems,omitempty"`
	ProblemsRef string           `json:"problems_ref,omitempty"`
	// Continuations counts how often the run continued as new.
	Continuations int `json:"continuations,omitempty"`
	// Review says how the run's review ended, when review was required.
	Review *Review `json:"review,omitempty"`
	// Branch is the merge of the run's netbox-branching branch, once
	// approved (review.branch).
	Branch *activities.BranchMerge `json:"branch,omitempty"`
}

// ApplyTotals adds up what the apply batches did.
type ApplyTotals struct {
	Batches        int `json:"batches"`
	BatchesDone    int `json:"batches_done"`
	BatchesFailed  int `json:"batches_failed"`
	BatchesSkipped int `json:"batches_skipped"`
	// Tally sums the batches' counts of objects.
	netbox.Tally
}

// BatchFailure names a batch that did not apply.
type BatchFailure struct {
	Batch int    `json:"batch"`
	Kind  string `json:"kind"`
	Op    string `json:"op"`
	Error string `json:"error"`
	// Skipped is true when the batch was not tried because one it depends on failed.
	Skipped bool `json:"skipped,omitempty"`
}

// ApplyState is the apply phase's state; it crosses continue-as-new so a
// long run resumes with the next batch, never from the start.
type ApplyState struct {
	Result    SyncResult     `json:"result"`
	Stages    []netbox.Stage `json:"stages"`
	Stage     int            `json:"stage"`
	NextBatch int            `json:"next_batch"`
	// Failed holds the IDs of batches that failed or were skipped, so that
	// batches depending on them are skipped too.
	Failed []int `json:"failed,omitempty"`
	// Branch is the netbox-branching branch the run writes into, when
	// review.branch is set; nil for main.
	Branch *netbox.Branch `json:"branch,omitempty"`
}

// Progress is the answer to the progress query.
type Progress struct {
	Phase   string `json:"phase"`
	PlanRef string `json:"plan_ref,omitempty"`
	// Planned counts the plan's operations once the plan is made.
	Planned int `json:"planned,omitempty"`
	// Stage is the apply stage that runs ("create device"); StageNumber
	// counts it from 1 among the plan's Stages.
	Stage       string `json:"stage,omitempty"`
	StageNumber int    `json:"stage_number,omitempty"`
	Stages      int    `json:"stages,omitempty"`
	// Applied adds up the batches applied so far; its Batches is the
	// plan's number of batches from the moment the plan is made (a dry run
	// applies none).
	Applied ApplyTotals `json:"applied"`
	// Sources lists every source of the run from the start of discovery,
	// in the config's order; one whose discovery has not ended is
	// "running".
	Sources []activities.SourceResult `json:"sources,omitempty"`
	// Review is set once the run waits for approval of its plan.
	Review *Review `json:"review,omitempty"`
}
