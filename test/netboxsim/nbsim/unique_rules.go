package nbsim

import "fmt"

// The uniqueness constraints that changed between releases.

// platformUnique is Platform.Meta.constraints from NetBox 4.4 (dcim/models/devices.py): name
// and slug unique per manufacturer, and among platforms without one. From 4.7 a null
// manufacturer counts as one value (nulls_distinct=False) and both rules name the field.
func platformUnique(nullsNotDistinct bool) []uniqueRule {
	if nullsNotDistinct {
		return []uniqueRule{
			{Fields: []string{"manufacturer", "name"}, NullsEqual: true, Key: "__all__", Message: "Platform name must be unique."},
			{Fields: []string{"manufacturer", "slug"}, NullsEqual: true, Key: "__all__", Message: "Platform slug must be unique."},
		}
	}
	return []uniqueRule{
		togetherUnique("platform", "manufacturer", "name")("manufacturer", "name"),
		{Fields: []string{"name"}, IfNull: []string{"manufacturer"}, Key: "__all__", Message: "Platform name must be unique."},
		togetherUnique("platform", "manufacturer", "slug")("manufacturer", "slug"),
		{Fields: []string{"slug"}, IfNull: []string{"manufacturer"}, Key: "__all__", Message: "Platform slug must be unique."},
	}
}

// deviceNameUnique is the name constraint of Device.Meta.constraints (dcim/models/devices.py):
// up to 4.6 one per site and tenant, without a message of its own, and one per site among
// devices without a tenant; from 4.7 one per site and tenant where no tenant is a value too.
func deviceNameUnique(r release) []uniqueRule {
	if r.namesUniqueWithTenant() {
		return []uniqueRule{{Fields: []string{"name", "site", "tenant"}, Lower: "name", NullsEqual: true, IfSet: "name",
			Key: "__all__", Message: "Device name must be unique per site and tenant."}}
	}
	return []uniqueRule{
		{Fields: []string{"name", "site", "tenant"}, Lower: "name", Key: "__all__", Message: "Constraint “dcim_device_unique_name_site_tenant” is violated."},
		{Fields: []string{"name", "site"}, Lower: "name", IfNull: []string{"tenant"}, Key: "__all__", Message: "Device name must be unique per site."},
	}
}

// vmNameUnique is VirtualMachine.Meta.constraints (virtualization/models/virtualmachines.py):
// the name is unique per cluster and tenant; 4.6 named that rule and added the same per host
// device for VMs outside a cluster; 4.7 folded each pair into one with nulls_distinct=False.
func vmNameUnique(r release) []uniqueRule {
	const perCluster, perDevice = "Virtual machine name must be unique per cluster", "Virtual machine name must be unique per device"
	switch {
	case r.namesUniqueWithTenant():
		return []uniqueRule{
			{Fields: []string{"name", "cluster", "tenant"}, Lower: "name", NullsEqual: true, IfSet: "cluster",
				Key: "__all__", Message: perCluster + " and tenant."},
			{Fields: []string{"name", "device", "tenant"}, Lower: "name", NullsEqual: true, IfNull: []string{"cluster"}, IfSet: "device",
				Key: "__all__", Message: perDevice + " and tenant."},
		}
	case r.standaloneVMHosts():
		return []uniqueRule{
			{Fields: []string{"name", "cluster", "tenant"}, Lower: "name", Key: "__all__", Message: perCluster + " and tenant."},
			{Fields: []string{"name", "cluster"}, Lower: "name", IfNull: []string{"tenant"}, Key: "__all__", Message: perCluster + "."},
			{Fields: []string{"name", "device", "tenant"}, Lower: "name", IfNull: []string{"cluster"}, Key: "__all__", Message: perDevice + " and tenant."},
			{Fields: []string{"name", "device"}, Lower: "name", IfNull: []string{"cluster", "tenant"}, Key: "__all__", Message: perDevice + "."},
		}
	}
	return []uniqueRule{
		{Fields: []string{"name", "cluster", "tenant"}, Lower: "name", Key: "__all__",
			Message: "Constraint “virtualization_virtualmachine_unique_name_cluster_tenant” is violated."},
		{Fields: []string{"name", "cluster"}, Lower: "name", IfNull: []string{"tenant"}, Key: "__all__", Message: perCluster + "."},
	}
}

