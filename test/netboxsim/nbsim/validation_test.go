package nbsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// invalidBody is one request NetBox rejects with 400: the fields its body names and, where
// given, their exact messages.
type invalidBody struct {
	name     string
	method   string
	path     string
	body     any
	fields   []string
	messages map[string]any // exact bodies for some fields
}

// invalidBodies lists the bodies NetBox rejects, for the target's version.
func invalidBodies(c *apiClient, w world, otherMAC, unassignedIP int64) []invalidBody {
	u := c.n
	tests := []invalidBody{
		{"site without name and slug", "POST", "dcim/sites", map[string]any{}, []string{"name", "slug"},
			map[string]any{"name": []any{"This field is required."}}},
		{"site slug with space", "POST", "dcim/sites", map[string]any{"name": u("X"), "slug": "a b"}, []string{"slug"},
			map[string]any{"slug": []any{`Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.`}}},
		{"site unknown status", "POST", "dcim/sites", map[string]any{"name": u("X"), "slug": u("x"), "status": "gone"}, []string{"status"},
			map[string]any{"status": []any{"gone is not a valid choice."}}},
		{"site status null", "POST", "dcim/sites", map[string]any{"name": u("X"), "slug": u("x"), "status": nil}, []string{"status"},
			map[string]any{"status": []any{"This field may not be blank."}}},
		{"site status as object", "POST", "dcim/sites", map[string]any{"name": u("X"), "slug": u("x"), "status": map[string]any{"value": "active"}}, []string{"status"},
			map[string]any{"status": []any{`Value must be passed directly (e.g. "foo": 123); do not use a dictionary or list.`}}},
		{"site name taken", "POST", "dcim/sites", map[string]any{"name": u("Site 1"), "slug": u("other")}, []string{"name"},
			map[string]any{"name": []any{"site with this name already exists."}}},
		{"site name too long", "POST", "dcim/sites", map[string]any{"name": strings.Repeat("n", 101), "slug": u("long")}, []string{"name"}, nil},
		{"device without required", "POST", "dcim/devices", map[string]any{"name": u("x")}, []string{"device_type", "role", "site"}, nil},
		{"device missing device type", "POST", "dcim/devices", map[string]any{"device_type": 99999223, "role": w.role, "site": w.site}, []string{"device_type"},
			map[string]any{"device_type": []any{"Related object not found using the provided numeric ID: 99999223"}}},
		{"device type by attributes", "POST", "dcim/devices", map[string]any{"device_type": map[string]any{"slug": "nope"}, "role": w.role, "site": w.site},
			[]string{"device_type"}, map[string]any{"device_type": []any{"Related object not found using the provided attributes: {'slug': 'nope'}"}}},
		{"device name taken in site", "POST", "dcim/devices", map[string]any{"name": strings.ToUpper(u("dev1")), "device_type": w.deviceType, "role": w.role, "site": w.site},
			[]string{"__all__"}, map[string]any{"__all__": []any{since(c, "Device name must be unique per site.", 7, "Device name must be unique per site and tenant.")}}},
		{"device primary IP of another device", "PATCH", fmt.Sprintf("dcim/devices/%d", w.device), map[string]any{"primary_ip4": unassignedIP},
			[]string{"primary_ip4"}, map[string]any{"primary_ip4": []any{fmt.Sprintf("The specified IP address (10.%d.200.5/24) is not assigned to this device.", c.net)}}},
		{"device unknown tag", "POST", "dcim/devices", map[string]any{"device_type": w.deviceType, "role": w.role, "site": w.site, "tags": []any{99999999}},
			[]string{"tags"}, nil},
		{"device custom field of wrong type", "POST", "dcim/devices", map[string]any{"device_type": w.deviceType, "role": w.role, "site": w.site,
			"custom_fields": map[string]any{u("agent_id1"): 5}}, []string{"__all__"},
			map[string]any{"__all__": []any{fmt.Sprintf("Invalid value for custom field '%s': Value must be a string.", u("agent_id1"))}}},
		{"interface without type", "POST", "dcim/interfaces", map[string]any{"device": w.device, "name": "x"}, []string{"type"}, nil},
		{"interface unknown type", "POST", "dcim/interfaces", map[string]any{"device": w.device, "name": "x", "type": "warp"}, []string{"type"},
			map[string]any{"type": []any{"warp is not a valid choice."}}},
		{"interface name taken", "POST", "dcim/interfaces", map[string]any{"device": w.device, "name": "eth0", "type": "virtual"}, []string{"__all__"},
			map[string]any{"__all__": []any{"Interface with this Device and Name already exists."}}},
		primaryMACOfAnother(c, w, otherMAC),
		{"MAC malformed", "POST", "dcim/mac-addresses", map[string]any{"mac_address": "zz:00"}, []string{"mac_address"},
			map[string]any{"mac_address": []any{"Invalid MAC address format: zz:00"}}},
		{"MAC on unknown object type", "POST", "dcim/mac-addresses", map[string]any{"mac_address": "02:00:00:00:09:09",
			"assigned_object_type": "dcim.frontport", "assigned_object_id": 1}, []string{"assigned_object_type"}, nil},
		{"IP malformed", "POST", "ipam/ip-addresses", map[string]any{"address": "300.1.1.1/24"}, []string{"address"}, nil},
		{"IP duplicate in global table", "POST", "ipam/ip-addresses", map[string]any{"address": fmt.Sprintf("10.%d.1.1/25", c.net)}, []string{"address"},
			map[string]any{"address": []any{fmt.Sprintf("Duplicate IP address found in global table: %s", c.ip(1))}}},
		{"IP network ID on interface", "POST", "ipam/ip-addresses", map[string]any{"address": fmt.Sprintf("10.%d.209.0/24", c.net),
			"assigned_object_type": "dcim.interface", "assigned_object_id": w.iface}, []string{"__all__"}, nil},
		vmWithoutPlacement(c),
		{"VM name taken in cluster", "POST", "virtualization/virtual-machines", map[string]any{"name": strings.ToUpper(u("vm1")), "cluster": w.cluster}, []string{"__all__"},
			map[string]any{"__all__": []any{since(c, "Virtual machine name must be unique per cluster.", 7, "Virtual machine name must be unique per cluster and tenant.")}}},
		{"VM disk not the sum of its disks", "PATCH", fmt.Sprintf("virtualization/virtual-machines/%d", w.vm), map[string]any{"disk": 5}, []string{"disk"},
			map[string]any{"disk": []any{"The specified disk size (5) must match the aggregate size of assigned virtual disks (10240)."}}},
		{"cluster without type", "POST", "virtualization/clusters", map[string]any{"name": u("c")}, []string{"type"}, nil},
		{"service without parent", "POST", "ipam/services", map[string]any{"name": "x", "protocol": "tcp", "ports": []int{1}},
			[]string{"parent_object_id", "parent_object_type"}, nil},
		{"service port out of range", "POST", "ipam/services", map[string]any{"parent_object_type": "dcim.device", "parent_object_id": w.device,
			"name": "x", "protocol": "tcp", "ports": []int{70000}}, []string{"ports"}, nil},
		{"custom field name pattern", "POST", "extras/custom-fields", map[string]any{"name": "Bad-Name", "type": "text", "object_types": []string{"dcim.device"}},
			[]string{"name"}, map[string]any{"name": []any{"Only alphanumeric characters and underscores are allowed."}}},
		// extras/api/serializers_/customfields.py declares type without required=False.
		{"custom field without type", "POST", "extras/custom-fields", map[string]any{"name": u("untyped"), "object_types": []string{"dcim.device"}},
			[]string{"type"}, map[string]any{"type": []any{"This field is required."}}},
		{"tag color", "POST", "extras/tags", map[string]any{"name": u("c"), "slug": u("c"), "color": "red"}, []string{"color"},
			map[string]any{"color": []any{"Enter a valid hexadecimal RGB color code."}}},
		{"integer field given text", "POST", "virtualization/virtual-machines", map[string]any{"name": u("v"), "cluster": w.cluster, "memory": "lots"},
			[]string{"memory"}, map[string]any{"memory": []any{"A valid integer is required."}}},
		{"null for a required relation", "PATCH", fmt.Sprintf("dcim/devices/%d", w.device), map[string]any{"site": nil}, []string{"site"},
			map[string]any{"site": []any{"This field may not be null."}}},
	}
	unknownCF := map[string]any{"device_type": w.deviceType, "role": w.role, "site": w.site, "custom_fields": map[string]any{"nope": 1}}
	switch {
	case c.atLeast(5):
		// extras/api/customfields.py CustomFieldsDataField.to_internal_value
		tests = append(tests, invalidBody{"device unknown custom field", "POST", "dcim/devices", unknownCF, []string{"custom_fields"},
			map[string]any{"custom_fields": map[string]any{"nope": "Custom field 'nope' does not exist for this object type."}}})
	case !c.atLeast(4):
		tests = append(tests, invalidBody{"device unknown custom field", "POST", "dcim/devices", unknownCF, []string{"__all__"},
			map[string]any{"__all__": []any{"Unknown field name 'nope' in custom field data."}}})
	}
	return tests
}

