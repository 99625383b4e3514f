package homeassistant

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

func TestProgressReportsSteps(t *testing.T) {
	srv, _ := hatest.NewServer(t)
	src, _ := newSource(t, "house", srv.URL, "")
	p := &sourcetest.Progress{}
	_, err := src.Discover(context.Background(), p)
	require.NoError(t, err)

	var steps []string
	for _, raw := range p.Reports() {
		assert.Less(t, len(raw), 256, "heartbeats stay small: %s", raw)
		var pr Progress
		require.NoError(t, json.Unmarshal(raw, &pr))
		steps = append(steps, pr.Step)
	}
	assert.Equal(t, []string{StepConnect, StepAreas, StepDevices, StepIntegrations, StepDone}, steps)
	assert.JSONEq(t, `{"step":"done","areas":5,"devices":15,"reported":11}`, string(p.Last()))
}

func TestNoAreaCommandWithoutLocations(t *testing.T) {
	srv, fake := hatest.NewServer(t)
	src, _ := newSource(t, "house", srv.URL, "location_from_area: false")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	assert.Zero(t, fake.Hits(cmdAreas))
	assert.Equal(t, 1, fake.Hits(cmdDevices))
	assert.Equal(t, 1, fake.Hits(cmdConfigEntries))
	assert.Empty(t, sourcetest.RecordsOf(snap, inventory.KindLocation, ""))
}

func TestOddEntriesAreWarnings(t *testing.T) {
	srv, fake := hatest.NewServer(t)
	fake.SetFault(cmdDevices, hatest.Fault{Result: json.RawMessage(`[
		{"id":"aa01","name":"Plug","manufacturer":"Shelly","model":"Plug S","connections":[["mac","c4:5b:be:01:02:03"]]},
		{"id":"aa02","name":"Broken","serial_number":7},
		{"name":"No id"},
		{"id":"aa04","name":"Odd tuples","identifiers":[["mysensors","gateway","1"],["lonely"],[1,2]],"connections":[["mac"],["mac","c4:5b:be:01:02:04"]]},
		42
	]`)})
	fake.SetFault(cmdAreas, hatest.Fault{Result: json.RawMessage(`[{"area_id":"kitchen","name":"Kitchen"},{"area_id":"","name":"Nowhere"}]`)})
	fake.SetFault(cmdConfigEntries, hatest.Fault{Result: json.RawMessage(`[{"entry_id":"E1","domain":"shelly"},{"entry_id":"E2"}]`)})
	src, _ := newSource(t, "house", srv.URL, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err, "entries that cannot be read cost only themselves")
	checkStructure(t, "house", snap)
	assert.NotNil(t, sourcetest.Find(snap, devKey("aa01")))
	assert.NotNil(t, sourcetest.Find(snap, devKey("aa04")), "odd identifiers and connections cost only themselves")
	assert.NotNil(t, sourcetest.Find(snap, devKey("aa04")+"/iface/mac"), "the good connection is read")
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindDevice, ""), 2)
	warnings := strings.Join(snap.Warnings, "\n")
	// the entry whose id was read is kept in NetBox; the others could be any
	// device, so every device of the instance is
	require.Len(t, snap.Gaps, 3, "gaps: %+v", snap.Gaps)
	var byID, whole int
	for _, g := range snap.Gaps {
		switch g.Under {
		case devKey("aa02"):
			byID++
			assert.True(t, g.Covers(inventory.KindDevice, devKey("aa02")))
			assert.True(t, g.Covers(inventory.KindInterface, devKey("aa02")+"/iface/x"))
		case "":
			whole++
			assert.True(t, g.Covers(inventory.KindDevice, devKey("aa01")))
		}
	}
	assert.Equal(t, 1, byID)
	assert.Equal(t, 2, whole)
	for _, w := range []string{
		"device registry entry 1: json: cannot unmarshal number",
		"device registry entry 2: no id; skipped",
		"device registry entry 4: json: cannot unmarshal number",
		"device Odd tuples: identifier 1 is not a list of at least two strings; skipped",
		"device Odd tuples: identifier 2 is not a list of at least two strings; skipped",
		"device Odd tuples: connection 0 is not a list of at least two strings; skipped",
		"area registry entry 1: no area_id or name",
		"config entry 1: no entry_id or domain; skipped",
	} {
		assert.Contains(t, warnings, w)
	}
}

// largeRegistry is a device registry of n devices, about 700 bytes each as
// Home Assistant serialises them.
func largeRegistry(n int) json.RawMessage {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"area_id":"living_room","configuration_url":"http://10.1.%d.%d","config_entries":["01JQ7ZB2D4F6H8J0K2M4N6P8R0"],`+
			`"config_entries_subentries":{"01JQ7ZB2D4F6H8J0K2M4N6P8R0":[null]},"connections":[["mac","02:00:00:%02x:%02x:%02x"]],`+
			`"created_at":1735689700.0,"disabled_by":null,"entry_type":null,"hw_version":"gen2","id":"%032x",`+
			`"identifiers":[["shelly","0200%08X"]],"labels":[],"manufacturer":"Shelly","model":"Shelly Plus 1PM","model_id":"SNSW-001P16EU",`+
			`"modified_at":1735689800.0,"name_by_user":null,"name":"shellyplus1pm-%06x","primary_config_entry":"01JQ7ZB2D4F6H8J0K2M4N6P8R0",`+
			`"serial_number":null,"sw_version":"1.4.4","via_device_id":null}`,
			i/250, i%250+1, i>>16&0xff, i>>8&0xff, i&0xff, i+1, i, i)
	}
	b.WriteString("]")
	return json.RawMessage(b.String())
}

func TestLargeRegistry(t *testing.T) {
	const n = 5000
	srv, fake := hatest.NewServer(t)
	body := largeRegistry(n)
	require.Greater(t, len(body), 1<<20, "larger than one megabyte, far beyond a WebSocket library's default limit")
	fake.SetFault(cmdDevices, hatest.Fault{Result: body})
	src, _ := newSource(t, "house", srv.URL, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	checkStructure(t, "house", snap)
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindDevice, ""), n)
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindMACAddress, ""), n)
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindIPAddress, ""), n)
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindDeviceType, ""), 1)
}
