package nbsim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestConformanceNameUniqueness: the second of two objects of the kinds the agent writes with
// the same name, slug or address, and NetBox's answer to it.
func TestConformanceNameUniqueness(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		u := c.n
		org := func(name, slug string) map[string]any { return map[string]any{"name": u(name), "slug": u(slug)} }
		tenantName := since(c, "Constraint “tenancy_tenant_unique_name” is violated.", 7, "Tenant name must be unique per group.")
		tenantSlug := since(c, "Constraint “tenancy_tenant_unique_slug” is violated.", 7, "Tenant slug must be unique per group.")
		all := func(msg string) string { return fmt.Sprintf(`{"__all__":[%q]}`, msg) }
		prefix := fmt.Sprintf("10.%d.101.0/24", c.net) // seed(1)'s prefix
		c.check(t, []answerCase{
			{"site name in another case", "POST", "/api/dcim/sites/", org("SITE 1", "site1b"), http.StatusCreated, ""},
			{"site slug", "POST", "/api/dcim/sites/", org("Site 1c", "site1"), http.StatusBadRequest, `{"slug":["site with this slug already exists."]}`},
			{"tenant name", "POST", "/api/tenancy/tenants/", org("Tenant 1", "tenant1b"), http.StatusBadRequest, all(tenantName)},
			{"tenant slug", "POST", "/api/tenancy/tenants/", org("Tenant 1c", "tenant1"), http.StatusBadRequest, all(tenantSlug)},
			{"manufacturer name", "POST", "/api/dcim/manufacturers/", org("Maker 1", "maker1b"), http.StatusBadRequest,
				`{"name":["manufacturer with this name already exists."]}`},
			{"cluster type name", "POST", "/api/virtualization/cluster-types/", org("Type 1", "type1b"), http.StatusBadRequest,
				`{"name":["cluster type with this name already exists."]}`},
			{"tag slug", "POST", "/api/extras/tags/", org("tag1b", "tag1"), http.StatusBadRequest, `{"slug":["tag with this slug already exists."]}`},
			{"custom field name", "POST", "/api/extras/custom-fields/", map[string]any{"name": u("agent_id1"), "type": "text",
				"object_types": []string{"dcim.site"}}, http.StatusBadRequest, `{"name":["custom field with this name already exists."]}`},
			{"device type slug", "POST", "/api/dcim/device-types/", map[string]any{"manufacturer": w.mfr, "model": u("Model 1b"), "slug": u("model1")},
				http.StatusBadRequest, all("Device type with this Manufacturer and Slug already exists.")},
			{"VM interface name", "POST", "/api/virtualization/interfaces/", map[string]any{"virtual_machine": w.vm, "name": "net0"},
				http.StatusBadRequest, all("Interface with this Virtual machine and Name already exists.")},
			{"virtual disk name", "POST", "/api/virtualization/virtual-disks/", map[string]any{"virtual_machine": w.vm, "name": "scsi0", "size": 1},
				http.StatusBadRequest, all("Virtual disk with this Virtual machine and Name already exists.")},
			{"prefix", "POST", "/api/ipam/prefixes/", map[string]any{"prefix": prefix}, http.StatusBadRequest,
				fmt.Sprintf(`{"prefix":["Duplicate prefix found in global table: %s"]}`, prefix)},
			{"prefix in a VRF", "POST", "/api/ipam/prefixes/", map[string]any{"prefix": prefix, "vrf": w.vrf}, http.StatusCreated, ""},
			{"MAC address", "POST", "/api/dcim/mac-addresses/", map[string]any{"mac_address": c.mac(1)}, http.StatusCreated, ""},
		})
	})
}

// TestConformanceClusterNameInSite: a cluster's name is unique per site through Cluster._site,
// which is set when the cluster is saved: full_clean() catches a duplicate on an update, while
// on a create PostgreSQL refuses it, a 500 that rolls the whole request back.
func TestConformanceClusterNameInSite(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		cluster := func(name string) map[string]any {
			return map[string]any{"name": c.n(name), "type": w.clusterType, "scope_type": "dcim.site", "scope_id": w.site}
		}
		other := c.create("virtualization/clusters", cluster("other"))
		code, body := c.do(http.MethodPost, "/api/virtualization/clusters/", []any{cluster("fresh"), cluster("cluster1")})
		want := fmt.Sprintf(`{"error": "duplicate key value violates unique constraint \"virtualization_cluster_unique__site_name\"\nDETAIL:  `+
			`Key (_site_id, name)=(%d, %s) already exists.", "exception": "IntegrityError", "netbox_version": "`, w.site, c.n("cluster1"))
		if code != http.StatusInternalServerError || !strings.HasPrefix(string(body), want) {
			t.Errorf("create of a cluster named as another of its site: %d %s, want 500 %s...", code, body, want)
		}
		if n := c.count("/api/virtualization/clusters/?name=" + c.n("fresh")); n != 0 {
			t.Errorf("clusters left by the failed bulk create: %d", n)
		}
		c.check(t, []answerCase{
			{"rename to another's name", "PATCH", fmt.Sprintf("/api/virtualization/clusters/%d/", other), map[string]any{"name": c.n("cluster1")},
				http.StatusBadRequest, `{"__all__":["Cluster with this  site and Name already exists."]}`},
			{"same name without a site", "POST", "/api/virtualization/clusters/", map[string]any{"name": c.n("cluster1"), "type": w.clusterType},
				http.StatusCreated, ""},
		})
	})
}
