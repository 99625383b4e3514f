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

// The requests the agent's NetBox engine sends (activities/netbox): bulk writes carrying a
// changelog_message in every item, bulk deletes of objects that may be gone, and the answers
// it reads back.

// changeMessages lists the action and message of each change of one object, newest first.
func (c *apiClient) changeMessages(objectType string, id int64) []string {
	c.t.Helper()
	page := c.get(fmt.Sprintf("/api/core/object-changes/?changed_object_type=%s&changed_object_id=%d", objectType, id))
	var out []string
	for _, r := range page["results"].([]any) {
		m := r.(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v", m["action"].(map[string]any)["value"], m["message"]))
	}
	return out
}

// TestConformanceBulkChangelogMessages: from 4.4 each item of a bulk create, update and delete
// carries its own changelog_message, recorded with its change; before, the field is ignored
// (netbox/api/serializers/features.py ChangeLogMessageSerializer, BulkOperationSerializer).
func TestConformanceBulkChangelogMessages(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		code, body := c.do(http.MethodPost, "/api/dcim/sites/", []any{
			map[string]any{"name": c.n("B1"), "slug": c.n("b1"), "changelog_message": "run 1 create a"},
			map[string]any{"name": c.n("B2"), "slug": c.n("b2"), "changelog_message": "run 1 create b"},
		})
		if code != http.StatusCreated {
			t.Fatalf("bulk create: %d %s", code, body)
		}
		ids := resultIDs(t, map[string]any{"results": decodeList(t, body)})
		code, body = c.do(http.MethodPatch, "/api/dcim/sites/", []any{
			map[string]any{"id": ids[0], "description": "x", "changelog_message": "run 1 update a"},
			map[string]any{"id": ids[1], "description": "y", "changelog_message": "run 1 update b"},
		})
		if code != http.StatusOK {
			t.Fatalf("bulk update: %d %s", code, body)
		}
		code, body = c.do(http.MethodDelete, "/api/dcim/sites/", []any{
			map[string]any{"id": ids[0], "changelog_message": "run 1 delete a"},
			map[string]any{"id": ids[1], "changelog_message": "run 1 delete b"},
		})
		if code != http.StatusNoContent {
			t.Fatalf("bulk delete: %d %s", code, body)
		}
		for i, item := range []string{"a", "b"} {
			want := []string{"delete:<nil>", "update:<nil>", "create:<nil>"}
			if c.atLeast(4) {
				want = []string{"delete:run 1 delete " + item, "update:run 1 update " + item, "create:run 1 create " + item}
			}
			if got := c.changeMessages("dcim.site", ids[i]); !reflect.DeepEqual(got, want) {
				t.Errorf("changes of site %s = %v, want %v", item, got, want)
			}
		}
	})
}

// TestConformanceBulkMissingIDs: a bulk update or delete naming an object that is gone skips
// it up to 4.6 (the queryset finds only the others) and refuses the whole list from 4.7
// (netbox/api/viewsets/mixins.py); a delete of one missing object is 404 in every release.
func TestConformanceBulkMissingIDs(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		id := c.create("dcim/sites", map[string]any{"name": c.n("Kept"), "slug": c.n("kept")})
		const gone = 99999991
		missing := fmt.Sprintf(`{"detail":"1 of 2 objects could not be found.","errors":[{"id":%d,"errors":{"id":["Object with ID %d does not exist"]}}]}`, gone, gone)
		code, body := c.do(http.MethodPatch, "/api/dcim/sites/", []any{map[string]any{"id": id, "description": "x"}, map[string]any{"id": gone, "description": "x"}})
		switch {
		case c.atLeast(7) && (code != http.StatusBadRequest || string(body) != missing):
			t.Errorf("bulk update with a missing ID: %d %s, want 400 %s", code, body, missing)
		case !c.atLeast(7) && (code != http.StatusOK || len(decodeList(t, body)) != 1):
			t.Errorf("bulk update with a missing ID: %d %s, want 200 with the one found", code, body)
		}
		code, body = c.do(http.MethodDelete, "/api/dcim/sites/", []any{map[string]any{"id": id}, map[string]any{"id": gone}})
		left, _ := c.do(http.MethodGet, fmt.Sprintf("/api/dcim/sites/%d/", id), nil)
		switch {
		case c.atLeast(7) && (code != http.StatusBadRequest || string(body) != missing || left != http.StatusOK):
			t.Errorf("bulk delete with a missing ID: %d %s (site left: %d), want 400 %s and the site kept", code, body, left, missing)
		case !c.atLeast(7) && (code != http.StatusNoContent || left != http.StatusNotFound):
			t.Errorf("bulk delete with a missing ID: %d %s (site left: %d), want 204 and the site gone", code, body, left)
		}
		code, body = c.do(http.MethodDelete, fmt.Sprintf("/api/dcim/sites/%d/", gone), nil)
		if want := `{"detail":"No Site matches the given query."}`; code != http.StatusNotFound || string(body) != want {
			t.Errorf("delete of a missing site: %d %s, want 404 %s", code, body, want)
		}
	})
}

