package nbsim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestConformanceVLANs: a VLAN group scoped to a cluster, its name unique per scope
// (ipam/models/vlans.py VLANGroup.Meta.constraints); a VLAN's VID in 1-4094 and in its group's
// ranges, unique with its name per group (VLAN.Meta.constraints, VLAN.clean).
func TestConformanceVLANs(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		groupBody := func(name string) map[string]any {
			return map[string]any{"name": c.n(name), "slug": c.n(name), "scope_type": "virtualization.cluster", "scope_id": w.cluster}
		}
		group := c.create("ipam/vlan-groups", groupBody("pve"))
		got := c.get(fmt.Sprintf("/api/ipam/vlan-groups/%d/", group))
		if got["scope_type"] != "virtualization.cluster" || got["scope_id"] != float64(w.cluster) {
			t.Errorf("group scope: %v %v, want the cluster %d", got["scope_type"], got["scope_id"], w.cluster)
		}
		if scope, _ := got["scope"].(map[string]any); scope == nil || scope["id"] != float64(w.cluster) {
			t.Errorf("group scope rendered as %v", got["scope"])
		}
		vlan := func(vid int, name string) map[string]any {
			return map[string]any{"vid": vid, "name": c.n(name), "group": group}
		}
		v20 := c.create("ipam/vlans", vlan(20, "VLAN 20"))
		if got := c.get(fmt.Sprintf("/api/ipam/vlans/%d/", v20)); got["status"].(map[string]any)["value"] != "active" {
			t.Errorf("a new VLAN's status: %v, want active", got["status"])
		}
		c.check(t, []answerCase{
			{"VID 0", "POST", "/api/ipam/vlans/", vlan(0, "zero"), http.StatusBadRequest,
				`{"vid":["Ensure this value is greater than or equal to 1."]}`},
			{"VID 4095", "POST", "/api/ipam/vlans/", vlan(4095, "big"), http.StatusBadRequest,
				`{"vid":["Ensure this value is less than or equal to 4094."]}`},
			{"same VID in another group's scope", "POST", "/api/ipam/vlans/", map[string]any{"vid": 20, "name": c.n("VLAN 20")},
				http.StatusCreated, ""},
		})
		for _, tc := range []struct {
			name     string
			endpoint string
			body     map[string]any
		}{
			{"same group name in the same scope", "ipam/vlan-groups", groupBody("pve")},
			{"same VID in the group", "ipam/vlans", vlan(20, "other")},
			{"same name in the group", "ipam/vlans", vlan(21, "VLAN 20")},
		} {
			code, body := c.do("POST", "/api/"+tc.endpoint+"/", tc.body)
			if code != http.StatusBadRequest || !strings.Contains(string(body), "already exists") {
				t.Errorf("%s: %d %s, want 400 ... already exists", tc.name, code, body)
			}
		}
		if n := c.get(fmt.Sprintf("/api/ipam/vlan-groups/%d/", group))["vlan_count"]; n != float64(1) {
			t.Errorf("vlan_count %v, want 1", n)
		}
		code, body := c.do("DELETE", fmt.Sprintf("/api/ipam/vlan-groups/%d/", group), nil)
		if code != http.StatusConflict {
			t.Errorf("delete a group that holds a VLAN: %d %s, want 409 (VLAN.group is PROTECT)", code, body)
		}
	})
}

// TestConformanceInterfaceVLANs: a device interface without a mode takes no untagged VLAN,
// an access one no tagged VLANs (InterfaceSerializer.validate); a VM interface without a mode
// is saved without its untagged VLAN (BaseInterface.save); an untagged VLAN of another site
// is refused (VMInterface.clean).
func TestConformanceInterfaceVLANs(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		global := c.create("ipam/vlans", map[string]any{"vid": 20, "name": c.n("VLAN 20")})
		other := c.create("dcim/sites", map[string]any{"name": c.n("Away"), "slug": c.n("away")})
		away := c.create("ipam/vlans", map[string]any{"vid": 30, "name": c.n("VLAN 30"), "site": other})
		iface := fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface)
		vmIface := fmt.Sprintf("/api/virtualization/interfaces/%d/", w.vmIface)
		c.check(t, []answerCase{
			{"untagged VLAN without a mode", "PATCH", iface, map[string]any{"untagged_vlan": global},
				http.StatusBadRequest, `{"untagged_vlan":["Interface mode does not support untagged vlan"]}`},
			{"tagged VLANs on an access port", "PATCH", iface, map[string]any{"mode": "access", "tagged_vlans": []int64{global}},
				http.StatusBadRequest, `{"tagged_vlans":["Interface mode does not support tagged vlans"]}`},
			{"access port of a global VLAN", "PATCH", iface, map[string]any{"mode": "access", "untagged_vlan": global},
				http.StatusOK, ""},
			{"VM interface on a VLAN of another site", "PATCH", vmIface, map[string]any{"mode": "access", "untagged_vlan": away},
				http.StatusBadRequest, fmt.Sprintf(`{"untagged_vlan":["The untagged VLAN (%s (30)) must belong to the same site as the interface's parent virtual machine, or it must be global."]}`, c.n("VLAN 30"))},
			{"VM interface untagged without a mode", "PATCH", vmIface, map[string]any{"untagged_vlan": global},
				http.StatusOK, ""},
		})
		if got := c.get(vmIface); got["untagged_vlan"] != nil {
			t.Errorf("a VM interface without a mode kept its untagged VLAN: %v", got["untagged_vlan"])
		}
		c.check(t, []answerCase{{"VM interface access port", "PATCH", vmIface, map[string]any{"mode": "access", "untagged_vlan": global},
			http.StatusOK, ""}})
		got := c.get(vmIface)
		if u, _ := got["untagged_vlan"].(map[string]any); u == nil || u["id"] != float64(global) {
			t.Errorf("VM interface untagged VLAN %v, want %d", got["untagged_vlan"], global)
		}
		if m, _ := got["mode"].(map[string]any); m == nil || m["value"] != "access" {
			t.Errorf("VM interface mode %v, want access", got["mode"])
		}
	})
}
