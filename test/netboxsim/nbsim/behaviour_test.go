package nbsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// authCase is one Authorization header and NetBox's answer, by version.
type authCase struct {
	name, header string
	code         int
	body         string
}

// authCases follow netbox/api/authentication.py: DRF's TokenAuthentication before 4.5, v1 and
// v2 tokens under either keyword from 4.5.
func authCases(c *apiClient) []authCase {
	const notProvided = `{"detail":"Authentication credentials were not provided."}`
	wrong := "Token " + strings.Repeat("f", 40)
	if !c.atLeast(5) {
		return []authCase{
			{"token", "Token " + c.v1, http.StatusOK, ""},
			{"bearer", "Bearer " + c.v1, http.StatusForbidden, notProvided},
			{"missing", "", http.StatusForbidden, notProvided},
			{"wrong token", wrong, http.StatusForbidden, `{"detail":"Invalid token"}`},
			{"other scheme", "Basic dXNlcjpwYXNz", http.StatusForbidden, notProvided},
			{"no key", "Token", http.StatusForbidden, `{"detail":"Invalid token header. No credentials provided."}`},
			{"spaces", "Token a b", http.StatusForbidden, `{"detail":"Invalid token header. Token string should not contain spaces."}`},
		}
	}
	form := `{"detail":"Invalid authorization header: Must be in the form \"Bearer <key>.<token>\" or \"Token <token>\""}`
	cases := []authCase{
		{"bearer v2", "Bearer " + c.v2, http.StatusOK, ""},
		{"token keyword with a v2 token", "Token " + c.v2, http.StatusOK, ""},
		{"missing", "", http.StatusForbidden, notProvided},
		{"wrong v1 token", wrong, http.StatusForbidden, `{"detail":"Invalid v1 token"}`},
		{"wrong v2 token", "Bearer nbt_abcdefghijkl.secret", http.StatusForbidden, `{"detail":"Invalid v2 token"}`},
		{"v2 token without key", "Bearer nbt_abcdef", http.StatusForbidden,
			`{"detail":"Invalid authorization header: Could not parse key from v2 token. Did you mean to use 'Token' instead of 'Bearer'?"}`},
		{"other scheme", "Basic dXNlcjpwYXNz", http.StatusForbidden, notProvided},
		{"no key", "Bearer", http.StatusForbidden, form},
		{"spaces", "Token a b", http.StatusForbidden, form},
	}
	if c.v1 != "" {
		cases = append(cases, authCase{"v1 token", "Token " + c.v1, http.StatusOK, ""},
			authCase{"bearer keyword with a v1 token", "Bearer " + c.v1, http.StatusOK, ""})
	}
	return cases
}

func TestConformanceAuth(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		for _, tc := range authCases(c) {
			t.Run(tc.name, func(t *testing.T) {
				c.t, c.auth = t, tc.header
				code, body := c.do(http.MethodGet, "/api/dcim/sites/?limit=1", nil)
				if code != tc.code || (tc.body != "" && string(body) != tc.body) {
					t.Errorf("got %d %s, want %d %s", code, body, tc.code, tc.body)
				}
			})
		}
	})
}

func TestConformanceDeleteFollowsNetBox(t *testing.T) {
	forEachTarget(t, testDeleteFollowsNetBox)
}