// TestConformanceMalformedBulkBodies: bodies that are not what a list endpoint takes. 4.7
// reports errors of no one field under "__all__" (NON_FIELD_ERRORS_KEY) and a bulk body that
// is not a list with a detail of its own.
func TestConformanceMalformedBulkBodies(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		key := since(c, "non_field_errors", 7, "__all__")
		notList := fmt.Sprintf(`{%q:["Expected a list of items but got type \"dict\"."]}`, key)
		entry := fmt.Sprintf(`[{%q:["Invalid data. Expected a dictionary, but got int."]}]`, key)
		created := entry
		if c.atLeast(7) {
			notList = `{"detail":"Expected a list of objects, but got dict."}`
			entry = fmt.Sprintf(`{"detail":"1 of 1 objects failed validation.","errors":[{"index":0,"errors":{%q:["Invalid data. Expected a dictionary, but got int."]}}]}`, key)
			created = fmt.Sprintf(`{"detail":"1 of 1 objects could not be created.","errors":[{"index":0,"errors":{%q:["Invalid data. Expected a dictionary, but got int."]}}]}`, key)
		}
		const path = "/api/dcim/sites/"
		c.check(t, []answerCase{
			{"create from a string", "POST", path, "x", http.StatusBadRequest,
				fmt.Sprintf(`{%q:["Invalid data. Expected a dictionary, but got str."]}`, key)},
			{"bulk create of a number", "POST", path, []any{1}, http.StatusBadRequest, created},
			{"bulk update of a dict", "PATCH", path, map[string]any{"id": 1}, http.StatusBadRequest, notList},
			{"bulk delete of a dict", "DELETE", path, map[string]any{"id": 1}, http.StatusBadRequest, notList},
			{"bulk update of a number", "PATCH", path, []any{5}, http.StatusBadRequest, entry},
			{"bulk delete of a number", "DELETE", path, []any{5}, http.StatusBadRequest, entry},
			{"bulk update of nothing", "PATCH", path, []any{}, http.StatusOK, "[]"},
		})
	})
}

// decodeList decodes a JSON list of objects, failing the test otherwise.
func decodeList(t *testing.T, body []byte) []any {
	t.Helper()
	var list []any
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("decode list %s: %v", body, err)
	}
	return list
}

