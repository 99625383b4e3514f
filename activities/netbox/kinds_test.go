package netbox

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// The engine's table is the kinds' declarations in its terms: every field
// the agent writes or matches by, under NetBox's name, and nothing else.
func TestSpecsFollowDeclarations(t *testing.T) {
	require.Len(t, specOrder, len(inventory.Declarations()))
	n := 0
	for _, x := range []map[inventory.Kind]extras{dcimExtras(), ipamExtras(), virtualizationExtras()} {
		for k, e := range x {
			n++
			assert.NotNil(t, k.Decl(), "extras of %s, which is not declared", k)
			assert.NotNil(t, e.checkCreate, "%s", k)
			assert.NotNil(t, e.checkUpdate, "%s", k)
		}
	}
	assert.Equal(t, len(specOrder), n, "one extras entry per kind")
	for i, d := range inventory.Declarations() {
		s := specFor(d.Kind)
		require.NotNil(t, s, "%s", d.Kind)
		assert.Same(t, s, specOrder[i], "%s in write order", d.Kind)
		assert.Equal(t, d.NetBox.Endpoint, s.Endpoint)
		assert.Equal(t, d.NetBox.ObjectType, s.ObjectType)
		assert.Equal(t, d.Shared, s.FetchAll, "%s", d.Kind)
		for j := range d.Fields {
			f := &d.Fields[j]
			sf := s.field(f.NetBoxField())
			if f.Use == inventory.UseInventory || f.Type == inventory.TypeTags {
				assert.Nil(t, sf, "%s.%s is not written", d.Kind, f.Name)
				continue
			}
			require.NotNil(t, sf, "%s.%s", d.Kind, f.Name)
			assert.Equal(t, f.Name, sf.attr(), "%s.%s is read from the record's %s", d.Kind, f.Name, f.Name)
			assert.Equal(t, f.Use == inventory.UseMatch, sf.KeyOnly, "%s.%s", d.Kind, f.Name)
			assert.Equal(t, f.IsRef(), sf.isRef(), "%s.%s", d.Kind, f.Name)
			assert.Equal(t, f.IsRef() && f.Required, sf.Required, "%s.%s", d.Kind, f.Name)
			assert.Equal(t, f.NetBoxTypeField, sf.TypeField, "%s.%s", d.Kind, f.Name)
			assert.Equal(t, f.Use == inventory.UseDerived || f.Name == "primary_ip4" || f.Name == "primary_ip6",
				sf.Derive != nil, "%s.%s", d.Kind, f.Name)
		}
	}
}

func TestNaturalKeysComeFromDeclarations(t *testing.T) {
	v43, v44 := Version{Major: 4, Minor: 3}, Version{Major: 4, Minor: 4}
	for k, want := range map[inventory.Kind][][]string{
		inventory.KindSite:           {{"name"}, {"slug"}},
		inventory.KindLocation:       {{"site", "name"}, {"site", "slug"}},
		inventory.KindDeviceType:     {{"manufacturer", "model"}, {"manufacturer", "slug"}},
		inventory.KindPlatform:       {{"name"}, {"slug"}},
		inventory.KindDevice:         {{"name", "site"}},
		inventory.KindInterface:      {{"device", "name"}},
		inventory.KindMACAddress:     {{"mac_address", "assigned_object_id"}},
		inventory.KindIPAddress:      {{"address", "vrf"}},
		inventory.KindService:        {{"parent_object_id", "name"}},
		inventory.KindCluster:        {{"name"}},
		inventory.KindVirtualMachine: {{"name", "cluster"}},
		inventory.KindVMInterface:    {{"virtual_machine", "name"}},
		inventory.KindVirtualDisk:    {{"virtual_machine", "name"}},
	} {
		assert.Equal(t, want, specFor(k).naturalKeys(v43), "%s", k)
	}
	// From 4.4 a platform is unique per manufacturer.
	assert.Equal(t, [][]string{{"manufacturer", "name"}, {"manufacturer", "slug"}}, specFor(inventory.KindPlatform).naturalKeys(v44))
	assert.Equal(t, [][]string{{"name", "site"}}, specFor(inventory.KindDevice).naturalKeys(v44))
}

