package activities

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netbox-agent/netbox-agent/metrics"
)

func TestSourceRunsMarkGuardBlocks(t *testing.T) {
	got := sourceRuns([]SourceResult{
		{Name: "pve", Status: SourceOK}, {Name: "pve2", Status: SourceOK}, {Name: "nas", Status: SourceFailed},
	}, []string{"pve2: reports 10 objects, NetBox holds 100 live ones from it (90% fewer, limit 25%): orphaning blocked"})
	assert.Equal(t, []metrics.SourceRun{
		{Name: "pve", OK: true}, {Name: "pve2", OK: true, GuardBlocked: true}, {Name: "nas"},
	}, got)
}
