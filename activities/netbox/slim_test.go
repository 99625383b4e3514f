package netbox

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// fullInterface is an interface as NetBox 4.3 renders it in a list.
const fullInterface = `{
  "id": 41, "url": "http://nb/api/dcim/interfaces/41/", "display_url": "http://nb/dcim/interfaces/41/", "display": "eno1",
  "device": {"id": 7, "url": "http://nb/api/dcim/devices/7/", "display": "pve1", "name": "pve1", "description": ""},
  "vdcs": [], "module": null, "name": "eno1", "label": "", "type": {"value": "1000base-t", "label": "1000BASE-T (1GE)"},
  "enabled": true, "parent": null, "bridge": null, "lag": null, "mtu": 9000,
  "mac_address": "AA:BB:CC:00:11:22",
  "primary_mac_address": {"id": 90, "url": "http://nb/api/dcim/mac-addresses/90/", "display": "AA:BB:CC:00:11:22", "mac_address": "AA:BB:CC:00:11:22"},
  "mac_addresses": [{"id": 90, "url": "http://nb/api/dcim/mac-addresses/90/", "display": "AA:BB:CC:00:11:22", "mac_address": "AA:BB:CC:00:11:22"}],
  "speed": null, "duplex": null, "wwn": null, "mgmt_only": false, "description": "uplink", "mode": null,
  "rf_role": null, "rf_channel": null, "poe_mode": null, "poe_type": null, "tx_power": null,
  "untagged_vlan": null, "tagged_vlans": [], "qinq_svlan": null, "vlan_translation_policy": null,
  "mark_connected": false, "cable": null, "cable_end": "", "wireless_link": null, "link_peers": [],
  "link_peers_type": null, "wireless_lans": [], "vrf": null, "l2vpn_termination": null,
  "connected_endpoints": null, "connected_endpoints_type": null, "connected_endpoints_reachable": null,
  "tags": [{"id": 1, "url": "http://nb/api/extras/tags/1/", "display_url": "http://nb/extras/tags/1/", "display": "netbox-agent", "name": "netbox-agent", "slug": "netbox-agent", "color": "2196f3"}],
  "custom_fields": {"agent_id": "proxmox/alpha/node/pve1/iface/eno1", "agent_source": "alpha", "agent_last_seen": "2026-11-27", "agent_orphaned_since": null},
  "created": "2026-11-27T04:00:00Z", "last_updated": "2026-11-27T04:00:01.123456Z",
  "count_ipaddresses": 1, "count_fhrp_groups": 0, "_occupied": false
}`

func TestSlimKeepsWhatTheEngineReads(t *testing.T) {
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(fullInterface), &raw))
	s := specs[inventory.KindInterface]
	slim := s.slim(raw)

	assert.Less(t, len(slim), len(raw)/2, "most of a full object is dropped")
	assert.NotContains(t, slim, "url")
	assert.NotContains(t, slim, "link_peers")

	full, ok := newObject(raw)
	require.True(t, ok)
	trimmed, ok := newObject(slim)
	require.True(t, ok)
	full.Raw, trimmed.Raw = nil, nil
	assert.Equal(t, full, trimmed, "ownership facts survive")

	for _, f := range s.Fields {
		assert.Equal(t, current(&f, raw), current(&f, slim), "field %s compares the same", f.Name)
	}
	for _, keys := range s.NaturalKeys {
		for _, k := range keys {
			f := s.field(k)
			require.NotNil(t, f, k)
			assert.Equal(t, current(f, raw), current(f, slim), "natural key part %s", k)
		}
	}
	assert.Equal(t, float64(7), slim["device"])
	assert.Equal(t, "1000base-t", slim["type"])
}

func TestSlimKeepsAssignedObjectParents(t *testing.T) {
	raw := map[string]any{
		"id": float64(90), "mac_address": "AA:BB:CC:00:11:22", "assigned_object_type": "dcim.interface", "assigned_object_id": float64(41),
		"assigned_object": map[string]any{"id": float64(41), "url": "u", "name": "eno1",
			"device": map[string]any{"id": float64(7), "url": "u", "name": "pve1"}},
	}
	slim := specs[inventory.KindMACAddress].slim(raw)
	id, ok := nestedParentID(slim, "device")
	require.True(t, ok)
	assert.Equal(t, int64(7), id)
	assert.Equal(t, "dcim.interface", slim["assigned_object_type"])
}
