package nbsim

import (
	"fmt"
	"strings"
)

// Endpoint paths of the emulated kinds.
const (
	epTags          = "extras/tags"
	epCustomFields  = "extras/custom-fields"
	epSites         = "dcim/sites"
	epLocations     = "dcim/locations"
	epManufacturers = "dcim/manufacturers"
	epDeviceTypes   = "dcim/device-types"
	epDeviceRoles   = "dcim/device-roles"
	epPlatforms     = "dcim/platforms"
	epDevices       = "dcim/devices"
	epInterfaces    = "dcim/interfaces"
	epMACs          = "dcim/mac-addresses"
	epIPs           = "ipam/ip-addresses"
	epPrefixes      = "ipam/prefixes"
	epVRFs          = "ipam/vrfs"
	epServices      = "ipam/services"
	epVLANGroups    = "ipam/vlan-groups"
	epVLANs         = "ipam/vlans"
	epClusterTypes  = "virtualization/cluster-types"
	epClusters      = "virtualization/clusters"
	epVMs           = "virtualization/virtual-machines"
	epVMInterfaces  = "virtualization/interfaces"
	epVirtualDisks  = "virtualization/virtual-disks"
	epTenants       = "tenancy/tenants"
)

var interfaceTargets = map[string]string{"dcim.interface": epInterfaces, "virtualization.vminterface": epVMInterfaces}

var scopeTargets = map[string]string{"dcim.site": epSites, "dcim.location": epLocations}

// fieldUnique models Django's unique=True: DRF answers "<model> with this <field> already exists.".
func fieldUnique(verbose, field, label string) uniqueRule {
	return uniqueRule{Fields: []string{field}, Key: field, Message: fmt.Sprintf("%s with this %s already exists.", verbose, label)}
}

// togetherUnique models a UniqueConstraint over fields, answered by Django's unique_error_message.
func togetherUnique(model string, labels ...string) func(fields ...string) uniqueRule {
	return func(fields ...string) uniqueRule {
		caps := make([]string, len(labels))
		for i, l := range labels {
			caps[i] = capfirst(l)
		}
		return uniqueRule{Fields: fields, Key: "__all__",
			Message: fmt.Sprintf("%s with this %s already exists.", capfirst(model), textList(caps))}
	}
}

func capfirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// textList joins like Django's get_text_list: "a, b and c".
func textList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func nameDisplay(_ *view, o *object) string { return o.str("name") }

// orgKind is the shape shared by NetBox's OrganizationalModel kinds: unique name and slug.
func orgKind(endpoint, objectType, model, verbose, schema, request string) *kindSpec {
	return &kindSpec{
		Endpoint: endpoint, ObjectType: objectType, ModelName: model, Verbose: verbose,
		Schema: schema, Request: request, Brief: "Brief" + schema,
		Unique:  []uniqueRule{fieldUnique(verbose, "name", "name"), fieldUnique(verbose, "slug", "slug")},
		Indexed: []string{"name", "slug"}, Search: []string{"name", "slug", "description"},
		Display: nameDisplay,
	}
}

