package nbsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"testing"
)

// TestInvalidBodies sends bodies NetBox rejects and checks the 400 names the same fields (and,
// where given, carries the same messages) as NetBox 4.3.
func TestInvalidBodies(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "eth1", "type": "1000base-t"})
	otherIface := c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "eth2", "type": "1000base-t"})
	otherMAC := c.create("dcim/mac-addresses", map[string]any{"mac_address": "02:00:00:00:01:01",
		"assigned_object_type": "dcim.interface", "assigned_object_id": otherIface})
	unassignedIP := c.create("ipam/ip-addresses", map[string]any{"address": "203.0.113.5/24"})

	tests := []struct {
		name     string
		method   string
		path     string
		body     any
		fields   []string
		messages map[string]any // exact bodies for some fields
	}{
		{"site without name and slug", "POST", "dcim/sites", map[string]any{}, []string{"name", "slug"},
			map[string]any{"name": []any{"This field is required."}}},
		{"site slug with space", "POST", "dcim/sites", map[string]any{"name": "X", "slug": "a b"}, []string{"slug"},
			map[string]any{"slug": []any{`Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.`}}},
		{"site unknown status", "POST", "dcim/sites", map[string]any{"name": "X", "slug": "x", "status": "gone"}, []string{"status"},
			map[string]any{"status": []any{"gone is not a valid choice."}}},
		{"site status null", "POST", "dcim/sites", map[string]any{"name": "X", "slug": "x", "status": nil}, []string{"status"},
			map[string]any{"status": []any{"This field may not be blank."}}},
		{"site status as object", "POST", "dcim/sites", map[string]any{"name": "X", "slug": "x", "status": map[string]any{"value": "active"}}, []string{"status"},
			map[string]any{"status": []any{`Value must be passed directly (e.g. "foo": 123); do not use a dictionary or list.`}}},
		{"site name taken", "POST", "dcim/sites", map[string]any{"name": "Site 1", "slug": "other"}, []string{"name"},
			map[string]any{"name": []any{"site with this name already exists."}}},
		{"site name too long", "POST", "dcim/sites", map[string]any{"name": string(make([]byte, 101)), "slug": "long"}, []string{"name"}, nil},
		{"device without required", "POST", "dcim/devices", map[string]any{"name": "x"}, []string{"device_type", "role", "site"}, nil},
		{"device missing device type", "POST", "dcim/devices", map[string]any{"device_type": 223, "role": w.role, "site": w.site}, []string{"device_type"},
			map[string]any{"device_type": []any{"Related object not found using the provided numeric ID: 223"}}},
		{"device type by attributes", "POST", "dcim/devices", map[string]any{"device_type": map[string]any{"slug": "nope"}, "role": w.role, "site": w.site},
			[]string{"device_type"}, map[string]any{"device_type": []any{"Related object not found using the provided attributes: {'slug': 'nope'}"}}},
		{"device name taken in site", "POST", "dcim/devices", map[string]any{"name": "DEV1", "device_type": w.deviceType, "role": w.role, "site": w.site},
			[]string{"__all__"}, map[string]any{"__all__": []any{"Device name must be unique per site."}}},
		{"device primary IP of another device", "PATCH", fmt.Sprintf("dcim/devices/%d", w.device), map[string]any{"primary_ip4": unassignedIP},
			[]string{"primary_ip4"}, map[string]any{"primary_ip4": []any{"The specified IP address (203.0.113.5/24) is not assigned to this device."}}},
		{"device unknown tag", "POST", "dcim/devices", map[string]any{"device_type": w.deviceType, "role": w.role, "site": w.site, "tags": []any{999}},
			[]string{"tags"}, nil},
		{"device unknown custom field", "POST", "dcim/devices", map[string]any{"device_type": w.deviceType, "role": w.role, "site": w.site,
			"custom_fields": map[string]any{"nope": 1}}, []string{"__all__"},
			map[string]any{"__all__": []any{"Unknown field name 'nope' in custom field data."}}},
		{"device custom field of wrong type", "POST", "dcim/devices", map[string]any{"device_type": w.deviceType, "role": w.role, "site": w.site,
			"custom_fields": map[string]any{"agent_id1": 5}}, []string{"__all__"},
			map[string]any{"__all__": []any{"Invalid value for custom field 'agent_id1': Value must be a string."}}},
		{"interface without type", "POST", "dcim/interfaces", map[string]any{"device": w.device, "name": "x"}, []string{"type"}, nil},
		{"interface unknown type", "POST", "dcim/interfaces", map[string]any{"device": w.device, "name": "x", "type": "warp"}, []string{"type"},
			map[string]any{"type": []any{"warp is not a valid choice."}}},
		{"interface name taken", "POST", "dcim/interfaces", map[string]any{"device": w.device, "name": "eth0", "type": "virtual"}, []string{"__all__"},
			map[string]any{"__all__": []any{"Interface with this Device and Name already exists."}}},
		{"primary MAC of another interface", "PATCH", fmt.Sprintf("dcim/interfaces/%d", w.iface), map[string]any{"primary_mac_address": otherMAC},
			[]string{"primary_mac_address"}, map[string]any{"primary_mac_address": []any{"MAC address 02:00:00:00:01:01 is not assigned to this interface."}}},
		{"MAC malformed", "POST", "dcim/mac-addresses", map[string]any{"mac_address": "zz:00"}, []string{"mac_address"},
			map[string]any{"mac_address": []any{"Invalid MAC address format: zz:00"}}},
		{"MAC on unknown object type", "POST", "dcim/mac-addresses", map[string]any{"mac_address": "02:00:00:00:09:09",
			"assigned_object_type": "dcim.frontport", "assigned_object_id": 1}, []string{"assigned_object_type"}, nil},
		{"IP malformed", "POST", "ipam/ip-addresses", map[string]any{"address": "300.1.1.1/24"}, []string{"address"}, nil},
		{"IP duplicate in global table", "POST", "ipam/ip-addresses", map[string]any{"address": "192.0.2.1/25"}, []string{"address"},
			map[string]any{"address": []any{"Duplicate IP address found in global table: 192.0.2.1/24"}}},
		{"IP network ID on interface", "POST", "ipam/ip-addresses", map[string]any{"address": "10.9.0.0/24",
			"assigned_object_type": "dcim.interface", "assigned_object_id": w.iface}, []string{"__all__"}, nil},
		{"VM without site or cluster", "POST", "virtualization/virtual-machines", map[string]any{"name": "lonely"}, []string{"cluster"},
			map[string]any{"cluster": []any{"A virtual machine must be assigned to a site and/or cluster."}}},
		{"VM name taken in cluster", "POST", "virtualization/virtual-machines", map[string]any{"name": "VM1", "cluster": w.cluster}, []string{"__all__"},
			map[string]any{"__all__": []any{"Virtual machine name must be unique per cluster."}}},
		{"VM disk not the sum of its disks", "PATCH", fmt.Sprintf("virtualization/virtual-machines/%d", w.vm), map[string]any{"disk": 5}, []string{"disk"},
			map[string]any{"disk": []any{"The specified disk size (5) must match the aggregate size of assigned virtual disks (10240)."}}},
		{"cluster without type", "POST", "virtualization/clusters", map[string]any{"name": "c"}, []string{"type"}, nil},
		{"service without parent", "POST", "ipam/services", map[string]any{"name": "x", "protocol": "tcp", "ports": []int{1}},
			[]string{"parent_object_id", "parent_object_type"}, nil},
		{"service port out of range", "POST", "ipam/services", map[string]any{"parent_object_type": "dcim.device", "parent_object_id": w.device,
			"name": "x", "protocol": "tcp", "ports": []int{70000}}, []string{"ports"}, nil},
		{"custom field name pattern", "POST", "extras/custom-fields", map[string]any{"name": "Bad-Name", "object_types": []string{"dcim.device"}},
			[]string{"name"}, map[string]any{"name": []any{"Only alphanumeric characters and underscores are allowed."}}},
		{"tag color", "POST", "extras/tags", map[string]any{"name": "c", "slug": "c", "color": "red"}, []string{"color"},
			map[string]any{"color": []any{"Enter a valid hexadecimal RGB color code."}}},
		{"integer field given text", "POST", "virtualization/virtual-machines", map[string]any{"name": "v", "cluster": w.cluster, "memory": "lots"},
			[]string{"memory"}, map[string]any{"memory": []any{"A valid integer is required."}}},
		{"null for a required relation", "PATCH", fmt.Sprintf("dcim/devices/%d", w.device), map[string]any{"site": nil}, []string{"site"},
			map[string]any{"site": []any{"This field may not be null."}}},
	}
	for _, tc := range tests {
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
}

