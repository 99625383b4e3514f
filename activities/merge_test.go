package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/blob"
	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/config"
)

// TestMergeTakesItsOptionsFromTheConfig: the merge section of the config
// reaches the Merge activity: authority decides a field against the
// sources' order, and a pin apart keeps two records of one serial apart.
func TestMergeTakesItsOptionsFromTheConfig(t *testing.T) {
	for _, tc := range []struct {
		name        string
		merge       config.Merge
		records     int
		description string
	}{
		{"sources' order", config.Merge{MACOverlap: 0.5}, 1, "from files"},
		{"authority", config.Merge{MACOverlap: 0.5, Authority: map[string][]string{"device.description": {"nas"}}}, 1, "from nas"},
		{"pinned apart", config.Merge{MACOverlap: 0.5, Apart: [][]string{{"files/device/nas1", "nas/device/nas1"}}}, 2, "from files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Merge = tc.merge
			r, err := resolve(cfg, BuildOptions{DiscoverOnly: true})
			require.NoError(t, err)
			a := mergeActivities(t, r.merge)
			var env testsuite.WorkflowTestSuite
			ae := env.NewTestActivityEnvironment()
			ae.RegisterActivity(a)
			val, err := ae.ExecuteActivity(a.Merge, MergeInput{Run: "wf/run-1", Snapshots: []DiscoverResult{
				{Source: "files", Ref: "files.json", Records: 1}, {Source: "nas", Ref: "nas.json", Records: 1}}})
			require.NoError(t, err)
			var res MergeResult
			require.NoError(t, val.Get(&res))
			assert.Equal(t, tc.records, res.Records)
			if tc.records == 1 {
				assert.Equal(t, 1, res.FieldConflicts, "the descriptions differ")
			}
			var devices []inventory.Record
			require.NoError(t, blob.EachJSON(context.Background(), a.Blob, res.Ref, func(r *inventory.Record) error {
				devices = append(devices, *r)
				return nil
			}))
			require.NotEmpty(t, devices)
			assert.Equal(t, tc.description, devices[0].String("description"))
		})
	}
}

// mergeActivities holds two snapshots of one device (same name and
// serial, different descriptions): files.json from the first source,
// nas.json from the second.
func mergeActivities(t *testing.T, opts inventory.MergeOptions) *Activities {
	t.Helper()
	ctx := context.Background()
	store, err := blob.Open(ctx, "mem://", "")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	for _, src := range []string{"files", "nas"} {
		var d inventory.Record
		d.Kind, d.Key, d.Source = inventory.KindDevice, src+"/device/nas1", src
		d.Set("name", "nas1")
		d.Set("serial", "SN-1")
		d.Set("description", "from "+src)
		_, err = store.PutJSON(ctx, src+".json", []inventory.Record{d})
		require.NoError(t, err)
	}
	return &Activities{Blob: store, Log: zap.NewNop(), MergeOptions: opts,
		Sources: []SourceInstance{{Name: "files", Priority: 0}, {Name: "nas", Priority: 1}}}
}

// TestPruneBlobsKeepsTheRetention: runs older than blob_retention go, the
// calling workflow's stay, and no retention deletes nothing.
func TestPruneBlobsKeepsTheRetention(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retention time.Duration
		want      int
	}{{"14 days", 14 * 24 * time.Hour, 1}, {"forever", 0, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			a := mergeActivities(t, inventory.MergeOptions{})
			a.BlobRetention = tc.retention
			ctx := context.Background()
			for _, ref := range []string{"runs/old/r1/plan.json", "runs/self/r0/plan.json"} {
				_, err := a.Blob.PutJSON(ctx, ref, "x")
				require.NoError(t, err)
			}
			var env testsuite.WorkflowTestSuite
			ae := env.NewTestActivityEnvironment()
			ae.RegisterActivity(a)
			val, err := ae.ExecuteActivity(a.PruneBlobs, PruneInput{Workflow: "self", Now: time.Now().Add(30 * 24 * time.Hour)})
			require.NoError(t, err)
			var res blob.Pruned
			require.NoError(t, val.Get(&res))
			assert.Equal(t, tc.want, res.Runs)
			ok, err := a.Blob.Exists(ctx, "runs/self/r0/plan.json")
			require.NoError(t, err)
			assert.True(t, ok, "the calling workflow's blobs stay")
			ok, err = a.Blob.Exists(ctx, "runs/old/r1/plan.json")
			require.NoError(t, err)
			assert.Equal(t, tc.want == 0, ok)
		})
	}
}
