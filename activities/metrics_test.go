package activities

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/netbox"
	"github.com/netbox-agent/netbox-agent/metrics"
)

func TestSourceRunsMarkGuardBlocks(t *testing.T) {
	got := sourceRuns([]SourceResult{
		{Name: "pve", Status: SourceOK}, {Name: "pve2", Status: SourceOK}, {Name: "nas", Status: SourceFailed},
	}, []netbox.GuardEntry{
		{Source: "pve2", Kind: inventory.KindIPAddress, Baseline: 100, Present: 10, Lost: 90, Blocked: true},
		{Source: "pve2", Kind: inventory.KindDevice, Baseline: 10, Present: 4, Lost: 6, Blocked: true},
		// a kind let through is no block
		{Source: "pve", Kind: inventory.KindIPAddress, Baseline: 100, Present: 10, Lost: 90, Allowed: true},
		// nor is a source named "pve2:" by prefix
		{Source: "pve2:x", Kind: inventory.KindDevice, Blocked: true},
	})
	assert.Equal(t, []metrics.SourceRun{
		{Name: "pve", OK: true},
		{Name: "pve2", OK: true, GuardBlocked: true, BlockedKinds: []string{"ip_address", "device"}},
		{Name: "nas"},
	}, got)
}
