package nbsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

func TestAuth(t *testing.T) {
	c := newSim(t)
	tests := []struct {
		name, header string
		code         int
		body         string
	}{
		{"token", "Token " + testToken, http.StatusOK, ""},
		{"bearer v2 form", "Bearer " + nbsim.BearerToken(testToken), http.StatusOK, ""},
		{"missing", "", http.StatusForbidden, `{"detail":"Authentication credentials were not provided."}`},
		{"wrong token", "Token " + strings.Repeat("f", 40), http.StatusForbidden, `{"detail":"Invalid token"}`},
		{"bearer with the v1 key", "Bearer " + testToken, http.StatusForbidden, `{"detail":"Invalid token"}`},
		{"other scheme", "Basic dXNlcjpwYXNz", http.StatusForbidden, `{"detail":"Authentication credentials were not provided."}`},
		{"no key", "Token", http.StatusForbidden, `{"detail":"Invalid token header. No credentials provided."}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.t, c.auth = t, tc.header
			code, body := c.do(http.MethodGet, "/api/dcim/sites/", nil)
			if code != tc.code || (tc.body != "" && string(body) != tc.body) {
				t.Errorf("got %d %s, want %d %s", code, body, tc.code, tc.body)
			}
		})
	}
}

func TestDeleteFollowsNetBox(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	// Point the device's primary IP at its interface's address; the delete must clear it.
	if code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"primary_ip4": w.ip}); code != http.StatusOK {
		t.Fatalf("set primary IP: %d %s", code, body)
	}

	code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/dcim/device-types/%d/", w.deviceType), nil)
	want := fmt.Sprintf(`{"detail":"Unable to delete object. 1 dependent objects were found: dev1 (%d)"}`, w.device)
	if code != http.StatusConflict || string(body) != want {
		t.Errorf("delete device type in use: %d %s, want 409 %s", code, body, want)
	}
	for _, ep := range []string{"dcim/sites", "dcim/manufacturers", "dcim/device-roles"} {
		id := map[string]int64{"dcim/sites": w.site, "dcim/manufacturers": w.mfr, "dcim/device-roles": w.role}[ep]
		if code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/%s/%d/", ep, id), nil); code != http.StatusConflict {
			t.Errorf("delete %s in use: %d %s, want 409", ep, code, body)
		}
	}

	// The device's service would also go; the VM is unrelated.
	if code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/dcim/devices/%d/", w.device), nil); code != http.StatusNoContent {
		t.Fatalf("delete device: %d %s", code, body)
	}
	for ep, want := range map[string]int{"dcim/devices": 0, "dcim/interfaces": 0, "dcim/mac-addresses": 0,
		"ipam/ip-addresses": 0, "ipam/services": 0, "virtualization/virtual-machines": 1} {
		if got := c.sim.Count(ep); got != want {
			t.Errorf("%s after device delete = %d, want %d", ep, got, want)
		}
	}
	if code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/dcim/device-types/%d/", w.deviceType), nil); code != http.StatusNoContent {
		t.Errorf("delete unused device type: %d %s", code, body)
	}

	// A VM takes its interfaces and disks with it.
	if code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w.vm), nil); code != http.StatusNoContent {
		t.Fatalf("delete VM: %d %s", code, body)
	}
	for _, ep := range []string{"virtualization/interfaces", "virtualization/virtual-disks"} {
		if got := c.sim.Count(ep); got != 0 {
			t.Errorf("%s after VM delete = %d", ep, got)
		}
	}
	if code, _ := c.do(http.MethodGet, fmt.Sprintf("/api/dcim/devices/%d/", w.device), nil); code != http.StatusNotFound {
		t.Errorf("deleted device answered %d", code)
	}
}

func TestDeletingIPClearsPrimary(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"primary_ip4": w.ip})
	code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/ipam/ip-addresses/%d/", w.ip), map[string]any{"assigned_object_id": nil, "assigned_object_type": nil})
	if code != http.StatusBadRequest || !strings.Contains(string(body), "designated as the primary IP") {
		t.Errorf("unassign primary IP: %d %s", code, body)
	}
	if code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/ipam/ip-addresses/%d/", w.ip), nil); code != http.StatusNoContent {
		t.Fatalf("delete IP: %d %s", code, body)
	}
	if got := c.get(fmt.Sprintf("/api/dcim/devices/%d/", w.device))["primary_ip4"]; got != nil {
		t.Errorf("primary_ip4 after IP delete = %v", got)
	}
}

func TestFilters(t *testing.T) {
	c := newSim(t)
	w1 := c.seed(1)
	w2 := c.seed(2)
	// A device carrying both tags and a loose text custom field.
	c.create("extras/custom-fields", map[string]any{"name": "note", "type": "text", "object_types": []string{"dcim.device"}})
	both := c.create("dcim/devices", map[string]any{"name": "both", "device_type": w1.deviceType, "role": w1.role,
		"site": w2.site, "tags": []any{w1.tag, w2.tag}, "serial": "XYZ-42",
		"custom_fields": map[string]any{"agent_id1": "test/dev10", "note": "Hello World"}})

	tests := []struct {
		query string
		want  []int64 // IDs, in order
	}{
		{"name=dev1&name=dev2", []int64{w1.device, w2.device}},
		{"name__ic=DEV", []int64{w1.device, w2.device}},
		{"name__n=dev1", []int64{w2.device, both}},
		{"id=" + fmt.Sprint(w2.device) + "&id=9999", []int64{w2.device}},
		{"id__n=" + fmt.Sprint(w1.device), []int64{w2.device, both}},
		{"site_id=" + fmt.Sprint(w2.site), []int64{w2.device, both}},
		{"site=site1", []int64{w1.device}},
		{"tag=tag1", []int64{w1.device, both}},
		{"tag=tag1&tag=tag2", []int64{both}},
		{"tag__n=tag2", []int64{w1.device}},
		{"cf_agent_id1=test/dev1", []int64{w1.device}},
		{"cf_agent_id1=test/dev1&cf_agent_id1=test/dev10", []int64{w1.device, both}},
		{"cf_note=hello", []int64{both}},
		{"q=xyz", []int64{both}},
		{"q=dev2", []int64{w2.device}},
		{"role_id=" + fmt.Sprint(w1.role) + "&status=active", []int64{w1.device, both}},
		{"no_such_filter=1", []int64{w1.device, w2.device, both}},
		{"cf_unknown=1", []int64{w1.device, w2.device, both}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			c.t = t
			if got := resultIDs(t, c.get("/api/dcim/devices/?"+tc.query)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ids = %v, want %v", got, tc.want)
			}
		})
	}

	other := []struct {
		path string
		want []int64
	}{
		{fmt.Sprintf("dcim/interfaces/?device_id=%d", w2.device), []int64{w2.iface}},
		{"dcim/interfaces/?mac_address=02:00:00:00:00:02", []int64{w2.iface}},
		{"dcim/mac-addresses/?mac_address=02-00-00-00-00-01", []int64{w1.mac}},
		{fmt.Sprintf("dcim/mac-addresses/?assigned_object_type=dcim.interface&assigned_object_id=%d", w1.iface), []int64{w1.mac}},
		{fmt.Sprintf("ipam/ip-addresses/?interface_id=%d", w2.iface), []int64{w2.ip}},
		{fmt.Sprintf("ipam/ip-addresses/?device_id=%d", w1.device), []int64{w1.ip}},
		{"ipam/ip-addresses/?address=192.0.2.2", []int64{w2.ip}},
		{"ipam/ip-addresses/?address=192.0.2.2/24", []int64{w2.ip}},
		{"ipam/ip-addresses/?address=192.0.2.2/32", nil},
		{fmt.Sprintf("virtualization/virtual-machines/?cluster_id=%d", w2.cluster), []int64{w2.vm}},
		{fmt.Sprintf("virtualization/interfaces/?virtual_machine_id=%d", w1.vm), []int64{w1.vmIface}},
		{fmt.Sprintf("virtualization/clusters/?site_id=%d", w1.site), []int64{w1.cluster}},
		{fmt.Sprintf("ipam/services/?device_id=%d", w2.device), []int64{w2.service}},
		{"dcim/sites/?slug=site1&slug=site2", []int64{w1.site, w2.site}},
	}
	for _, tc := range other {
		t.Run(tc.path, func(t *testing.T) {
			c.t = t
			if got := resultIDs(t, c.get("/api/"+tc.path)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ids = %v, want %v", got, tc.want)
			}
		})
	}

	invalid := []struct{ query, body string }{
		{"id=abc", `{"id":["Enter a whole number."]}`},
		{"site_id=999", `{"site_id":["Select a valid choice. 999 is not one of the available choices."]}`},
		{"tag=missing", `{"tag":["Select a valid choice. missing is not one of the available choices."]}`},
		{"status=gone", `{"status":["Select a valid choice. gone is not one of the available choices."]}`},
	}
	for _, tc := range invalid {
		t.Run(tc.query, func(t *testing.T) {
			c.t = t
			code, body := c.do(http.MethodGet, "/api/dcim/devices/?"+tc.query, nil)
			if code != http.StatusBadRequest || string(body) != tc.body {
				t.Errorf("got %d %s, want 400 %s", code, body, tc.body)
			}
		})
	}
}

func resultIDs(t *testing.T, page map[string]any) []int64 {
	t.Helper()
	results, ok := page["results"].([]any)
	if !ok {
		t.Fatalf("no results in %v", page)
	}
	var ids []int64
	for _, r := range results {
		ids = append(ids, int64(r.(map[string]any)["id"].(float64)))
	}
	return ids
}

func TestPagination(t *testing.T) {
	c := newSim(t)
	var bulk []any
	for i := range 1205 {
		bulk = append(bulk, map[string]any{"name": fmt.Sprintf("t%04d", i), "slug": fmt.Sprintf("t%04d", i)})
	}
	if code, body := c.do(http.MethodPost, "/api/extras/tags/", bulk); code != http.StatusCreated {
		t.Fatalf("bulk create: %d %.200s", code, body)
	}
	tests := []struct {
		query          string
		results        int
		next, previous any
	}{
		{"", 50, c.url + "/api/extras/tags/?limit=50&offset=50", nil},
		{"?limit=10&offset=10", 10, c.url + "/api/extras/tags/?limit=10&offset=20", c.url + "/api/extras/tags/?limit=10"},
		{"?limit=5000", 1000, c.url + "/api/extras/tags/?limit=1000&offset=1000", nil},
		{"?limit=0", 1000, c.url + "/api/extras/tags/?limit=1000&offset=1000", nil},
		{"?limit=1000&offset=1000", 205, nil, c.url + "/api/extras/tags/?limit=1000"},
		{"?limit=100&offset=1200", 5, nil, c.url + "/api/extras/tags/?limit=100&offset=1100"},
		{"?name__isw=t00&limit=50&offset=50", 50, nil, c.url + "/api/extras/tags/?limit=50&name__isw=t00"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			c.t = t
			page := c.get("/api/extras/tags/" + tc.query)
			if n := len(page["results"].([]any)); n != tc.results {
				t.Errorf("results = %d, want %d", n, tc.results)
			}
			if page["next"] != tc.next || page["previous"] != tc.previous {
				t.Errorf("next %v previous %v, want %v %v", page["next"], page["previous"], tc.next, tc.previous)
			}
		})
	}
	if got := c.count("/api/extras/tags/?name__isw=t00"); got != 100 {
		t.Errorf("count with filter = %d, want 100", got)
	}
}

func TestCustomFields(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	c.create("extras/custom-fields", map[string]any{"name": "last_seen", "type": "date", "object_types": []string{"dcim.device"}})
	c.create("extras/custom-fields", map[string]any{"name": "cores", "type": "integer", "object_types": []string{"dcim.device"}, "default": 4})
	dev := c.get(fmt.Sprintf("/api/dcim/devices/%d/", w.device))
	want := map[string]any{"agent_id1": "test/dev1", "last_seen": nil, "cores": nil}
	if !reflect.DeepEqual(dev["custom_fields"], want) {
		t.Errorf("custom_fields = %v, want %v", dev["custom_fields"], want)
	}
	id := c.create("dcim/devices", map[string]any{"name": "new", "device_type": w.deviceType, "role": w.role, "site": w.site})
	created := c.get(fmt.Sprintf("/api/dcim/devices/%d/", id))["custom_fields"].(map[string]any)
	if created["cores"] != float64(4) {
		t.Errorf("default of a new object's custom field = %v, want 4", created["cores"])
	}
	code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"custom_fields": map[string]any{"last_seen": "2025-01-31"}})
	if code != http.StatusOK {
		t.Fatalf("patch custom field: %d %s", code, body)
	}
	var patched struct {
		CustomFields map[string]any `json:"custom_fields"`
	}
	if err := json.Unmarshal(body, &patched); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if patched.CustomFields["last_seen"] != "2025-01-31" || patched.CustomFields["agent_id1"] != "test/dev1" {
		t.Errorf("custom fields after patch = %v (a patch keeps the other values)", patched.CustomFields)
	}
	code, body = c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"custom_fields": map[string]any{"last_seen": "31/01/2025"}})
	if code != http.StatusBadRequest || !strings.Contains(string(body), "ISO 8601") {
		t.Errorf("bad date: %d %s", code, body)
	}
	if got := c.count("/api/dcim/devices/?cf_last_seen=2025-01-31"); got != 1 {
		t.Errorf("cf_last_seen filter count = %d", got)
	}
}

func TestMACAndVMRules(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	if code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface), map[string]any{"primary_mac_address": w.mac}); code != http.StatusOK {
		t.Fatalf("set primary MAC: %d %s", code, body)
	}
	iface := c.get(fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface))
	if iface["mac_address"] != "02:00:00:00:00:01" || len(iface["mac_addresses"].([]any)) != 1 {
		t.Errorf("interface MACs = %v %v", iface["mac_address"], iface["mac_addresses"])
	}
	code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/mac-addresses/%d/", w.mac), map[string]any{"assigned_object_type": nil, "assigned_object_id": nil})
	if code != http.StatusBadRequest || !strings.Contains(string(body), "Cannot unassign MAC Address") {
		t.Errorf("unassign primary MAC: %d %s", code, body)
	}
	// Virtual disks drive the VM's disk.
	if got := c.get(fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w.vm))["disk"]; got != float64(10240) {
		t.Errorf("VM disk = %v, want 10240", got)
	}
	c.create("virtualization/virtual-disks", map[string]any{"virtual_machine": w.vm, "name": "scsi1", "size": 100})
	if got := c.get(fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w.vm))["disk"]; got != float64(10340) {
		t.Errorf("VM disk after second disk = %v, want 10340", got)
	}
}

func TestFieldsAndNestedIPs(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	page := c.get("/api/dcim/devices/?fields=id,name,nope")
	got := page["results"].([]any)[0].(map[string]any)
	if len(got) != 2 || got["name"] != "dev1" {
		t.Errorf("?fields=id,name = %v", got)
	}
	// NetBox nests a service's IP addresses in brief form.
	svc := c.create("ipam/services", map[string]any{"parent_object_type": "dcim.device", "parent_object_id": w.device,
		"name": "https", "protocol": "tcp", "ports": []int{443, 8443}, "ipaddresses": []any{w.ip}})
	s := c.get(fmt.Sprintf("/api/ipam/services/%d/", svc))
	ip := s["ipaddresses"].([]any)[0].(map[string]any)
	if len(ip) != 6 || ip["address"] != "192.0.2.1/24" || s["display"] != "https (TCP/443, 8443)" {
		t.Errorf("service = %v / %v", s["display"], ip)
	}
	if parent := s["parent"].(map[string]any); parent["name"] != "dev1" {
		t.Errorf("service parent = %v", parent)
	}
}

func TestDeletingCustomFieldDropsItsData(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	if code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/extras/custom-fields/%d/", w.customField), nil); code != http.StatusNoContent {
		t.Fatalf("delete custom field: %d %s", code, body)
	}
	c.create("extras/custom-fields", map[string]any{"name": "agent_id1", "type": "text", "object_types": []string{"dcim.device"}})
	if got := c.get(fmt.Sprintf("/api/dcim/devices/%d/", w.device))["custom_fields"].(map[string]any)["agent_id1"]; got != nil {
		t.Errorf("re-created custom field shows old value %v", got)
	}
}
