package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities"
	"github.com/netbox-agent/netbox-agent/workflows"
)

// leastPrivilege is the NetBox object permissions docs/security.md lists for the agent's
// token: object types and the actions on them.
var leastPrivilege = []struct {
	types   []string
	actions []string
}{
	{[]string{"dcim.site", "dcim.location", "dcim.manufacturer", "dcim.devicetype", "dcim.devicerole", "dcim.platform",
		"dcim.device", "dcim.interface", "dcim.macaddress", "ipam.ipaddress", "ipam.service", "ipam.vlangroup", "ipam.vlan",
		"virtualization.clustertype", "virtualization.cluster", "virtualization.virtualmachine", "virtualization.vminterface",
		"virtualization.virtualdisk"}, []string{"view", "add", "change", "delete"}},
	{[]string{"ipam.vrf", "ipam.prefix", "tenancy.tenant", "dcim.frontport"}, []string{"view"}},
	{[]string{"extras.tag", "extras.customfield", "extras.customfieldchoiceset"}, []string{"view", "add", "change"}},
	{[]string{"core.objectchange"}, []string{"view"}},
}

// post creates an object directly in NetBox with the admin token and returns its answer.
func (n *netbox) post(t *testing.T, endpoint string, body any) map[string]any {
	t.Helper()
	status, answer := n.send(t, http.MethodPost, n.endpointURL(endpoint, nil), body)
	require.Equal(t, http.StatusCreated, status, "POST %s: %s", endpoint, answer)
	var out map[string]any
	require.NoError(t, json.Unmarshal(answer, &out))
	return out
}

// TestLeastPrivilegeToken syncs the example inventory with a v2 token of a user who is neither
// superuser nor staff and holds only the object permissions docs/security.md lists: the first
// sync creates everything, a re-sync writes nothing, a decommissioned VM is marked and, past the
// grace period, deleted. Only the real NetBox checks permissions.
func TestLeastPrivilegeToken(t *testing.T) {
	dir := copyInventory(t)
	e := newEnv(t, orphanConfig(dir, "30d"))
	if e.nb.real == nil {
		t.Skip("netboxsim does not check object permissions; make test-netbox runs this against NetBox")
	}
	user := e.nb.post(t, "users/users", map[string]any{"username": fmt.Sprintf("netbox-agent-%d", time.Now().UnixNano()),
		"password": "Ag-" + newToken(t)})
	for i, p := range leastPrivilege {
		e.nb.post(t, "users/permissions", map[string]any{"name": fmt.Sprintf("netbox-agent %d", i),
			"object_types": p.types, "actions": p.actions, "users": []any{user["id"]}})
	}
	tok := e.nb.post(t, "users/tokens", map[string]any{"user": user["id"], "version": 2, "write_enabled": true})
	key, _ := tok["key"].(string)
	secret, _ := tok["token"].(string)
	require.NotEmpty(t, key)
	require.NotEmpty(t, secret)
	e.token = "nbt_" + key + "." + secret
	e.configure(e.configYAML, e.extraEnv...)

	_, first := e.sync(workflows.SyncRequest{})
	require.Equal(t, activities.SourceOK, first.Sources[0].Status, first.Sources[0].Error)
	require.Empty(t, first.FailedBatches)
	require.Zero(t, first.Applied.Problems, "%v", first.Problems)
	require.Positive(t, first.Applied.Created)
	requireExampleInventory(t, e.nb, "lab-files")

	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	require.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	require.Zero(t, e.writes())

	removeVM(t, dir, "dns1")
	_, marked := e.sync(workflows.SyncRequest{})
	require.Empty(t, marked.FailedBatches)
	require.Positive(t, marked.Applied.Updated, "the VM and its parts are marked")
	e.configure(orphanConfig(dir, "1s"))
	_, deleted := e.sync(workflows.SyncRequest{})
	require.Empty(t, deleted.FailedBatches)
	require.Zero(t, deleted.Applied.Problems, "%v", deleted.Problems)
	require.Positive(t, deleted.Applied.Deleted)
	require.Empty(t, e.nb.list(t, "virtualization/virtual-machines", "name", "dns1"))
}