// TestConformanceServicePorts: the agent writes a service's protocol and ports. Up to 4.6 they
// are the service's own fields, kept in the order given; 4.7 keeps port_mappings and derives
// them, ports sorted, null for a service of several protocols (ipam/api/serializers_/services.py).
func TestConformanceServicePorts(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		svc := func(name string, extra map[string]any) map[string]any {
			b := map[string]any{"parent_object_type": "dcim.device", "parent_object_id": w.device, "name": name}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		id := c.create("ipam/services", svc("web", map[string]any{"protocol": "tcp", "ports": []int{8443, 443}}))
		got := c.get(fmt.Sprintf("/api/ipam/services/%d/", id))
		wantPorts := []any{float64(8443), float64(443)}
		if c.atLeast(7) {
			wantPorts = []any{float64(443), float64(8443)}
			if want := []any{"tcp/8443", "tcp/443"}; !reflect.DeepEqual(got["port_mappings"], want) {
				t.Errorf("port_mappings = %v, want %v", got["port_mappings"], want)
			}
		}
		if p, _ := got["protocol"].(map[string]any); p["value"] != "tcp" || !reflect.DeepEqual(got["ports"], wantPorts) {
			t.Errorf("protocol %v ports %v, want tcp %v", got["protocol"], got["ports"], wantPorts)
		}
		const path = "/api/ipam/services/"
		if !c.atLeast(7) {
			c.check(t, []answerCase{
				{"without protocol", "POST", path, svc("a", map[string]any{"ports": []int{1}}), http.StatusBadRequest, `{"protocol":["This field cannot be blank."]}`},
				{"without ports", "POST", path, svc("b", map[string]any{"protocol": "tcp"}), http.StatusBadRequest, `{"ports":["This field is required."]}`},
			})
			return
		}
		c.check(t, []answerCase{
			{"without ports", "POST", path, svc("a", nil), http.StatusBadRequest, `{"port_mappings":["At least one port mapping is required."]}`},
			{"protocol alone", "POST", path, svc("b", map[string]any{"protocol": "tcp"}), http.StatusBadRequest,
				`{"__all__":["Both 'protocol' and 'ports' are required when writing via the deprecated legacy format; use port_mappings instead."]}`},
			{"no ports", "POST", path, svc("c", map[string]any{"ports": []int{}}), http.StatusBadRequest, `{"ports":["At least one port mapping is required."]}`},
			{"port twice", "POST", path, svc("d", map[string]any{"protocol": "tcp", "ports": []int{22, 22}}), http.StatusBadRequest,
				`{"ports":["Duplicate port mapping: tcp/22"]}`},
			{"mappings and protocol disagree", "POST", path, svc("e", map[string]any{"port_mappings": []string{"tcp/53"}, "protocol": "udp"}),
				http.StatusBadRequest, `{"__all__":["Specify either 'port_mappings' or the deprecated 'protocol'/'ports' fields, not both."]}`},
			{"unknown protocol", "POST", path, svc("f", map[string]any{"port_mappings": []string{"xx/53"}}), http.StatusBadRequest,
				`{"port_mappings":["Invalid protocol: xx"]}`},
			{"ports alone on an update", "PATCH", fmt.Sprintf("%s%d/", path, id), map[string]any{"ports": []int{80}}, http.StatusOK, ""},
		})
		mixed := c.create("ipam/services", svc("dns", map[string]any{"port_mappings": []string{"tcp/53", "UDP/053"}}))
		got = c.get(fmt.Sprintf("%s%d/", path, mixed))
		if got["protocol"] != nil || got["ports"] != nil || !reflect.DeepEqual(got["port_mappings"], []any{"tcp/53", "udp/53"}) {
			t.Errorf("service of two protocols: protocol %v ports %v port_mappings %v", got["protocol"], got["ports"], got["port_mappings"])
		}
		if got := c.get(fmt.Sprintf("%s%d/", path, id)); !reflect.DeepEqual(got["port_mappings"], []any{"tcp/80"}) {
			t.Errorf("port_mappings after a ports update = %v", got["port_mappings"])
		}
	})
}

