package nbsim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestConformanceAgentLookups: the filters the agent finds its objects by, each value given
// several times (NetBox ORs them): names, serials, parents by ID,
// addresses, tags and cf_ values on the kinds it writes (activities/netbox kinds_*.go,
// planner.go, apply.go).
func TestConformanceAgentLookups(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		u := c.n
		w1, w2 := c.seed(1), c.seed(2)
		for _, patch := range []struct {
			path string
			body map[string]any
		}{
			{fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w1.vm), map[string]any{"custom_fields": map[string]any{u("agent_id1"): "test/vm1"}, "tags": []any{w1.tag}}},
			{fmt.Sprintf("/api/dcim/interfaces/%d/", w2.iface), map[string]any{"tags": []any{w1.tag}}},
			{fmt.Sprintf("/api/ipam/ip-addresses/%d/", w2.ip), map[string]any{"tags": []any{w2.tag}}},
		} {
			if code, body := c.do(http.MethodPatch, patch.path, patch.body); code != http.StatusOK {
				t.Fatalf("PATCH %s: %d %s", patch.path, code, body)
			}
		}
		host := func(ip string) string { return strings.TrimSuffix(ip, "/24") }
		tests := []struct {
			path string
			want []int64
		}{
			{"dcim/devices/?name=" + u("dev1") + "&name=" + u("dev2"), []int64{w1.device, w2.device}},
			// Device and VM names and device serials compare without case (lookup_expr='iexact'),
			// other names exactly.
			{"dcim/devices/?name=" + strings.ToUpper(u("dev1")), []int64{w1.device}},
			{"dcim/devices/?serial=" + u("SN1") + "&serial=" + strings.ToLower(u("SN2")), []int64{w1.device, w2.device}},
			{"dcim/sites/?name=" + url.QueryEscape(strings.ToUpper(u("Site 1"))) + "&name=" + url.QueryEscape(u("Site 2")), []int64{w2.site}},
			{fmt.Sprintf("dcim/interfaces/?device_id=%d&device_id=%d", w1.device, w2.device), []int64{w1.iface, w2.iface}},
			{"dcim/interfaces/?tag=" + u("tag1") + fmt.Sprintf("&device_id=%d&device_id=%d", w1.device, w2.device), []int64{w2.iface}},
			{"dcim/mac-addresses/?mac_address=" + c.mac(1) + "&mac_address=" + strings.ToLower(c.mac(2)), []int64{w1.mac, w2.mac}},
			{"ipam/ip-addresses/?address=" + c.ip(1) + "&address=" + host(c.ip(2)), []int64{w1.ip, w2.ip}},
			{"ipam/ip-addresses/?tag=" + u("tag2") + "&address=" + c.ip(1) + "&address=" + c.ip(2), []int64{w2.ip}},
			{"virtualization/clusters/?name=" + u("cluster1") + "&name=" + u("cluster2"), []int64{w1.cluster, w2.cluster}},
			{"virtualization/virtual-machines/?name=" + u("vm1") + "&name=" + u("VM2"), []int64{w1.vm, w2.vm}},
			{"virtualization/clusters/?name=" + u("CLUSTER1"), nil},
			{"virtualization/virtual-machines/?cf_" + u("agent_id1") + "=test/vm1", []int64{w1.vm}},
			{"virtualization/virtual-machines/?tag=" + u("tag1") + "&name=" + u("vm1") + "&name=" + u("vm2"), []int64{w1.vm}},
			{fmt.Sprintf("virtualization/interfaces/?virtual_machine_id=%d&virtual_machine_id=%d", w1.vm, w2.vm), []int64{w1.vmIface, w2.vmIface}},
			{fmt.Sprintf("virtualization/virtual-disks/?virtual_machine_id=%d&virtual_machine_id=%d", w1.vm, w2.vm), []int64{w1.disk, w2.disk}},
			{"extras/custom-fields/?name=" + u("agent_id1") + "&name=" + u("agent_id2"), []int64{w1.customField, w2.customField}},
			{"extras/tags/?slug=" + u("tag1") + "&slug=" + u("tag2"), []int64{w1.tag, w2.tag}},
		}
		for _, tc := range tests {
			t.Run(tc.path, func(t *testing.T) {
				c.t = t
				if got := resultIDs(t, c.get("/api/"+tc.path)); !sameIDs(got, tc.want) {
					t.Errorf("ids = %v, want %v", got, tc.want)
				}
			})
		}
	})
}

// TestConformanceAgentCustomFields: the agent's custom fields: agent_id is unique per object
// type (netbox/models/features.py CustomFieldsMixin.clean), a field is extended to more object
// types by a bulk update, and a bulk update of one custom field keeps the others.
func TestConformanceAgentCustomFields(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		u := c.n
		w1, w2 := c.seed(1), c.seed(2)
		uid := c.create("extras/custom-fields", map[string]any{"name": u("uid"), "type": "text", "object_types": []string{"dcim.device"},
			"unique": true, "filter_logic": "exact"})
		seen := c.create("extras/custom-fields", map[string]any{"name": u("seen"), "type": "date", "object_types": []string{"dcim.device"}})
		dev := func(id int64) string { return fmt.Sprintf("/api/dcim/devices/%d/", id) }
		cf := func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return map[string]any{"custom_fields": m}
		}
		c.check(t, []answerCase{
			{"first value", "PATCH", dev(w1.device), cf(u("uid"), "same"), http.StatusOK, ""},
			{"taken value", "PATCH", dev(w2.device), cf(u("uid"), "same"), http.StatusBadRequest,
				fmt.Sprintf(`{"__all__":["Custom field '%s' must have a unique value."]}`, u("uid"))},
			{"no value twice", "PATCH", dev(w2.device), cf(u("uid"), nil), http.StatusOK, ""},
			{"extend to VMs", "PATCH", "/api/extras/custom-fields/", []any{map[string]any{"id": uid,
				"object_types": []string{"dcim.device", "virtualization.virtualmachine"}}}, http.StatusOK, ""},
			{"same value on a VM", "PATCH", fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w1.vm), cf(u("uid"), "same"), http.StatusOK, ""},
			{"one field in a bulk update", "PATCH", "/api/dcim/devices/", []any{map[string]any{"id": w1.device, "custom_fields": map[string]any{u("seen"): "2025-02-03"}}},
				http.StatusOK, ""},
		})
		got := c.own(c.get(dev(w1.device))["custom_fields"])
		want := map[string]any{u("agent_id1"): "test/dev1", u("agent_id2"): nil, u("uid"): "same", u("seen"): "2025-02-03"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("custom fields after the bulk update = %v, want %v", got, want)
		}
		if n := c.count("/api/virtualization/virtual-machines/?cf_" + u("uid") + "=same"); n != 1 {
			t.Errorf("VMs with uid same = %d, want 1", n)
		}
		if got := c.get(fmt.Sprintf("/api/extras/custom-fields/%d/", seen))["object_types"]; fmt.Sprint(got) != "[dcim.device]" {
			t.Errorf("object_types = %v", got)
		}
	})
}
