package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source/filesystem"
	"github.com/netbox-agent/netbox-agent/test/bench/gen"
)

// The floor is what NetBox itself needs to store an inventory: the same
// objects a first sync creates, with the same fields, tags and custom
// fields, written straight into an empty NetBox by bulk POSTs of
// floorBatch objects per kind in dependency order, one request at a time,
// with no reads: references take the IDs the POST answers gave. Primary
// IPs and MACs, which point to objects written later, follow as bulk
// PATCHes, as a first sync sets them. A first sync's wall time over the
// floor's is the agent's cost over NetBox's own.

// floorBatch is the default number of objects per bulk request.
const floorBatch = 1000

// floorKind is how the floor writes one kind.
type floorKind struct {
	kind       inventory.Kind
	endpoint   string
	objectType string
	// slugFrom names the attribute a slug is made from; empty for kinds
	// without one.
	slugFrom string
}

// floorKinds are the kinds of the generated inventory in the order a
// first sync writes them.
func floorKinds() []floorKind {
	return []floorKind{
		{inventory.KindSite, "dcim/sites", "dcim.site", "name"},
		{inventory.KindManufacturer, "dcim/manufacturers", "dcim.manufacturer", "name"},
		{inventory.KindDeviceType, "dcim/device-types", "dcim.devicetype", "model"},
		{inventory.KindDeviceRole, "dcim/device-roles", "dcim.devicerole", "name"},
		{inventory.KindPlatform, "dcim/platforms", "dcim.platform", "name"},
		{inventory.KindClusterType, "virtualization/cluster-types", "virtualization.clustertype", "name"},
		{inventory.KindCluster, "virtualization/clusters", "virtualization.cluster", ""},
		{inventory.KindDevice, "dcim/devices", "dcim.device", ""},
		{inventory.KindInterface, "dcim/interfaces", "dcim.interface", ""},
		{inventory.KindVirtualMachine, "virtualization/virtual-machines", "virtualization.virtualmachine", ""},
		{inventory.KindVMInterface, "virtualization/interfaces", "virtualization.vminterface", ""},
		{inventory.KindVirtualDisk, "virtualization/virtual-disks", "virtualization.virtualdisk", ""},
		{inventory.KindMACAddress, "dcim/mac-addresses", "dcim.macaddress", ""},
		{inventory.KindIPAddress, "ipam/ip-addresses", "ipam.ipaddress", ""},
	}
}

// runFloor loads the inventory of gopts into the (empty) NetBox and
// measures it like a sync.
func (b *bench) runFloor(ctx context.Context, gopts gen.Options, repeat int) (measurement, error) {
	m := measurement{Size: gopts.Objects, Case: caseFloor, Repeat: repeat, Expected: gopts.Objects}
	files, _, err := gen.Files(gopts)
	if err != nil {
		return m, fmt.Errorf("generate inventory: %w", err)
	}
	recs, warnings := filesystem.Read("bench", "", files)
	if len(warnings) > 0 {
		return m, fmt.Errorf("read inventory: %s", strings.Join(warnings, "; "))
	}
	for i := range recs {
		inventory.NormalizeRecord(&recs[i])
	}
	before, err := b.snapshot(ctx, nil)
	if err != nil {
		return m, err
	}
	l := newFloorLoader(b.nb.URL(), b.nb.Token())
	l.batch = b.o.floorBatch
	startAt := time.Now()
	loadErr := l.load(ctx, recs)
	m.Wall = time.Since(startAt)
	after, err := b.snapshot(ctx, nil)
	if err != nil {
		return m, errors.Join(loadErr, err)
	}
	m.measured(before, after)
	m.Result = workflowsSummary{Records: len(recs), Created: l.created, Planned: l.created, Batches: l.requests}
	m.Changed = l.created
	if loadErr != nil {
		m.Err = loadErr.Error()
		return m, loadErr
	}
	if err := m.check(); err != nil {
		m.Err = err.Error()
	}
	return m, nil
}

// load writes the schema, every kind in order, then the primary IPs and
// MACs.
func (l *floorLoader) load(ctx context.Context, recs []inventory.Record) error {
	if err := l.schema(ctx); err != nil {
		return err
	}
	byKind := map[inventory.Kind][]*inventory.Record{}
	for i := range recs {
		r := &recs[i]
		byKind[r.Kind] = append(byKind[r.Kind], r)
		l.kinds[r.Key] = r.Kind
	}
	kinds := floorKinds()
	written := 0
	for _, k := range kinds {
		if err := l.create(ctx, k, byKind[k.kind]); err != nil {
			return fmt.Errorf("floor: %s: %w", k.endpoint, err)
		}
		written += len(byKind[k.kind])
	}
	if written != len(recs) {
		return fmt.Errorf("floor: the inventory holds kinds the floor does not write: %d of %d records written", written, len(recs))
	}
	return l.late(ctx, kinds, byKind)
}

// late sets the devices' and VMs' primary IPs and the interfaces' primary
// MACs, by bulk PATCHes.
func (l *floorLoader) late(ctx context.Context, kinds []floorKind, byKind map[inventory.Kind][]*inventory.Record) error {
	patches := map[inventory.Kind][]map[string]any{}
	for _, k := range []inventory.Kind{inventory.KindDevice, inventory.KindVirtualMachine} {
		for _, r := range byKind[k] {
			if key := r.Refs["primary_ip4"]; key != "" {
				patches[k] = append(patches[k], map[string]any{"id": l.ids[r.Key], "primary_ip4": l.ids[key]})
			}
		}
	}
	for _, mac := range byKind[inventory.KindMACAddress] {
		ifc := mac.Refs["interface"]
		if k := l.kinds[ifc]; ifc != "" {
			patches[k] = append(patches[k], map[string]any{"id": l.ids[ifc], "primary_mac_address": l.ids[mac.Key]})
		}
	}
	for _, k := range kinds {
		for chunk := range slices.Chunk(patches[k.kind], l.batch) {
			if _, err := l.send(ctx, "PATCH", k.endpoint, chunk); err != nil {
				return fmt.Errorf("floor: %s primary fields: %w", k.endpoint, err)
			}
		}
	}
	return nil
}

// body is the POST body of a record: its attributes, its slug, its
// references as IDs, and the agent's tag and custom fields.
func (l *floorLoader) body(k floorKind, r *inventory.Record) (map[string]any, error) {
	body := make(map[string]any, len(r.Attrs)+len(r.Refs)+3)
	for name, v := range r.Attrs {
		body[name] = v
	}
	if k.slugFrom != "" {
		body["slug"] = inventory.Slug(r.String(k.slugFrom))
	}
	for name, key := range r.Refs {
		if name == "primary_ip4" {
			continue // written once the IPs exist
		}
		id, ok := l.ids[key]
		if !ok {
			return nil, fmt.Errorf("%s: %s %s is not written yet", r.Key, name, key)
		}
		switch {
		case name == "interface":
			body["assigned_object_type"] = objectTypeOf(l.kinds[key])
			body["assigned_object_id"] = id
		case r.Kind == inventory.KindCluster && name == "site":
			body["scope_type"], body["scope_id"] = "dcim.site", id
		default:
			body[name] = id
		}
	}
	body["tags"] = []map[string]string{{"name": floorTag, "slug": floorTag}}
	body["custom_fields"] = map[string]any{"agent_id": r.Key, "agent_source": r.Source, "agent_last_seen": l.today}
	return body, nil
}

func objectTypeOf(k inventory.Kind) string {
	for _, fk := range floorKinds() {
		if fk.kind == k {
			return fk.objectType
		}
	}
	return ""
}