// TestBulkCreateIsAtomic: one bad item rejects the whole list in NetBox's per-item form and
// writes nothing.
func TestBulkCreateIsAtomic(t *testing.T) {
	c := newSim(t)
	before := c.sim.Count("dcim/sites")
	code, body := c.do(http.MethodPost, "/api/dcim/sites/", []any{
		map[string]any{"name": "A", "slug": "a"},
		map[string]any{"name": "B"},
		map[string]any{"name": "C", "slug": "c"},
	})
	if code != http.StatusBadRequest {
		t.Fatalf("status %d: %s", code, body)
	}
	var got []map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	want := []map[string]any{{}, {"slug": []any{"This field is required."}}, {}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v, want %v", got, want)
	}
	if after := c.sim.Count("dcim/sites"); after != before {
		t.Errorf("sites after failed bulk create = %d, want %d", after, before)
	}
	// The names of the rolled back items are free again.
	c.create("dcim/sites", map[string]any{"name": "A", "slug": "a"})
}

// TestBulkUpdateAndDeleteAreAtomic: a failing item undoes the items before it.
func TestBulkUpdateAndDeleteAreAtomic(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	s2 := c.create("dcim/sites", map[string]any{"name": "Two", "slug": "two"})
	code, body := c.do(http.MethodPatch, "/api/dcim/sites/", []any{
		map[string]any{"id": s2, "description": "changed"},
		map[string]any{"id": w.site, "status": "bogus"},
	})
	if code != http.StatusBadRequest {
		t.Fatalf("bulk patch status %d: %s", code, body)
	}
	if d := c.get(fmt.Sprintf("/api/dcim/sites/%d/", s2))["description"]; d != "" {
		t.Errorf("description after failed bulk patch = %q", d)
	}
	// Site 1 holds a device, which protects it: the whole bulk delete fails.
	code, body = c.do(http.MethodDelete, "/api/dcim/sites/", []any{map[string]any{"id": s2}, map[string]any{"id": w.site}})
	if code != http.StatusConflict {
		t.Fatalf("bulk delete status %d: %s", code, body)
	}
	if c.sim.Count("dcim/sites") != 2 {
		t.Errorf("sites after failed bulk delete = %d, want 2", c.sim.Count("dcim/sites"))
	}
	code, body = c.do(http.MethodDelete, "/api/dcim/sites/", []any{map[string]any{"id": s2}})
	if code != http.StatusNoContent || c.sim.Count("dcim/sites") != 1 {
		t.Errorf("bulk delete: %d %s, %d sites left", code, body, c.sim.Count("dcim/sites"))
	}
	code, body = c.do(http.MethodDelete, "/api/dcim/sites/", []any{map[string]any{"name": "x"}})
	if code != http.StatusBadRequest || string(body) != `[{"id":["This field is required."]}]` {
		t.Errorf("bulk delete without id: %d %s", code, body)
	}
}
