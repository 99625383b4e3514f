package nbsim

import (
	"fmt"
	"strings"
)

// DefaultVersion is the NetBox release the emulator reproduces when Options.Version is empty.
const DefaultVersion = "4.7"

// release is one NetBox minor release the emulator reproduces, at its latest patch: the
// differences between releases that the agent can meet are methods of it, each naming the
// NetBox source it follows.
type release struct {
	minor  int    // 3 for 4.3
	full   string // "4.3.7"
	django string
	python string
}

// releases are the reproduced releases, oldest first. Each full version is the release whose
// source the emulator's rules and choices.json were read from.
func releases() []release {
	return []release{
		{minor: 3, full: "4.3.7", django: "5.2.4", python: "3.12.3"},
		{minor: 4, full: "4.4.10", django: "5.2.8", python: "3.12.3"},
		{minor: 5, full: "4.5.10", django: "5.2.9", python: "3.12.3"},
		{minor: 6, full: "4.6.8", django: "5.2.11", python: "3.12.3"},
		{minor: 7, full: "4.7.3", django: "6.0.1", python: "3.13.5"},
	}
}

// Versions lists the NetBox versions Options.Version accepts, oldest first.
func Versions() []string {
	var out []string
	for _, r := range releases() {
		out = append(out, r.name())
	}
	return out
}

// releaseFor finds the release named by v ("4.5", or a full version such as "4.5.10"); empty
// means DefaultVersion.
func releaseFor(v string) (release, error) {
	if v == "" {
		v = DefaultVersion
	}
	for _, r := range releases() {
		if v == r.name() || v == r.full {
			return r, nil
		}
	}
	return release{}, fmt.Errorf("netbox version %q is not emulated (want one of %s)", v, strings.Join(Versions(), ", "))
}

// name is the minor version, "4.3".
func (r release) name() string { return fmt.Sprintf("4.%d", r.minor) }

// apiVersion is the API-Version header NetBox sends: major.minor (netbox/settings.py
// REST_FRAMEWORK_VERSION).
func (r release) apiVersion() string { return r.name() }

// atLeast reports whether the release is 4.minor or newer.
func (r release) atLeast(minor int) bool { return r.minor >= minor }

// perManufacturerPlatforms: from 4.4 a platform's name and slug are unique per manufacturer,
// and globally only among platforms without one (dcim/models/devices.py, Platform.Meta.constraints).
func (r release) perManufacturerPlatforms() bool { return r.atLeast(4) }

// platformNullsNotDistinct: 4.7 folds those four constraints into two with nulls_distinct=False,
// each with its own message (dcim/models/devices.py at v4.7.3).
func (r release) platformNullsNotDistinct() bool { return r.atLeast(7) }

// nestedGroupsNullsNotDistinct: 4.7 keeps nested groups (locations, device roles, platforms) as
// ltree trees, each name and slug rule one constraint with nulls_distinct=False
// (dcim/models/sites.py Location, dcim/models/devices.py DeviceRole at v4.7.3).
func (r release) nestedGroupsNullsNotDistinct() bool { return r.atLeast(7) }

// changelogMessages: from 4.4 every write takes an optional changelog_message, recorded on the
// change (netbox/api/serializers/features.py, ChangeLogMessageSerializer).
func (r release) changelogMessages() bool { return r.atLeast(4) }

// statusHostname: from 4.4 /api/status/ has "hostname" and names "installed_apps" with an
// underscore (netbox/api/views.py, StatusView).
func (r release) statusHostname() bool { return r.atLeast(4) }

// v2Tokens: from 4.5 "Bearer nbt_<key>.<token>" authenticates, and a failed token is named by
// version (netbox/api/authentication.py, TokenAuthentication).
func (r release) v2Tokens() bool { return r.atLeast(5) }

// authenticationCheck: from 4.5 GET /api/authentication-check/ answers the token's user
// (netbox/urls.py, netbox/api/views.py AuthenticationCheckView).
func (r release) authenticationCheck() bool { return r.atLeast(5) }

// rejectsUnknownCustomFields: from 4.5 custom field data naming a field the object type does
// not have is a 400 under custom_fields; before, NetBox dropped it silently (4.4.10) or answered
// "Unknown field name" (4.3) (extras/api/customfields.py, CustomFieldsDataField.to_internal_value).
func (r release) rejectsUnknownCustomFields() bool { return r.atLeast(5) }

// dropsStaleCustomFields: from 4.4 CustomFieldsMixin.clean() removes data of custom fields the
// object type does not have instead of answering "Unknown field name" (netbox/models/features.py).
func (r release) dropsStaleCustomFields() bool { return r.atLeast(4) }