func testDeleteFollowsNetBox(t *testing.T, c *apiClient) {
	w := c.seed(1)
	// Point the device's primary IP at its interface's address; the delete must clear it.
	if code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"primary_ip4": w.ip}); code != http.StatusOK {
		t.Fatalf("set primary IP: %d %s", code, body)
	}

	code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/dcim/device-types/%d/", w.deviceType), nil)
	want := fmt.Sprintf(`{"detail":"Unable to delete object. 1 dependent objects were found: %s (%d)"}`, c.n("dev1"), w.device)
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
	for ep, id := range map[string]int64{"dcim/devices": w.device, "dcim/interfaces": w.iface, "dcim/mac-addresses": w.mac,
		"ipam/ip-addresses": w.ip, "ipam/services": w.service} {
		if code, _ := c.do(http.MethodGet, fmt.Sprintf("/api/%s/%d/", ep, id), nil); code != http.StatusNotFound {
			t.Errorf("%s %d after device delete answered %d, want 404", ep, id, code)
		}
	}
	c.get(fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w.vm))
	if code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/dcim/device-types/%d/", w.deviceType), nil); code != http.StatusNoContent {
		t.Errorf("delete unused device type: %d %s", code, body)
	}

	// A VM takes its interfaces and disks with it.
	if code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w.vm), nil); code != http.StatusNoContent {
		t.Fatalf("delete VM: %d %s", code, body)
	}
	for ep, id := range map[string]int64{"virtualization/interfaces": w.vmIface, "virtualization/virtual-disks": w.disk} {
		if code, _ := c.do(http.MethodGet, fmt.Sprintf("/api/%s/%d/", ep, id), nil); code != http.StatusNotFound {
			t.Errorf("%s %d after VM delete answered %d, want 404", ep, id, code)
		}
	}
	if code, _ := c.do(http.MethodGet, fmt.Sprintf("/api/dcim/devices/%d/", w.device), nil); code != http.StatusNotFound {
		t.Errorf("deleted device answered %d", code)
	}
}

func TestConformanceDeletingIPClearsPrimary(t *testing.T) {
	forEachTarget(t, testDeletingIPClearsPrimary)
}

