package homeassistant

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/homeassistant/hatest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

func TestUnits(t *testing.T) {
	mac := func(v string) []tuple { return []tuple{{"mac", v}} }
	cases := []struct {
		name     string
		devices  []device
		splits   map[string]composite
		want     map[string][]string // key id -> aliases
		wantMain map[string]string   // key id -> name reported
	}{
		{"devices of before 2026.8 stay apart",
			[]device{{ID: "a", Name: ptr("Router"), Connections: mac("3c:a6:2f:11:22:33")}, {ID: "b", Name: ptr("NAS"), Connections: mac("00:11:32:aa:bb:cc")}},
			nil, map[string][]string{"a": nil, "b": nil}, nil},
		{"a split keeps its composite id, the primary split reported",
			[]device{{ID: "s2", Name: ptr("UPnP name"), CreatedAt: 1}, {ID: "s1", Name: ptr("FRITZ!Box"), CreatedAt: 2}},
			map[string]composite{"old": {SplitIDs: []string{"s1", "s2"}, PrimaryID: ptr("s1")}},
			map[string][]string{"old": {"s1", "s2"}}, map[string]string{"old": "FRITZ!Box"}},
		{"a split without primary reports its oldest device",
			[]device{{ID: "s1", Name: ptr("Newer"), CreatedAt: 9}, {ID: "s2", Name: ptr("Older"), CreatedAt: 1}},
			map[string]composite{"old": {SplitIDs: []string{"s1", "s2"}}},
			map[string][]string{"old": {"s1", "s2"}}, map[string]string{"old": "Older"}},
		{"a split of which one device is reported",
			[]device{{ID: "s1", Name: ptr("Lamp")}},
			map[string]composite{"old": {SplitIDs: []string{"s1", "gone"}, PrimaryID: ptr("gone")}},
			map[string][]string{"old": {"s1"}}, map[string]string{"old": "Lamp"}},
		{"siblings sharing a MAC are one device under the oldest id",
			[]device{{ID: "new", Name: ptr("Tracker"), CreatedAt: 20, Connections: mac("3C-A6-2F-11-22-33")},
				{ID: "zzz", Name: ptr("Router"), CreatedAt: 10, Connections: mac("3c:a6:2f:11:22:33")}},
			nil, map[string][]string{"zzz": {"new"}}, map[string]string{"zzz": "Router"}},
		{"identifiers compare every element",
			[]device{{ID: "a", Identifiers: []tuple{{"mysensors", "gw", "1"}}}, {ID: "b", Identifiers: []tuple{{"mysensors", "gw", "2"}}},
				{ID: "c", CreatedAt: 5, Identifiers: []tuple{{"mysensors", "gw", "1"}}}},
			nil, map[string][]string{"a": {"c"}, "b": nil}, nil},
		{"an empty tuple joins nothing",
			[]device{{ID: "a", Identifiers: []tuple{{}}}, {ID: "b", Identifiers: []tuple{{}}}},
			nil, map[string][]string{"a": nil, "b": nil}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			us, orphans := units(tc.devices, nil, tc.splits)
			assert.Empty(t, orphans)
			got := map[string][]string{}
			for _, u := range us {
				got[u.dev.ID] = u.aliases
				if want, ok := tc.wantMain[u.dev.ID]; ok {
					assert.Equal(t, want, str(u.dev.Name))
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUnitCombinesSiblings(t *testing.T) {
	main := device{ID: "m", Name: ptr("Router"), CreatedAt: 1, ConfigEntryID: ptr("E_FRITZ"),
		Connections: []tuple{{"mac", "3c:a6:2f:11:22:33"}}}
	sib := device{ID: "s", Name: ptr("UPnP"), CreatedAt: 2, ConfigEntryID: ptr("E_UPNP"), SerialNumber: ptr("S123"),
		AreaID: ptr("office"), Manufacturer: ptr("AVM"),
		Connections: []tuple{{"mac", "3c:a6:2f:11:22:33"}, {"mac", "3c:a6:2f:11:22:34"}}}
	us, _ := units([]device{sib, main}, nil, nil)
	require.Len(t, us, 1)
	d := us[0].dev
	assert.Equal(t, "m", d.ID)
	assert.Equal(t, "Router", str(d.Name), "the main device's values win")
	assert.Equal(t, "S123", str(d.SerialNumber), "what main lacks comes from its sibling")
	assert.Equal(t, "office", str(d.AreaID))
	assert.Contains(t, d.ConfigEntries, "E_UPNP")

	reg := &registry{Devices: []device{main, sib}, Domains: map[string]string{"E_FRITZ": "fritz", "E_UPNP": "upnp"}}
	snap := mapOnly(t, nil, reg)
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindDevice, ""), 1)
	dev := sourcetest.Find(snap, devKey("m"))
	require.NotNil(t, dev)
	assert.Equal(t, []string{devKey("s")}, dev.Aliases)
	assert.Len(t, sourcetest.RecordsOf(snap, inventory.KindMACAddress, ""), 2, "the MACs of both, each once")
}

func TestChildDevices(t *testing.T) {
	reg := &registry{Devices: []device{
		{ID: "relay", Name: ptr("Relay"), Manufacturer: ptr("Shelly"), Model: ptr("Plus 2PM")},
		{ID: "ch1", ParentDeviceID: ptr("relay"), Name: ptr("Channel 1")},
		{ID: "ch2", ParentDeviceID: ptr("relay"), Name: ptr("Channel 2"), NameByUser: ptr("Kettle")},
		{ID: "off", ParentDeviceID: ptr("relay"), Name: ptr("Channel 3"), DisabledBy: ptr("user")},
		{ID: "lost", ParentDeviceID: ptr("gone"), Name: ptr("Left channel")},
	}}
	snap := mapOnly(t, nil, reg)
	devs := sourcetest.RecordsOf(snap, inventory.KindDevice, "")
	require.Len(t, devs, 1, "a child device is no hardware of its own")
	assert.Equal(t, "Home Assistant child devices: Channel 1, Kettle", devs[0].String("comments"))
	assert.Contains(t, strings.Join(snap.Warnings, "\n"), "child device Left channel: its parent gone is not reported")

	snap = mapOnly(t, func(s *Settings) { s.IncludeDisabled = true }, reg)
	assert.Equal(t, "Home Assistant child devices: Channel 1, Channel 3, Kettle",
		sourcetest.Find(snap, devKey("relay")).String("comments"))
}

func TestFloors(t *testing.T) {
	areas := map[string]area{"kitchen": {AreaID: "kitchen", Name: "Kitchen", FloorID: ptr("ground")},
		"attic": {AreaID: "attic", Name: "Attic", FloorID: ptr("attic")},
		"shed":  {AreaID: "shed", Name: "Shed", FloorID: ptr("nowhere")},
		"yard":  {AreaID: "yard", Name: "Yard"}}
	floors := map[string]floor{"ground": {FloorID: "ground", Name: "Ground floor"}, "attic": {FloorID: "attic", Name: "Attic"}}
	var devs []device
	for _, id := range []string{"kitchen", "attic", "shed", "yard"} {
		devs = append(devs, device{ID: "d-" + id, Name: ptr("Sensor " + id), AreaID: ptr(id)})
	}
	snap := mapOnly(t, nil, &registry{Areas: areas, Floors: floors, Devices: devs})
	loc := func(name string) *inventory.Record {
		r := sourcetest.Find(snap, inventory.SharedKey(inventory.KindLocation, name))
		require.NotNil(t, r, name)
		return r
	}
	assert.Equal(t, loc("Ground floor").Key, loc("Kitchen").Refs["parent"])
	assert.Empty(t, loc("Ground floor").Refs["parent"])
	assert.Empty(t, loc("Attic").Refs["parent"], "a floor named like its area is that location, not its parent")
	assert.Empty(t, loc("Shed").Refs["parent"])
	assert.Empty(t, loc("Yard").Refs["parent"])
	assert.Contains(t, strings.Join(snap.Warnings, "\n"), "area Shed: floor nowhere is not in the floor registry")
}

func TestFloorsAndSplitsByRelease(t *testing.T) {
	cases := []struct {
		name     string
		cmd      string
		fault    hatest.Fault
		warning  string
		gap      bool
		floors   bool
		errIs    error
		errMatch string
	}{
		{name: "a release without floors", cmd: cmdFloors, fault: hatest.Fault{Code: codeUnknownCommand, Message: "Unknown command."}},
		{name: "floors refused", cmd: cmdFloors, fault: hatest.Fault{Code: "home_assistant_error", Message: "boom"},
			warning: "list floors: home assistant refused config/floor_registry/list: home_assistant_error: boom; areas are reported as locations of no floor"},
		{name: "floors not a list", cmd: cmdFloors, fault: hatest.Fault{Result: json.RawMessage(`{"x":1}`)},
			errIs: source.ErrMalformed, errMatch: "list floors"},
		{name: "a release without splits", cmd: cmdSplits, fault: hatest.Fault{Code: codeUnknownCommand, Message: "Unknown command."}, floors: true},
		{name: "splits refused", cmd: cmdSplits, fault: hatest.Fault{Code: "unauthorized", Message: "Unauthorized"}, floors: true,
			warning: "list split devices: home assistant refused config/device_registry/list_composite_splits: unauthorized", gap: true},
		{name: "splits not a map", cmd: cmdSplits, fault: hatest.Fault{Result: json.RawMessage(`[1]`)},
			errIs: source.ErrMalformed, errMatch: "list split devices"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, fake := hatest.NewServer(t)
			fake.SetFixture(hatest.Home2026_9)
			fake.SetFault(tc.cmd, tc.fault)
			src, _ := newSource(t, "house", srv.URL, "")
			snap, err := src.Discover(context.Background(), nil)
			if tc.errIs != nil {
				sourcetest.RequireError(t, err, tc.errIs, tc.errMatch)
				return
			}
			require.NoError(t, err)
			checkStructure(t, "house", snap)
			warnings := strings.Join(snap.Warnings, "\n")
			if tc.warning != "" {
				assert.Contains(t, warnings, tc.warning)
			} else {
				assert.NotContains(t, warnings, "refused")
			}
			kitchen := sourcetest.Find(snap, inventory.SharedKey(inventory.KindLocation, "Kitchen"))
			require.NotNil(t, kitchen)
			assert.Equal(t, tc.floors, kitchen.Refs["parent"] != "", "kitchen on the ground floor: %v", kitchen.Refs)
			if tc.gap {
				require.Len(t, snap.Gaps, 1)
				assert.True(t, snap.Gaps[0].Covers(inventory.KindDevice, devKey("8d9e0f1a2b3c4d5e7f6a8b9c0d1e2f3a")),
					"no device is removed while the splits are unknown")
			} else {
				assert.Empty(t, snap.Gaps)
			}
		})
	}
}

// A split device whose entry does not decode leaves a gap over the
// composite's key too: NetBox holds the hardware under it.
func TestUnreadSplitKeepsComposite(t *testing.T) {
	srv, fake := hatest.NewServer(t)
	fake.SetFixture(hatest.Home2026_9)
	fake.SetFault(cmdDevices, hatest.Fault{Result: json.RawMessage(`[
		{"id":"a41f5c2e9b7d4e10b3c8d6f2a1e09c57","name":7},
		{"id":"c4d5e6f708194a2bb3c4d5e6f7081920","name":"Plug"}
	]`)})
	src, _ := newSource(t, "house", srv.URL, "")
	snap, err := src.Discover(context.Background(), nil)
	require.NoError(t, err)
	checkStructure(t, "house", snap)
	composite := devKey("8d9e0f1a2b3c4d5e7f6a8b9c0d1e2f3a")
	assert.Nil(t, sourcetest.Find(snap, composite))
	covered := false
	for _, g := range snap.Gaps {
		covered = covered || g.Covers(inventory.KindDevice, composite)
		assert.False(t, g.Covers(inventory.KindDevice, devKey("c4d5e6f708194a2bb3c4d5e6f7081920")), "the plug was read")
	}
	assert.True(t, covered, "gaps: %+v", snap.Gaps)
}