// interfaceUnique is Interface.Meta.constraints: the name is unique per device, and from 4.7
// a parent's channel is bound by one subinterface at most.
func interfaceUnique(r release) []uniqueRule {
	rules := []uniqueRule{togetherUnique("interface", "device", "name")("device", "name")}
	if r.channelInterfaces() {
		rules = append(rules, togetherUnique("interface", "parent interface", "channel ID")("parent", "channel_id"))
	}
	return rules
}

// locationUnique is Location.Meta.constraints (dcim/models/sites.py): name and slug unique per
// site and parent, and among a site's top-level locations; 4.7 (locations as ltree trees)
// folds each pair into one rule with nulls_distinct=False and the top-level message.
func locationUnique(r release) []uniqueRule {
	const name, slug = "A location with this name already exists within the specified site.", "A location with this slug already exists within the specified site."
	if r.nestedGroupsNullsNotDistinct() {
		return []uniqueRule{
			{Fields: []string{"site", "parent", "name"}, NullsEqual: true, Key: "__all__", Message: name},
			{Fields: []string{"site", "parent", "slug"}, NullsEqual: true, Key: "__all__", Message: slug},
		}
	}
	return []uniqueRule{
		togetherUnique("location", "site", "parent", "name")("site", "parent", "name"),
		{Fields: []string{"site", "name"}, IfNull: []string{"parent"}, Key: "__all__", Message: name},
		togetherUnique("location", "site", "parent", "slug")("site", "parent", "slug"),
		{Fields: []string{"site", "slug"}, IfNull: []string{"parent"}, Key: "__all__", Message: slug},
	}
}

// deviceRoleUnique is DeviceRole.Meta.constraints (dcim/models/devices.py), likewise: per parent
// and among top-level roles, one rule each from 4.7.
func deviceRoleUnique(r release) []uniqueRule {
	if r.nestedGroupsNullsNotDistinct() {
		return []uniqueRule{
			{Fields: []string{"parent", "name"}, NullsEqual: true, Key: "__all__", Message: "A device role with this name already exists."},
			{Fields: []string{"parent", "slug"}, NullsEqual: true, Key: "__all__", Message: "A device role with this slug already exists."},
		}
	}
	return []uniqueRule{
		togetherUnique("device role", "parent", "name")("parent", "name"),
		{Fields: []string{"name"}, IfNull: []string{"parent"}, Key: "__all__", Message: "A top-level device role with this name already exists."},
		togetherUnique("device role", "parent", "slug")("parent", "slug"),
		{Fields: []string{"slug"}, IfNull: []string{"parent"}, Key: "__all__", Message: "A top-level device role with this slug already exists."},
	}
}

// tenantUnique is Tenant.Meta.constraints (tenancy/models/tenants.py): name and slug unique
// per group, and among tenants without one (a rule without a message of its own); 4.7 folds
// each pair into one with nulls_distinct=False.
func tenantUnique(r release) []uniqueRule {
	perGroup := func(field string) string { return fmt.Sprintf("Tenant %s must be unique per group.", field) }
	if r.nestedGroupsNullsNotDistinct() {
		return []uniqueRule{
			{Fields: []string{"group", "name"}, NullsEqual: true, Key: "__all__", Message: perGroup("name")},
			{Fields: []string{"group", "slug"}, NullsEqual: true, Key: "__all__", Message: perGroup("slug")},
		}
	}
	return []uniqueRule{
		{Fields: []string{"group", "name"}, Key: "__all__", Message: perGroup("name")},
		{Fields: []string{"name"}, IfNull: []string{"group"}, Key: "__all__", Message: "Constraint “tenancy_tenant_unique_name” is violated."},
		{Fields: []string{"group", "slug"}, Key: "__all__", Message: perGroup("slug")},
		{Fields: []string{"slug"}, IfNull: []string{"group"}, Key: "__all__", Message: "Constraint “tenancy_tenant_unique_slug” is violated."},
	}
}
