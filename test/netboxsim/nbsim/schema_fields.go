package nbsim

// The answer fields each release added to the emulated kinds, where its serializers place them
// (Meta.fields of dcim/, ipam/, extras/, tenancy/ and virtualization/api/serializers_/ at
// v4.4.10, v4.5.10, v4.6.8 and v4.7.3). Fields of kinds the emulator lacks (owner, a VM's type)
// take only null.

// answerFieldChanges lists them.
func answerFieldChanges() []schemaChange {
	owner := []propSpec{{Name: "owner", Type: "ref", Ref: "BriefOwner", Nullable: true}}
	ownerID := []propSpec{{Name: "owner", Type: "integer", Nullable: true}}
	comments := []propSpec{{Name: "comments", Type: "string"}}
	count := func(names ...string) []propSpec {
		out := make([]propSpec, len(names))
		for i, n := range names {
			out[i] = propSpec{Name: n, Type: "integer", ReadOnly: true}
		}
		return out
	}
	var changes []schemaChange
	// 4.5: an owner for every object (users.Owner).
	for _, o := range []struct{ schema, request, after string }{
		{"CustomField", "WritableCustomFieldRequest", "choice_set"},
		{"CustomFieldChoiceSet", "WritableCustomFieldChoiceSetRequest", "choices_count"},
		{"Tenant", "TenantRequest", "description"}, {"Site", "WritableSiteRequest", "longitude"},
		{"Location", "WritableLocationRequest", "prefix_count"}, {"Manufacturer", "ManufacturerRequest", "description"},
		{"DeviceType", "WritableDeviceTypeRequest", "description"}, {"DeviceRole", "WritableDeviceRoleRequest", "virtualmachine_count"},
		{"Platform", "PlatformRequest", "description"}, {"DeviceWithConfigContext", "WritableDeviceWithConfigContextRequest", "description"},
		{"Interface", "WritableInterfaceRequest", "connected_endpoints_reachable"}, {"MACAddress", "MACAddressRequest", "description"},
		{"IPAddress", "WritableIPAddressRequest", "description"}, {"Prefix", "WritablePrefixRequest", "description"},
		{"VRF", "VRFRequest", "description"}, {"Service", "WritableServiceRequest", "description"},
		{"ClusterType", "ClusterTypeRequest", "description"}, {"Cluster", "WritableClusterRequest", "description"},
		{"VirtualMachineWithConfigContext", "WritableVirtualMachineWithConfigContextRequest", "tenant"},
		{"VMInterface", "WritableVMInterfaceRequest", "l2vpn_termination"}, {"VirtualDisk", "VirtualDiskRequest", "size"},
		{"VLANGroup", "VLANGroupRequest", "description"}, {"VLAN", "WritableVLANRequest", "qinq_svlan"},
	} {
		changes = append(changes, schemaChange{since: 5, schemas: []string{o.schema}, after: o.after, props: owner},
			schemaChange{since: 5, schemas: []string{o.request}, after: "description", props: ownerID})
	}
	return append(changes,
		// 4.4: an interface lists the interfaces bridged to it; platforms nest, with a parent.
		schemaChange{since: 4, schemas: []string{"Interface"}, after: "bridge", props: []propSpec{{Name: "bridge_interfaces", Type: "array",
			Items: &propSpec{Type: "ref", Ref: "NestedInterface"}, ReadOnly: true}}},
		schemaChange{since: 4, define: &schemaSpec{Name: "NestedPlatform", Required: []string{"id", "url", "display", "name"},
			Properties: []propSpec{{Name: "id", Type: "integer"}, {Name: "url", Type: "string"}, {Name: "display_url", Type: "string"},
				{Name: "display", Type: "string"}, {Name: "name", Type: "string"}}}},
		schemaChange{since: 4, schemas: []string{"Platform"}, after: "display", props: []propSpec{{Name: "parent", Type: "ref", Ref: "NestedPlatform", Nullable: true}}},
		schemaChange{since: 4, schemas: []string{"Platform"}, after: "description", props: comments},
		schemaChange{since: 4, schemas: []string{"Platform", "BriefPlatform"}, after: "virtualmachine_count", props: []propSpec{{Name: "_depth", Type: "integer", ReadOnly: true}}},
		schemaChange{since: 4, schemas: []string{"PlatformRequest"}, after: "name", props: []propSpec{{Name: "parent", Type: "integer", Nullable: true}}},
		schemaChange{since: 4, schemas: []string{"PlatformRequest"}, after: "description", props: comments},
		schemaChange{since: 4, schemas: []string{"BriefManufacturer"}, remove: []string{"devicetype_count"}},
		// 4.5: comments for manufacturers and cluster types, a manufacturer's module types.
		schemaChange{since: 5, schemas: []string{"Manufacturer", "ClusterType"}, after: "owner", props: comments},
		schemaChange{since: 5, schemas: []string{"ManufacturerRequest", "ClusterTypeRequest"}, after: "description", props: comments},
		schemaChange{since: 5, schemas: []string{"Manufacturer"}, after: "devicetype_count", props: count("moduletype_count")},
		// 4.5: comments for VLAN groups.
		schemaChange{since: 5, schemas: []string{"VLANGroup"}, after: "owner", props: comments},
		schemaChange{since: 5, schemas: []string{"VLANGroupRequest"}, after: "description", props: comments},
		// 4.6: a VLAN group's count of VIDs in its ranges.
		schemaChange{since: 6, schemas: []string{"VLANGroup"}, after: "vid_ranges", props: count("total_vlan_ids")},
		// 4.6: choice colors, JSON schemas for custom fields, VM types.
		schemaChange{since: 6, schemas: []string{"CustomFieldChoiceSet", "WritableCustomFieldChoiceSetRequest"}, after: "extra_choices",
			props: []propSpec{{Name: "choice_colors", Type: "object"}}},
		schemaChange{since: 6, schemas: []string{"CustomField", "WritableCustomFieldRequest"}, after: "validation_regex",
			props: []propSpec{{Name: "validation_schema", Type: "object", Nullable: true}}},
		schemaChange{since: 6, schemas: []string{"VirtualMachineWithConfigContext"}, after: "name",
			props: []propSpec{{Name: "virtual_machine_type", Type: "ref", Ref: "BriefVirtualMachineType", Nullable: true}}},
		schemaChange{since: 6, schemas: []string{"WritableVirtualMachineWithConfigContextRequest"}, after: "name",
			props: []propSpec{{Name: "virtual_machine_type", Type: "integer", Nullable: true}}},
		schemaChange{since: 6, schemas: []string{"VirtualMachineWithConfigContext"}, order: []string{"id", "url", "display_url", "display",
			"name", "virtual_machine_type", "role", "status", "start_on_boot", "site", "cluster", "device", "platform", "primary_ip",
			"primary_ip4", "primary_ip6", "vcpus", "memory", "disk", "description", "serial", "tenant", "owner", "comments", "tags",
			"local_context_data", "config_template", "custom_fields", "created", "last_updated", "interface_count", "virtual_disk_count",
			"config_context"}},
		// 4.7: cooling, end of life, a MAC's primary flag, a custom field's null order and status.
		schemaChange{since: 7, schemas: []string{"DeviceType", "WritableDeviceTypeRequest"}, after: "weight_unit",
			props: []propSpec{{Name: "end_of_life", Type: "string", Format: "date", Nullable: true}}},
		schemaChange{since: 7, schemas: []string{"DeviceType"}, after: "power_outlet_template_count",
			props: count("cooling_intake_template_count", "cooling_outflow_template_count")},
		schemaChange{since: 7, schemas: []string{"DeviceWithConfigContext"}, after: "power_outlet_count",
			props: count("cooling_intake_count", "cooling_outflow_count")},
		schemaChange{since: 7, schemas: []string{"MACAddress"}, after: "assigned_object", props: []propSpec{{Name: "is_primary", Type: "boolean", ReadOnly: true}}},
		schemaChange{since: 7, schemas: []string{"CustomField", "WritableCustomFieldRequest"}, after: "is_cloneable",
			props: []propSpec{{Name: "nulls_first", Type: "boolean"}}},
		schemaChange{since: 7, schemas: []string{"CustomField"}, after: "choice_set", props: []propSpec{
			readOnly(choiceProp("status", false, [][2]string{{"active", "Active"}, {"provisioning", "Provisioning"}, {"deleting", "Deleting"}}))}},
	)
}