func testDeletingIPClearsPrimary(t *testing.T, c *apiClient) {
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

func TestConformanceFilters(t *testing.T) { forEachTarget(t, testFilters) }

func testFilters(t *testing.T, c *apiClient) {
	u := c.n
	w1 := c.seed(1)
	w2 := c.seed(2)
	// A device carrying both tags and a loose text custom field.
	c.create("extras/custom-fields", map[string]any{"name": u("note"), "type": "text", "object_types": []string{"dcim.device"}})
	both := c.create("dcim/devices", map[string]any{"name": u("both"), "device_type": w1.deviceType, "role": w1.role,
		"site": w2.site, "tags": []any{w1.tag, w2.tag}, "serial": u("XYZ-42"),
		"custom_fields": map[string]any{u("agent_id1"): "test/dev10", u("note"): "Hello World"}})
	// On a shared NetBox every device query is kept to this client's devices.
	scope := ""
	if c.uniq != "" {
		scope = "&name__isw=" + c.uniq
	}
	tests := []struct {
		query string
		want  []int64 // IDs, in any order
	}{
		{"name=" + u("dev1") + "&name=" + u("dev2"), []int64{w1.device, w2.device}},
		{"name__ic=" + strings.ToUpper(u("DEV")), []int64{w1.device, w2.device}},
		{"name__n=" + u("dev1"), []int64{w2.device, both}},
		{"id=" + fmt.Sprint(w2.device) + "&id=99999999", []int64{w2.device}},
		{"id__n=" + fmt.Sprint(w1.device), []int64{w2.device, both}},
		{"site_id=" + fmt.Sprint(w2.site), []int64{w2.device, both}},
		{"site=" + u("site1"), []int64{w1.device}},
		{"tag=" + u("tag1"), []int64{w1.device, both}},
		{"tag=" + u("tag1") + "&tag=" + u("tag2"), []int64{both}},
		{"tag__n=" + u("tag2"), []int64{w1.device}},
		{"cf_" + u("agent_id1") + "=test/dev1", []int64{w1.device}},
		{"cf_" + u("agent_id1") + "=test/dev1&cf_" + u("agent_id1") + "=test/dev10", []int64{w1.device, both}},
		{"cf_" + u("note") + "=hello", []int64{both}},
		{"q=" + u("xyz"), []int64{both}},
		{"q=" + u("dev2"), []int64{w2.device}},
		{"role_id=" + fmt.Sprint(w1.role) + "&status=active", []int64{w1.device, both}},
		{"no_such_filter=1", []int64{w1.device, w2.device, both}},
		{"cf_unknown=1", []int64{w1.device, w2.device, both}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			c.t = t
			if got := resultIDs(t, c.get("/api/dcim/devices/?"+tc.query+scope)); !sameIDs(got, tc.want) {
				t.Errorf("ids = %v, want %v", got, tc.want)
			}
		})
	}

	other := []struct {
		path string
		want []int64
	}{
		{fmt.Sprintf("dcim/interfaces/?device_id=%d", w2.device), []int64{w2.iface}},
		{"dcim/interfaces/?mac_address=" + strings.ToLower(c.mac(2)), []int64{w2.iface}},
		{"dcim/mac-addresses/?mac_address=" + strings.ReplaceAll(c.mac(1), ":", "-"), []int64{w1.mac}},
		{fmt.Sprintf("dcim/mac-addresses/?assigned_object_type=dcim.interface&assigned_object_id=%d", w1.iface), []int64{w1.mac}},
		{fmt.Sprintf("ipam/ip-addresses/?interface_id=%d", w2.iface), []int64{w2.ip}},
		{fmt.Sprintf("ipam/ip-addresses/?device_id=%d", w1.device), []int64{w1.ip}},
		{"ipam/ip-addresses/?address=" + strings.TrimSuffix(c.ip(2), "/24"), []int64{w2.ip}},
		{"ipam/ip-addresses/?address=" + c.ip(2), []int64{w2.ip}},
		{"ipam/ip-addresses/?address=" + strings.TrimSuffix(c.ip(2), "/24") + "/32", nil},
		{fmt.Sprintf("virtualization/virtual-machines/?cluster_id=%d", w2.cluster), []int64{w2.vm}},
		{fmt.Sprintf("virtualization/interfaces/?virtual_machine_id=%d", w1.vm), []int64{w1.vmIface}},
		{fmt.Sprintf("virtualization/clusters/?site_id=%d", w1.site), []int64{w1.cluster}},
		{fmt.Sprintf("ipam/services/?device_id=%d", w2.device), []int64{w2.service}},
		{"dcim/sites/?slug=" + u("site1") + "&slug=" + u("site2"), []int64{w1.site, w2.site}},
	}
	for _, tc := range other {
		t.Run(tc.path, func(t *testing.T) {
			c.t = t
			if got := resultIDs(t, c.get("/api/"+tc.path)); !sameIDs(got, tc.want) {
				t.Errorf("ids = %v, want %v", got, tc.want)
			}
		})
	}

	invalid := []struct{ query, body string }{
		{"id=abc", `{"id":["Enter a whole number."]}`},
		{"site_id=99999999", `{"site_id":["Select a valid choice. 99999999 is not one of the available choices."]}`},
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

// sameIDs compares ID lists as sets: NetBox orders most kinds by name, the emulator by ID.
func sameIDs(got, want []int64) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
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

func TestConformanceCustomFields(t *testing.T) { forEachTarget(t, testCustomFields) }

// own keeps the custom fields whose names are the client's own (a shared NetBox has others').
func (c *apiClient) own(cfs any) map[string]any {
	out := map[string]any{}
	m, _ := cfs.(map[string]any)
	for k, v := range m {
		if strings.HasPrefix(k, c.uniq) {
			out[k] = v
		}
	}
	return out
}

func testCustomFields(t *testing.T, c *apiClient) {
	u := c.n
	w := c.seed(1)
	c.create("extras/custom-fields", map[string]any{"name": u("last_seen"), "type": "date", "object_types": []string{"dcim.device"}})
	c.create("extras/custom-fields", map[string]any{"name": u("cores"), "type": "integer", "object_types": []string{"dcim.device"}, "default": 4})
	dev := c.get(fmt.Sprintf("/api/dcim/devices/%d/", w.device))
	// A new custom field's default is given to the objects that exist (populate_initial_data).
	want := map[string]any{u("agent_id1"): "test/dev1", u("last_seen"): nil, u("cores"): float64(4)}
	if got := c.own(dev["custom_fields"]); !reflect.DeepEqual(got, want) {
		t.Errorf("custom_fields = %v, want %v", got, want)
	}
	id := c.create("dcim/devices", map[string]any{"name": u("new"), "device_type": w.deviceType, "role": w.role, "site": w.site})
	created := c.get(fmt.Sprintf("/api/dcim/devices/%d/", id))["custom_fields"].(map[string]any)
	if created[u("cores")] != float64(4) {
		t.Errorf("default of a new object's custom field = %v, want 4", created[u("cores")])
	}
	code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"custom_fields": map[string]any{u("last_seen"): "2025-01-31"}})
	if code != http.StatusOK {
		t.Fatalf("patch custom field: %d %s", code, body)
	}
	var patched struct {
		CustomFields map[string]any `json:"custom_fields"`
	}
	if err := json.Unmarshal(body, &patched); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if patched.CustomFields[u("last_seen")] != "2025-01-31" || patched.CustomFields[u("agent_id1")] != "test/dev1" {
		t.Errorf("custom fields after patch = %v (a patch keeps the other values)", c.own(patched.CustomFields))
	}
	code, body = c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"custom_fields": map[string]any{u("last_seen"): "31/01/2025"}})
	if code != http.StatusBadRequest || !strings.Contains(string(body), "ISO 8601") {
		t.Errorf("bad date: %d %s", code, body)
	}
	if got := c.count("/api/dcim/devices/?cf_" + u("last_seen") + "=2025-01-31"); got != 1 {
		t.Errorf("cf_last_seen filter count = %d", got)
	}
}