// etags: from 4.6 object GETs, creates and updates send a weak ETag made from last_updated, and
// PUT, PATCH and DELETE honour If-Match with a 412 (netbox/api/viewsets/__init__.py, ETagMixin).
func (r release) etags() bool { return r.atLeast(6) }

// cursorPaging: from 4.6 ?start=<id> pages by ID with a null count (netbox/api/pagination.py,
// NetBoxPagination).
func (r release) cursorPaging() bool { return r.atLeast(6) }

// selectLabels: from 4.7 select and multiselect custom field values are rendered as
// {"value", "label"} (extras/api/customfields.py, CustomField.resolve_selection_value).
func (r release) selectLabels() bool { return r.atLeast(7) }

// structuredBulkErrors: from 4.7 bulk creates, updates and deletes answer their failures as
// {"detail", "errors"} and refuse missing or repeated IDs (netbox/api/viewsets/mixins.py).
func (r release) structuredBulkErrors() bool { return r.atLeast(7) }

// macShortcut: from 4.7 an interface's mac_address is writable and sets its primary MAC,
// finding or creating the MAC address object (dcim/api/serializers_/mixins.py,
// MACAddressShortcutMixin).
func (r release) macShortcut() bool { return r.atLeast(7) }

// primaryMACElsewhere: from 4.4 (4.4.2) an interface's primary MAC may be a MAC address assigned
// to nothing, and one assigned to another interface is named with that interface; creating an
// interface with an unassigned primary MAC assigns it to the interface (dcim/models/
// device_components.py BaseInterface.clean, dcim/signals.py update_mac_address_interface).
func (r release) primaryMACElsewhere() bool { return r.atLeast(4) }

// primaryMACNonField: from 4.7 the primary MAC checks are non-field errors, and an update may no
// longer make an unassigned MAC address the primary one (BaseInterface.clean at v4.7.3).
func (r release) primaryMACNonField() bool { return r.atLeast(7) }

// standaloneVMHosts: from 4.6 a virtual machine may run on a device outside any cluster: it
// must have a site, a cluster or a device (a non-field error), takes its site from the device,
// and its name is unique per device among such VMs (virtualization/models/virtualmachines.py,
// VirtualMachine.clean, save and Meta.constraints).
func (r release) standaloneVMHosts() bool { return r.atLeast(6) }

// namesUniqueWithTenant: from 4.7 device and VM names are unique per site (cluster, device) and
// tenant in one constraint with nulls_distinct=False, named "... per site and tenant." whether
// or not a tenant is set (dcim/models/devices.py, virtualization/models/virtualmachines.py).
func (r release) namesUniqueWithTenant() bool { return r.atLeast(7) }

// channelInterfaces: from 4.7 an interface may be channelized ("channels") and a subinterface
// bound to one of its parent's channels ("channel_id"); the new "channel" type must have one
// (dcim/models/mixins.py InterfaceValidationMixin).
func (r release) channelInterfaces() bool { return r.atLeast(7) }

// vmStartOnBoot: from 4.5 a VM has start_on_boot, "off" unless given
// (virtualization/models/virtualmachines.py).
func (r release) vmStartOnBoot() bool { return r.atLeast(5) }

// portMappings: from 4.7 a service's ports are "protocol/port" mappings, protocol and ports
// being derived from them (ipam/api/serializers_/services.py PortMappingsSerializerMixin).
func (r release) portMappings() bool { return r.atLeast(7) }

// nonFieldKey is the key of errors that concern no one field: DRF's "non_field_errors", and
// from 4.7 Django's "__all__" for every layer (netbox/settings.py, NON_FIELD_ERRORS_KEY).
func (r release) nonFieldKey() string {
	if r.atLeast(7) {
		return "__all__"
	}
	return "non_field_errors"
}

// statusBody is /api/status/ as the release answers it.
func (r release) statusBody() map[string]any {
	apps := map[string]any{"django_filters": "25.1", "django_tables2": "2.7.5", "drf_spectacular": "0.28.0",
		"rest_framework": "3.16.0", "social_django": "5.4.3", "taggit": "6.1.0", "timezone_field": "7.1"}
	body := map[string]any{
		"django-version": r.django, "netbox-version": r.full, "netbox-full-version": r.full,
		"plugins": map[string]any{}, "python-version": r.python, "rq-workers-running": 1,
	}
	if r.statusHostname() {
		body["hostname"] = "netboxsim"
		body["installed_apps"] = apps
	} else {
		body["installed-apps"] = apps
	}
	return body
}

// CheckVersion reports whether v names an emulated release (one of Versions, or its full
// version); empty means DefaultVersion.
func CheckVersion(v string) error {
	_, err := releaseFor(v)
	return err
}