func readOnly(p propSpec) propSpec {
	p.ReadOnly = true
	return p
}

// answerFieldKinds gives the kinds the values of the fields answerFieldChanges added: defaults,
// and what is computed from other objects.
func answerFieldKinds(r release, byEndpoint map[string]*kindSpec) {
	if r.atLeast(4) {
		computed(byEndpoint[epInterfaces], "bridge_interfaces", func(v *view, o *object) any {
			return []int64(v.table(epInterfaces).index("bridge", itoa(o.ID)))
		})
		p := byEndpoint[epPlatforms]
		p.Relations["parent"] = cascade
		computed(p, "_depth", treeDepth(epPlatforms))
		p.Clean = treeClean(epPlatforms, "platform", p.Clean)
	}
	if r.atLeast(6) {
		byEndpoint[epChoiceSets].Defaults["choice_colors"] = map[string]any{}
		computed(byEndpoint[epVLANGroups], "total_vlan_ids", func(_ *view, o *object) any { return vlanIDCount(o) })
	}
	if r.atLeast(7) {
		byEndpoint[epCustomFields].Defaults["nulls_first"] = true
		byEndpoint[epCustomFields].Defaults["status"] = "active"
		computed(byEndpoint[epMACs], "is_primary", func(v *view, o *object) any {
			return len(v.table(epInterfaces).index("primary_mac_address", itoa(o.ID))) > 0 ||
				len(v.table(epVMInterfaces).index("primary_mac_address", itoa(o.ID))) > 0
		})
	}
}

// computed adds a computed field to k.
func computed(k *kindSpec, field string, f func(*view, *object) any) {
	if k.Computed == nil {
		k.Computed = map[string]func(*view, *object) any{}
	}
	k.Computed[field] = f
}