func TestConformanceMACAndVMRules(t *testing.T) { forEachTarget(t, testMACAndVMRules) }

func testMACAndVMRules(t *testing.T, c *apiClient) {
	w := c.seed(1)
	if code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface), map[string]any{"primary_mac_address": w.mac}); code != http.StatusOK {
		t.Fatalf("set primary MAC: %d %s", code, body)
	}
	iface := c.get(fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface))
	if iface["mac_address"] != c.mac(1) || len(iface["mac_addresses"].([]any)) != 1 {
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

func TestConformanceFieldsAndNestedIPs(t *testing.T) { forEachTarget(t, testFieldsAndNestedIPs) }

func testFieldsAndNestedIPs(t *testing.T, c *apiClient) {
	w := c.seed(1)
	page := c.get(fmt.Sprintf("/api/dcim/devices/?fields=id,name,nope&id=%d", w.device))
	got := page["results"].([]any)[0].(map[string]any)
	if len(got) != 2 || got["name"] != c.n("dev1") {
		t.Errorf("?fields=id,name = %v", got)
	}
	// NetBox nests a service's IP addresses in brief form.
	svc := c.create("ipam/services", map[string]any{"parent_object_type": "dcim.device", "parent_object_id": w.device,
		"name": "https", "protocol": "tcp", "ports": []int{443, 8443}, "ipaddresses": []any{w.ip}})
	s := c.get(fmt.Sprintf("/api/ipam/services/%d/", svc))
	ip := s["ipaddresses"].([]any)[0].(map[string]any)
	display := "https (TCP/443, 8443)"
	if c.atLeast(7) {
		display = "https"
	}
	if len(ip) != 6 || ip["address"] != c.ip(1) || s["display"] != display {
		t.Errorf("service = %v / %v", s["display"], ip)
	}
	if parent := s["parent"].(map[string]any); parent["name"] != c.n("dev1") {
		t.Errorf("service parent = %v", parent)
	}
}

func TestConformanceDeletingCustomFieldDropsItsData(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		if code, body := c.do(http.MethodDelete, fmt.Sprintf("/api/extras/custom-fields/%d/", w.customField), nil); code != http.StatusNoContent {
			t.Fatalf("delete custom field: %d %s", code, body)
		}
		c.create("extras/custom-fields", map[string]any{"name": c.n("agent_id1"), "type": "text", "object_types": []string{"dcim.device"}})
		if got := c.get(fmt.Sprintf("/api/dcim/devices/%d/", w.device))["custom_fields"].(map[string]any)[c.n("agent_id1")]; got != nil {
			t.Errorf("re-created custom field shows old value %v", got)
		}
	})
}