// since is older on targets before 4.minor and newer from it.
func since(c *apiClient, older string, minor int, newer string) string {
	if c.atLeast(minor) {
		return newer
	}
	return older
}

// primaryMACOfAnother makes an interface's primary MAC one of another interface
// (dcim/models/device_components.py BaseInterface.clean): refused under the field, naming the
// other interface from 4.4, as a non-field error from 4.7.
func primaryMACOfAnother(c *apiClient, w world, otherMAC int64) invalidBody {
	mac := fmt.Sprintf("02:00:00:%02X:01:01", c.net)
	key, msg := "primary_mac_address", fmt.Sprintf("MAC address %s is not assigned to this interface.", mac)
	if c.atLeast(4) {
		msg = fmt.Sprintf("MAC address %s is assigned to a different interface (eth2).", mac)
	}
	if c.atLeast(7) {
		key = "__all__"
	}
	return invalidBody{"primary MAC of another interface", "PATCH", fmt.Sprintf("dcim/interfaces/%d", w.iface),
		map[string]any{"primary_mac_address": otherMAC}, []string{key}, map[string]any{key: []any{msg}}}
}

// vmWithoutPlacement is a VM with neither site nor cluster (VirtualMachine.clean): refused
// under cluster up to 4.5, and from 4.6, which added standalone host devices, as a non-field
// error.
func vmWithoutPlacement(c *apiClient) invalidBody {
	key, msg := "cluster", "A virtual machine must be assigned to a site and/or cluster."
	if c.atLeast(6) {
		key, msg = "__all__", "A virtual machine must be assigned to a site, cluster, or device."
	}
	return invalidBody{"VM without site or cluster", "POST", "virtualization/virtual-machines", map[string]any{"name": c.n("lonely")},
		[]string{key}, map[string]any{key: []any{msg}}}
}