// TestConformanceProtectedDeletes: what refuses the deletes of the agent's orphan pass, and
// what goes with them: a VM protects its cluster and host device, a tenant and VRF their
// objects, a parent interface its children; a platform and a primary MAC go freely.
func TestConformanceProtectedDeletes(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		tenant := c.create("tenancy/tenants", map[string]any{"name": c.n("Owner"), "slug": c.n("owner")})
		host := c.create("dcim/devices", map[string]any{"name": c.n("host"), "device_type": w.deviceType, "role": w.role, "site": w.site,
			"platform": w.platform, "cluster": w.cluster, "tenant": tenant})
		vm := c.create("virtualization/virtual-machines", map[string]any{"name": c.n("guest"), "cluster": w.cluster, "device": host, "tenant": tenant})
		eth := c.create("dcim/interfaces", map[string]any{"device": host, "name": "eth0", "type": "1000base-t"})
		sub := c.create("dcim/interfaces", map[string]any{"device": host, "name": "eth0.5", "type": "virtual", "parent": eth})
		mac := c.create("dcim/mac-addresses", map[string]any{"mac_address": fmt.Sprintf("02:00:00:%02X:DD:01", c.net),
			"assigned_object_type": "dcim.interface", "assigned_object_id": eth})
		if code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/interfaces/%d/", eth), map[string]any{"primary_mac_address": mac}); code != http.StatusOK {
			t.Fatalf("set primary MAC: %d %s", code, body)
		}
		ip := fmt.Sprintf("10.%d.250.1/24", c.net)
		ipID := c.create("ipam/ip-addresses", map[string]any{"address": ip, "vrf": w.vrf, "tenant": tenant,
			"assigned_object_type": "dcim.interface", "assigned_object_id": eth})
		dependents := func(list ...string) string {
			return fmt.Sprintf(`{"detail":"Unable to delete object. %d dependent objects were found: %s"}`, len(list), strings.Join(list, ", "))
		}
		guest := fmt.Sprintf("%s (%d)", c.n("guest"), vm)
		bulk := fmt.Sprintf(`[{"id":%d}]`, host)
		bulkWant := dependents(guest)
		if c.atLeast(7) {
			bulkWant = fmt.Sprintf(`{"detail":"1 of 1 objects could not be deleted.","errors":[{"id":%d,"errors":{"__all__":["Unable to delete: 1 dependent object(s) prevent deletion."]}}]}`, host)
		}
		del := func(ep string, id int64) string { return fmt.Sprintf("/api/%s/%d/", ep, id) }
		// Django's collector gathers the protected objects in a set: their order is arbitrary.
		code, body := c.do(http.MethodDelete, del("tenancy/tenants", tenant), nil)
		if want := []string{fmt.Sprintf("%s (%d)", ip, ipID), guest, fmt.Sprintf("%s (%d)", c.n("host"), host)}; code != http.StatusConflict ||
			!slices.Equal(dependentsOf(t, body), slices.Sorted(slices.Values(want))) {
			t.Errorf("tenant in use: %d %s, want 409 naming %v", code, body, want)
		}
		code, body = c.do(http.MethodDelete, del("virtualization/clusters", w.cluster), nil)
		if want := slices.Sorted(slices.Values([]string{guest, fmt.Sprintf("%s (%d)", c.n("vm1"), w.vm)})); code != http.StatusConflict ||
			!slices.Equal(dependentsOf(t, body), want) {
			t.Errorf("cluster with VMs: %d %s, want 409 naming %v", code, body, want)
		}
		c.check(t, []answerCase{
			{"host of a VM", "DELETE", del("dcim/devices", host), nil, http.StatusConflict, dependents(guest)},
			{"host of a VM in bulk", "DELETE", "/api/dcim/devices/", []byte(bulk), http.StatusConflict, bulkWant},
			{"VRF in use", "DELETE", del("ipam/vrfs", w.vrf), nil, http.StatusConflict, dependents(fmt.Sprintf("%s (%d)", ip, ipID))},
			{"parent interface", "DELETE", del("dcim/interfaces", eth), nil, http.StatusConflict, dependents(fmt.Sprintf("eth0.5 (%d)", sub))},
			{"platform in use", "DELETE", del("dcim/platforms", w.platform), nil, http.StatusNoContent, ""},
			{"primary MAC", "DELETE", del("dcim/mac-addresses", mac), nil, http.StatusNoContent, ""},
			{"VM", "DELETE", del("virtualization/virtual-machines", vm), nil, http.StatusNoContent, ""},
			{"former host", "DELETE", del("dcim/devices", host), nil, http.StatusNoContent, ""},
		})
		if d := c.get(fmt.Sprintf("/api/dcim/devices/%d/", w.device)); d["platform"] != nil {
			t.Errorf("device platform after the platform's delete = %v", d["platform"])
		}
	})
}

// dependentsOf lists, sorted, the objects a 409's detail names.
func dependentsOf(t *testing.T, body []byte) []string {
	t.Helper()
	var ans struct {
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	_, list, ok := strings.Cut(ans.Detail, " dependent objects were found: ")
	if !ok {
		return nil
	}
	return slices.Sorted(slices.Values(strings.Split(list, ", ")))
}

// TestConformanceLongChangelogMessage: ObjectChange.message holds 200 characters; from 4.4 a
// longer changelog_message fails the write with PostgreSQL's DataError, a 500, and nothing is
// written (the agent cuts its messages to 200).
func TestConformanceLongChangelogMessage(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		site := func(slug, msg string) map[string]any {
			return map[string]any{"name": c.n(slug), "slug": c.n(slug), "changelog_message": msg}
		}
		c.create("dcim/sites", site("fits", strings.Repeat("é", 200)))
		code, body := c.do(http.MethodPost, "/api/dcim/sites/", []any{site("ok", "short"), site("long", strings.Repeat("m", 201))})
		const dataError = `{"error": "value too long for type character varying(200)", "exception": "DataError", "netbox_version": "`
		switch {
		case !c.atLeast(4) && code != http.StatusCreated:
			t.Errorf("long message before 4.4: %d %s, want 201 (the field is unknown)", code, body)
		case c.atLeast(4) && (code != http.StatusInternalServerError || !strings.HasPrefix(string(body), dataError)):
			t.Errorf("long message: %d %s, want 500 %s...", code, body, dataError)
		case c.atLeast(4) && c.total("dcim/sites", "name") != 1:
			t.Errorf("sites after the failed bulk create = %d, want 1", c.total("dcim/sites", "name"))
		}
	})
}
