package activities

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// TestApplyKeepsTheFirstProblemsAndStoresTheRest: a batch whose every
// object cannot be written answers with its count whole, the first
// maxWarnings problems in the result, and the whole list in the blob store.
func TestApplyKeepsTheFirstProblemsAndStoresTheRest(t *testing.T) {
	for _, n := range []int{maxWarnings, maxWarnings + 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			srv := httptest.NewServer(nbsim.New(nbsim.Options{Token: simToken}))
			t.Cleanup(srv.Close)
			a := planActivities(t, srv.URL, choiceSource{value: "1000base-t"})
			const planRef = "runs/wf/run-1/plan.json"
			b := netbox.Batch{ID: 3, Kind: inventory.KindSite, Op: netbox.OpUpdate}
			for i := range n {
				b.Ops = append(b.Ops, netbox.Operation{Key: fmt.Sprintf("site/gone-%02d", i), ID: int64(1000 + i),
					Fields: map[string]any{"description": "x"}, Reason: "description changes"})
			}
			_, err := a.Blob.PutJSON(context.Background(), BatchRef(planRef, b.ID), b)
			require.NoError(t, err)

			var env testsuite.WorkflowTestSuite
			ae := env.NewTestActivityEnvironment()
			ae.RegisterActivity(a)
			val, err := ae.ExecuteActivity(a.Apply, ApplyInput{PlanRef: planRef, Batch: b.ID, Run: "wf/run-1"})
			require.NoError(t, err)
			var res netbox.BatchResult
			require.NoError(t, val.Get(&res))
			require.Equal(t, n, res.Tally.Problems, "every object of the batch is a problem")
			require.Len(t, res.Problems, min(n, maxWarnings))
			if n <= maxWarnings {
				assert.Empty(t, res.ProblemsRef, "a list the result carries whole is not stored")
				return
			}
			require.Equal(t, ProblemsRef(planRef, b.ID), res.ProblemsRef)
			var all []netbox.Problem
			require.NoError(t, a.Blob.GetJSON(context.Background(), res.ProblemsRef, &all))
			require.Len(t, all, n)
			assert.Equal(t, res.Problems, all[:maxWarnings], "the result holds the first ones, in order")
			assert.Equal(t, "site/gone-26", all[n-1].Key)
		})
	}
}