// TestConformanceInvalidBodies sends bodies NetBox rejects and checks the 400 names the same
// fields (and, where given, carries the same messages) as NetBox does.
func TestConformanceInvalidBodies(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "eth1", "type": "1000base-t"})
		otherIface := c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "eth2", "type": "1000base-t"})
		otherMAC := c.create("dcim/mac-addresses", map[string]any{"mac_address": fmt.Sprintf("02:00:00:%02X:01:01", c.net),
			"assigned_object_type": "dcim.interface", "assigned_object_id": otherIface})
		unassignedIP := c.create("ipam/ip-addresses", map[string]any{"address": fmt.Sprintf("10.%d.200.5/24", c.net)})
		for _, tc := range invalidBodies(c, w, otherMAC, unassignedIP) {
			t.Run(tc.name, func(t *testing.T) {
				c.t = t
				code, body := c.do(tc.method, "/api/"+tc.path+"/", tc.body)
				if code != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %s", code, body)
				}
				var got map[string]any
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatalf("decode %s: %v", body, err)
				}
				fields := make([]string, 0, len(got))
				for f := range got {
					fields = append(fields, f)
				}
				sort.Strings(fields)
				if !reflect.DeepEqual(fields, tc.fields) {
					t.Errorf("error fields %v, want %v: %s", fields, tc.fields, body)
				}
				for f, want := range tc.messages {
					if !reflect.DeepEqual(got[f], want) {
						t.Errorf("%s = %v, want %v", f, got[f], want)
					}
				}
			})
		}
	})
}

