package netbox

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// TestPrimaryIPOfAnotherHostIsNotWritten: two sources that give one
// address to two machines merge into one IP on one of them; the other's
// primary_ip4 names an IP NetBox would refuse for it ("not assigned to
// this VM"). The plan leaves that field out and says why, instead of a
// write NetBox refuses on every run.
func TestPrimaryIPOfAnotherHostIsNotWritten(t *testing.T) {
	sim, c := newSim(t, testConfig())
	recs := clone(labInventory("lab", 1, 2))
	const vm1, otherIP = "fs/lab/vm/vm1-1", "fs/lab/vm/vm1-2/iface/net0/ip"
	for i := range recs {
		if recs[i].Key == vm1 {
			recs[i].Ref("primary_ip4", otherIP)
		}
	}
	req := PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}
	p, res := syncOnce(t, c, req)
	assert.Zero(t, totals(res).Problems, "nothing NetBox refuses")

	var why []string
	for _, f := range p.Findings {
		if f.Key == vm1 {
			why = append(why, f.Reason)
		}
	}
	require.Len(t, why, 1, "%v", p.Findings)
	assert.Equal(t, "field not written: primary_ip4 "+otherIP+" is on virtual machine vm1-2, not on virtual machine vm1-1", why[0])

	vm := find(sim, inventory.KindVirtualMachine, "name", "vm1-1")
	require.NotNil(t, vm)
	assert.Nil(t, vm["primary_ip4"], "the other machine's address is not made this one's")
	other := find(sim, inventory.KindVirtualMachine, "name", "vm1-2")
	require.NotNil(t, other)
	assert.NotNil(t, other["primary_ip4"], "the machine the address is on keeps it as its primary")

	again := planRetry(t, c, req)
	assert.Zero(t, again.Operations(), "the next run has nothing to retry")
	for _, f := range again.Findings {
		if f.Key == vm1 {
			assert.True(t, strings.HasPrefix(f.Reason, "field not written: primary_ip4"), f.Reason)
		}
	}
}