func kindSpecs(r release) []*kindSpec {
	tag := orgKind(epTags, "extras.tag", "Tag", "tag", "Tag", "TagRequest")
	tag.Defaults = map[string]any{"color": "9e9e9e", "weight": int64(1000), "object_types": []any{}}
	tag.Computed = map[string]func(*view, *object) any{"tagged_items": taggedItems}

	customField := &kindSpec{
		Endpoint: epCustomFields, ObjectType: "extras.customfield", ModelName: "CustomField", Verbose: "custom field",
		Schema: "CustomField", Request: "WritableCustomFieldRequest",
		BriefFields: []string{"id", "url", "display", "name", "description"},
		Defaults: map[string]any{"type": "text", "search_weight": int64(1000), "filter_logic": "loose",
			"ui_visible": "always", "ui_editable": "yes", "weight": int64(100), "required": false, "unique": false,
			"is_cloneable": false},
		Unique:  []uniqueRule{fieldUnique("custom field", "name", "name")},
		Indexed: []string{"name"}, Search: []string{"name", "label", "description"},
		Display: func(_ *view, o *object) string {
			if l := o.str("label"); l != "" {
				return l
			}
			return capfirst(strings.ReplaceAll(o.str("name"), "_", " "))
		},
		Relations: map[string]onDelete{"choice_set": protect},
		Clean:     cleanCustomField, After: afterCustomField,
		Computed: map[string]func(*view, *object) any{"data_type": customFieldDataType},
	}

	site := orgKind(epSites, "dcim.site", "Site", "site", "Site", "WritableSiteRequest")
	site.Defaults = map[string]any{"status": "active"}
	site.Relations = map[string]onDelete{"tenant": protect}
	site.Search = append(site.Search, "facility", "physical_address")
	site.Counts = map[string]counter{
		"device_count": {Endpoint: epDevices, Field: "site"}, "virtualmachine_count": {Endpoint: epVMs, Field: "site"},
		"prefix_count": {Endpoint: epPrefixes, Field: "scope", Generic: "dcim.site"},
	}

	location := &kindSpec{
		Endpoint: epLocations, ObjectType: "dcim.location", ModelName: "Location", Verbose: "location",
		Schema: "Location", Request: "WritableLocationRequest", Brief: "BriefLocation",
		Defaults:  map[string]any{"status": "active"},
		Relations: map[string]onDelete{"site": cascade, "parent": cascade, "tenant": protect},
		Unique:    locationUnique(r),
		Indexed:   []string{"name", "slug"}, Search: []string{"name", "slug", "description"},
		Display: nameDisplay, Clean: treeClean(epLocations, "location", cleanLocation),
		Counts:   map[string]counter{"device_count": {Endpoint: epDevices, Field: "location"}, "prefix_count": {Endpoint: epPrefixes, Field: "scope", Generic: "dcim.location"}},
		Computed: map[string]func(*view, *object) any{"_depth": treeDepth(epLocations)},
	}

	manufacturer := orgKind(epManufacturers, "dcim.manufacturer", "Manufacturer", "manufacturer", "Manufacturer", "ManufacturerRequest")
	manufacturer.Counts = map[string]counter{
		"devicetype_count": {Endpoint: epDeviceTypes, Field: "manufacturer"},
		"platform_count":   {Endpoint: epPlatforms, Field: "manufacturer"},
	}

	dtUnique := togetherUnique("device type", "manufacturer", "model")
	dtSlug := togetherUnique("device type", "manufacturer", "slug")
	deviceType := &kindSpec{
		Endpoint: epDeviceTypes, ObjectType: "dcim.devicetype", ModelName: "DeviceType", Verbose: "device type",
		Schema: "DeviceType", Request: "WritableDeviceTypeRequest", Brief: "BriefDeviceType",
		Defaults:  map[string]any{"u_height": 1.0, "is_full_depth": true, "exclude_from_utilization": false},
		Relations: map[string]onDelete{"manufacturer": protect},
		Unique:    []uniqueRule{dtUnique("manufacturer", "model"), dtSlug("manufacturer", "slug")},
		Indexed:   []string{"model", "slug", "part_number"}, Search: []string{"model", "slug", "part_number", "description"},
		Display: func(_ *view, o *object) string { return o.str("model") },
		Counts:  map[string]counter{"device_count": {Endpoint: epDevices, Field: "device_type"}},
	}

	deviceRole := &kindSpec{
		Endpoint: epDeviceRoles, ObjectType: "dcim.devicerole", ModelName: "DeviceRole", Verbose: "device role",
		Schema: "DeviceRole", Request: "WritableDeviceRoleRequest", Brief: "BriefDeviceRole",
		Defaults:  map[string]any{"color": "9e9e9e", "vm_role": true},
		Relations: map[string]onDelete{"parent": cascade, "config_template": protect},
		Unique:    deviceRoleUnique(r),
		Indexed:   []string{"name", "slug"}, Search: []string{"name", "slug", "description"},
		Display: nameDisplay, Clean: treeClean(epDeviceRoles, "device role", nil),
		Counts: map[string]counter{
			"device_count": {Endpoint: epDevices, Field: "role"}, "virtualmachine_count": {Endpoint: epVMs, Field: "role"},
		},
		Computed: map[string]func(*view, *object) any{"_depth": treeDepth(epDeviceRoles)},
	}

	platform := orgKind(epPlatforms, "dcim.platform", "Platform", "platform", "Platform", "PlatformRequest")
	if r.perManufacturerPlatforms() {
		platform.Unique = platformUnique(r.platformNullsNotDistinct())
	}
	platform.Relations = map[string]onDelete{"manufacturer": protect, "config_template": protect}
	platform.Counts = map[string]counter{
		"device_count": {Endpoint: epDevices, Field: "platform"}, "virtualmachine_count": {Endpoint: epVMs, Field: "platform"},
	}

	device := &kindSpec{
		Endpoint: epDevices, ObjectType: "dcim.device", ModelName: "Device", Verbose: "device",
		Schema: "DeviceWithConfigContext", Request: "WritableDeviceWithConfigContextRequest", Brief: "BriefDevice",
		Defaults: map[string]any{"status": "active"},
		Relations: map[string]onDelete{"device_type": protect, "role": protect, "tenant": protect, "site": protect,
			"location": protect, "rack": protect, "config_template": protect},
		Unique:  append(deviceNameUnique(r), fieldUnique("device", "asset_tag", "asset tag")),
		Indexed: []string{"name", "serial", "asset_tag"}, Search: []string{"name", "serial", "asset_tag", "description", "comments"},
		IExact:  []string{"name", "serial"}, // dcim/filtersets.py DeviceFilterSet
		Display: deviceDisplay, Clean: cleanDevice,
		Counts: map[string]counter{"interface_count": {Endpoint: epInterfaces, Field: "device"}},
		Computed: map[string]func(*view, *object) any{
			"primary_ip": primaryIP, "config_context": func(*view, *object) any { return map[string]any{} },
		},
	}

	iface := &kindSpec{
		Endpoint: epInterfaces, ObjectType: "dcim.interface", ModelName: "Interface", Verbose: "interface",
		Schema: "Interface", Request: "WritableInterfaceRequest", Brief: "BriefInterface",
		Defaults:  map[string]any{"enabled": true, "mgmt_only": false, "mark_connected": false},
		Relations: map[string]onDelete{"device": cascade, "parent": protect, "module": cascade, "vlan_translation_policy": protect},
		Unique:    interfaceUnique(r),
		Indexed:   []string{"name"}, Search: []string{"name", "label", "description"},
		Display: componentDisplay, Clean: cleanInterface, After: afterInterface, Validate: validateInterfaceVLANs,
		Counts: map[string]counter{"count_ipaddresses": {Endpoint: epIPs, Field: "assigned_object", Generic: "dcim.interface"}},
		Computed: map[string]func(*view, *object) any{
			"mac_address": interfaceMAC, "mac_addresses": interfaceMACs, "link_peers": emptyList,
			"connected_endpoints_reachable": func(*view, *object) any { return false },
			"_occupied":                     func(*view, *object) any { return false },
		},
	}

	mac := &kindSpec{
		Endpoint: epMACs, ObjectType: "dcim.macaddress", ModelName: "MACAddress", Verbose: "MAC address",
		Schema: "MACAddress", Request: "MACAddressRequest", Brief: "BriefMACAddress",
		Indexed: []string{"mac_address"}, Search: []string{"mac_address", "description"},
		Generic: []genericRelation{{Name: "assigned_object", TypeField: "assigned_object_type", IDField: "assigned_object_id",
			Render: "assigned_object", Targets: interfaceTargets}},
		IndexNormalize: map[string]func(any) string{"mac_address": func(v any) string { return normalizeMAC(fmt.Sprint(v)) }},
		Display:        func(_ *view, o *object) string { return o.str("mac_address") },
		Clean:          cleanMAC,
	}

	ip := &kindSpec{
		Endpoint: epIPs, ObjectType: "ipam.ipaddress", ModelName: "IPAddress", Verbose: "IP address",
		Schema: "IPAddress", Request: "WritableIPAddressRequest", Brief: "BriefIPAddress",
		Defaults:  map[string]any{"status": "active"},
		Relations: map[string]onDelete{"vrf": protect, "tenant": protect},
		Indexed:   []string{"address", "dns_name"}, Search: []string{"address", "dns_name", "description"},
		Generic: []genericRelation{{Name: "assigned_object", TypeField: "assigned_object_type", IDField: "assigned_object_id",
			Render: "assigned_object", Targets: interfaceTargets}},
		IndexNormalize: map[string]func(any) string{"address": func(v any) string { return hostOf(fmt.Sprint(v)) }},
		Display:        func(_ *view, o *object) string { return o.str("address") },
		Clean:          cleanIP,
		Computed: map[string]func(*view, *object) any{
			"family": ipFamily, "nat_outside": natOutside,
		},
	}

	prefix := &kindSpec{
		Endpoint: epPrefixes, ObjectType: "ipam.prefix", ModelName: "Prefix", Verbose: "prefix",
		Schema: "Prefix", Request: "WritablePrefixRequest",
		BriefFields: []string{"id", "url", "display", "family", "prefix", "description", "_depth"},
		Defaults:    map[string]any{"status": "active", "is_pool": false, "mark_utilized": false},
		Relations:   map[string]onDelete{"vrf": protect, "tenant": protect, "vlan": protect},
		Indexed:     []string{"prefix"}, Search: []string{"prefix", "description"},
		Generic: []genericRelation{{Name: "scope", TypeField: "scope_type", IDField: "scope_id", Render: "scope", Targets: scopeTargets}},
		Display: func(_ *view, o *object) string { return o.str("prefix") },
		Clean:   cleanPrefix,
		Computed: map[string]func(*view, *object) any{
			"family": ipFamily, "_depth": func(*view, *object) any { return 0 },
		},
	}

	vrf := &kindSpec{
		Endpoint: epVRFs, ObjectType: "ipam.vrf", ModelName: "VRF", Verbose: "VRF",
		Schema: "VRF", Request: "VRFRequest", Brief: "BriefVRF",
		Defaults:  map[string]any{"enforce_unique": true},
		Relations: map[string]onDelete{"tenant": protect},
		Unique:    []uniqueRule{fieldUnique("VRF", "rd", "route distinguisher")},
		Indexed:   []string{"name", "rd"}, Search: []string{"name", "rd", "description"},
		Display: nameDisplay,
		Counts: map[string]counter{
			"ipaddress_count": {Endpoint: epIPs, Field: "vrf"}, "prefix_count": {Endpoint: epPrefixes, Field: "vrf"},
		},
	}

	service := &kindSpec{
		Endpoint: epServices, ObjectType: "ipam.service", ModelName: "Service", Verbose: "service",
		Schema: "Service", Request: "WritableServiceRequest",
		BriefFields: []string{"id", "url", "display", "name", "protocol", "ports", "description"},
		Indexed:     []string{"name"}, Search: []string{"name", "description"},
		Generic: []genericRelation{{Name: "parent", TypeField: "parent_object_type", IDField: "parent_object_id", Render: "parent",
			Required: true, Targets: map[string]string{"dcim.device": epDevices, "virtualization.virtualmachine": epVMs}}},
		Display: serviceDisplay,
	}
	if r.portMappings() {
		service.BriefFields = []string{"id", "url", "display", "name", "port_mappings", "description"}
		service.Validate = validateServicePorts
	} else {
		service.Clean = cleanService
	}

	clusterType := orgKind(epClusterTypes, "virtualization.clustertype", "ClusterType", "cluster type", "ClusterType", "ClusterTypeRequest")
	clusterType.Counts = map[string]counter{"cluster_count": {Endpoint: epClusters, Field: "type"}}

	cluster := &kindSpec{
		Endpoint: epClusters, ObjectType: "virtualization.cluster", ModelName: "Cluster", Verbose: "cluster",
		Schema: "Cluster", Request: "WritableClusterRequest", Brief: "BriefCluster",
		Defaults:  map[string]any{"status": "active"},
		Relations: map[string]onDelete{"type": protect, "group": protect, "tenant": protect},
		Unique:    []uniqueRule{togetherUnique("cluster", "group", "name")("group", "name")},
		Indexed:   []string{"name"}, Search: []string{"name", "description"},
		Generic: []genericRelation{{Name: "scope", TypeField: "scope_type", IDField: "scope_id", Render: "scope", Targets: scopeTargets}},
		Display: nameDisplay, Clean: cleanCluster, After: afterCluster,
		Counts: map[string]counter{
			"device_count": {Endpoint: epDevices, Field: "cluster"}, "virtualmachine_count": {Endpoint: epVMs, Field: "cluster"},
		},
		Computed: map[string]func(*view, *object) any{
			"allocated_vcpus":  clusterSum("vcpus"),
			"allocated_memory": clusterSum("memory"),
			"allocated_disk":   clusterSum("disk"),
		},
	}

	vm := &kindSpec{
		Endpoint: epVMs, ObjectType: "virtualization.virtualmachine", ModelName: "VirtualMachine", Verbose: "virtual machine",
		Schema: "VirtualMachineWithConfigContext", Request: "WritableVirtualMachineWithConfigContextRequest", Brief: "BriefVirtualMachine",
		Defaults: map[string]any{"status": "active"},
		Relations: map[string]onDelete{"site": protect, "cluster": protect, "device": protect, "tenant": protect,
			"role": protect, "config_template": protect},
		Unique:  vmNameUnique(r),
		Indexed: []string{"name", "serial"}, Search: []string{"name", "serial", "description", "comments"},
		IExact:  []string{"name"}, // virtualization/filtersets.py VirtualMachineFilterSet
		Display: nameDisplay, Clean: cleanVM,
		Counts: map[string]counter{
			"interface_count":    {Endpoint: epVMInterfaces, Field: "virtual_machine"},
			"virtual_disk_count": {Endpoint: epVirtualDisks, Field: "virtual_machine"},
		},
		Computed: map[string]func(*view, *object) any{
			"primary_ip": primaryIP, "config_context": func(*view, *object) any { return map[string]any{} },
		},
	}
	if r.vmStartOnBoot() {
		vm.Defaults["start_on_boot"] = "off"
	}

	vmInterface := &kindSpec{
		Endpoint: epVMInterfaces, ObjectType: "virtualization.vminterface", ModelName: "VMInterface", Verbose: "interface",
		Schema: "VMInterface", Request: "WritableVMInterfaceRequest",
		BriefFields: []string{"id", "url", "display", "virtual_machine", "name", "description"},
		Defaults:    map[string]any{"enabled": true},
		Relations:   map[string]onDelete{"virtual_machine": cascade, "parent": protect, "vlan_translation_policy": protect},
		Unique:      []uniqueRule{togetherUnique("interface", "virtual machine", "name")("virtual_machine", "name")},
		Indexed:     []string{"name"}, Search: []string{"name", "description"},
		Display: componentDisplay, Clean: cleanInterface, After: afterInterface,
		Counts: map[string]counter{"count_ipaddresses": {Endpoint: epIPs, Field: "assigned_object", Generic: "virtualization.vminterface"}},
		Computed: map[string]func(*view, *object) any{
			"mac_address": interfaceMAC, "mac_addresses": interfaceMACs,
		},
	}

	virtualDisk := &kindSpec{
		Endpoint: epVirtualDisks, ObjectType: "virtualization.virtualdisk", ModelName: "VirtualDisk", Verbose: "virtual disk",
		Schema: "VirtualDisk", Request: "VirtualDiskRequest",
		BriefFields: []string{"id", "url", "display", "virtual_machine", "name", "description", "size"},
		Relations:   map[string]onDelete{"virtual_machine": cascade},
		Unique:      []uniqueRule{togetherUnique("virtual disk", "virtual machine", "name")("virtual_machine", "name")},
		Indexed:     []string{"name"}, Search: []string{"name", "description"},
		Display: nameDisplay, After: afterVirtualDisk,
	}

	tenant := orgKind(epTenants, "tenancy.tenant", "Tenant", "tenant", "Tenant", "TenantRequest")
	tenant.Unique = tenantUnique(r)
	tenant.Counts = map[string]counter{
		"device_count": {Endpoint: epDevices, Field: "tenant"}, "ipaddress_count": {Endpoint: epIPs, Field: "tenant"},
		"prefix_count": {Endpoint: epPrefixes, Field: "tenant"}, "site_count": {Endpoint: epSites, Field: "tenant"},
		"virtualmachine_count": {Endpoint: epVMs, Field: "tenant"}, "vrf_count": {Endpoint: epVRFs, Field: "tenant"},
		"cluster_count": {Endpoint: epClusters, Field: "tenant"},
	}

	kinds := []*kindSpec{tag, customField, choiceSetKind(), site, location, manufacturer, deviceType, deviceRole, platform, device,
		iface, mac, ip, prefix, vrf, service, clusterType, cluster, vm, vmInterface, virtualDisk, tenant}
	kinds = append(kinds, vlanKinds()...)
	kinds = append(kinds, journalKind(kinds))
	byEndpoint := map[string]*kindSpec{}
	for _, k := range kinds {
		byEndpoint[k.Endpoint] = k
	}
	answerFieldKinds(r, byEndpoint)
	return kinds
}