// TestConformanceBulkCreateIsAtomic: one bad item rejects the whole list in NetBox's per-item
// form and writes nothing.
func TestConformanceBulkCreateIsAtomic(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		before := c.total("dcim/sites", "name")
		code, body := c.do(http.MethodPost, "/api/dcim/sites/", []any{
			map[string]any{"name": c.n("A"), "slug": c.n("a")},
			map[string]any{"name": c.n("B")},
			map[string]any{"name": c.n("C"), "slug": c.n("c")},
		})
		if code != http.StatusBadRequest {
			t.Fatalf("status %d: %s", code, body)
		}
		want := `[{},{"slug":["This field is required."]},{}]`
		if c.atLeast(7) {
			want = `{"detail":"1 of 3 objects could not be created.","errors":[{"index":1,"errors":{"slug":["This field is required."]}}]}`
		}
		if string(body) != want {
			t.Errorf("body = %s, want %s", body, want)
		}
		if after := c.total("dcim/sites", "name"); after != before {
			t.Errorf("sites after failed bulk create = %d, want %d", after, before)
		}
		// The names of the rolled back items are free again.
		c.create("dcim/sites", map[string]any{"name": c.n("A"), "slug": c.n("a")})
	})
}

// TestConformanceBulkUpdateAndDeleteAreAtomic: a failing item undoes the items before it.
func TestConformanceBulkUpdateAndDeleteAreAtomic(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		s2 := c.create("dcim/sites", map[string]any{"name": c.n("Two"), "slug": c.n("two")})
		code, body := c.do(http.MethodPatch, "/api/dcim/sites/", []any{
			map[string]any{"id": s2, "description": "changed"},
			map[string]any{"id": w.site, "status": "bogus"},
		})
		if code != http.StatusBadRequest {
			t.Fatalf("bulk patch status %d: %s", code, body)
		}
		if want := fmt.Sprintf(`{"detail":"1 of 2 objects could not be updated.","errors":[{"id":%d,"errors":{"status":["bogus is not a valid choice."]}}]}`, w.site); c.atLeast(7) && string(body) != want {
			t.Errorf("bulk patch body %s, want %s", body, want)
		}
		if d := c.get(fmt.Sprintf("/api/dcim/sites/%d/", s2))["description"]; d != "" {
			t.Errorf("description after failed bulk patch = %q", d)
		}
		// Site 1 holds a device, which protects it: the whole bulk delete fails.
		code, body = c.do(http.MethodDelete, "/api/dcim/sites/", []any{map[string]any{"id": s2}, map[string]any{"id": w.site}})
		if code != http.StatusConflict {
			t.Fatalf("bulk delete status %d: %s", code, body)
		}
		if want := fmt.Sprintf(`{"detail":"1 of 2 objects could not be deleted.","errors":[{"id":%d,"errors":{"__all__":["Unable to delete: 2 dependent object(s) prevent deletion."]}}]}`, w.site); c.atLeast(7) && string(body) != want {
			t.Errorf("bulk delete body %s, want %s", body, want)
		}
		if n := c.total("dcim/sites", "name"); n != 2 {
			t.Errorf("sites after failed bulk delete = %d, want 2", n)
		}
		code, body = c.do(http.MethodDelete, "/api/dcim/sites/", []any{map[string]any{"id": s2}})
		if n := c.total("dcim/sites", "name"); code != http.StatusNoContent || n != 1 {
			t.Errorf("bulk delete: %d %s, %d sites left", code, body, n)
		}
		code, body = c.do(http.MethodDelete, "/api/dcim/sites/", []any{map[string]any{"name": "x"}})
		want := `[{"id":["This field is required."]}]`
		if c.atLeast(7) {
			want = `{"detail":"1 of 1 objects failed validation.","errors":[{"index":0,"errors":{"id":["This field is required."]}}]}`
		}
		if code != http.StatusBadRequest || string(body) != want {
			t.Errorf("bulk delete without id: %d %s, want %s", code, body, want)
		}
		if c.atLeast(7) {
			code, body = c.do(http.MethodPatch, "/api/dcim/sites/", []any{map[string]any{"id": 99999999, "description": "x"}})
			want = `{"detail":"1 of 1 objects could not be found.","errors":[{"id":99999999,"errors":{"id":["Object with ID 99999999 does not exist"]}}]}`
			if code != http.StatusBadRequest || string(body) != want {
				t.Errorf("bulk patch of a missing ID: %d %s, want %s", code, body, want)
			}
		}
	})
}