func TestMatchingComesFromDeclarations(t *testing.T) {
	for _, s := range specOrder {
		assert.Equal(t, s.Kind == inventory.KindDevice, s.MatchSerial, "%s", s.Kind)
		byMAC := map[inventory.Kind]bool{inventory.KindDevice: true, inventory.KindInterface: true,
			inventory.KindVirtualMachine: true, inventory.KindVMInterface: true}
		assert.Equal(t, byMAC[s.Kind], s.MatchMAC, "%s", s.Kind)
	}
	assert.Equal(t, map[inventory.Kind]macParent{
		inventory.KindDevice:         {inventory.KindInterface, "dcim.interface", "device"},
		inventory.KindVirtualMachine: {inventory.KindVMInterface, "virtualization.vminterface", "virtual_machine"},
	}, macParents)
	late := map[string]bool{}
	for _, s := range specOrder {
		for _, f := range s.Fields {
			if f.Late {
				late[string(s.Kind)+"."+f.Name] = true
			}
		}
	}
	assert.Equal(t, map[string]bool{
		"device.primary_ip4": true, "device.primary_ip6": true,
		"virtual_machine.primary_ip4": true, "virtual_machine.primary_ip6": true,
		"interface.parent": true, "interface.bridge": true, "interface.lag": true, "interface.primary_mac_address": true,
		"vm_interface.parent": true, "vm_interface.bridge": true, "vm_interface.primary_mac_address": true,
		"location.parent": true,
	}, late)
}

// A record that gives every attribute its kind declares has each of them
// in its create body: a field added to a declaration reaches NetBox.
func TestEveryDeclaredAttributeIsWritten(t *testing.T) {
	var recs []inventory.Record
	for _, d := range inventory.Declarations() {
		r := inventory.Record{Kind: d.Kind, Key: "k/" + string(d.Kind), Source: "lab"}
		for i := range d.Fields {
			f := &d.Fields[i]
			switch {
			case f.IsRef() && f.Targets != nil && !f.SameHost && f.Use == inventory.UseOwned:
				r.Ref(f.Name, "k/"+string(f.Targets[0]))
			case !f.IsRef():
				r.Set(f.Name, sample(f))
			}
		}
		recs = append(recs, r)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	p, err := buildPlan(context.Background(), &memFetcher{}, DefaultConfig(), PlanRequest{Records: recs, Now: now}, netboxFacts{})
	require.NoError(t, err)
	created := map[inventory.Kind]Operation{}
	late := map[inventory.Kind]Operation{} // references to kinds written at the same step or later
	for _, b := range p.Batches {
		for _, op := range b.Ops {
			switch {
			case b.Op == OpCreate:
				created[b.Kind] = op
			case b.Phase == PhaseLate:
				late[b.Kind] = op
			}
		}
	}
	for _, d := range inventory.Declarations() {
		op, ok := created[d.Kind]
		require.True(t, ok, "%s is created: %v", d.Kind, p.Findings)
		for i := range d.Fields {
			f := &d.Fields[i]
			if f.Use != inventory.UseOwned || f.SameHost || f.Type == inventory.TypeTags {
				continue
			}
			_, inBody := op.Fields[f.NetBoxField()]
			_, inRefs := op.Refs[f.NetBoxField()]
			_, inLate := late[d.Kind].Refs[f.NetBoxField()]
			inRefs = inRefs || (f.Targets != nil && f.Targets[0].Order() >= d.Kind.Order() && inLate)
			assert.True(t, inBody || inRefs, "%s.%s is written as %s", d.Kind, f.Name, f.NetBoxField())
		}
	}
}

// sample is a value of f's type.
func sample(f *inventory.Field) any {
	switch f.Type {
	case inventory.TypeChoice:
		return f.Choices[0]
	case inventory.TypeInt, inventory.TypeMegabytes:
		return 1024
	case inventory.TypeNumber:
		return 1.5
	case inventory.TypeBool:
		return true
	case inventory.TypeMAC:
		return "02:00:00:00:00:01"
	case inventory.TypeIP:
		return "10.0.0.1/24"
	case inventory.TypeColor:
		return "aabbcc"
	case inventory.TypePorts:
		return []int64{22}
	case inventory.TypeTags:
		return []string{"lab"}
	}
	return "x-" + f.Name
}
