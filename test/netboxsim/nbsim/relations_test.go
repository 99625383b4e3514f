package nbsim_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestConformanceRelatedLists: the agent names tags by {"name", "slug"}. Tags resolve each item
// by ID or attributes and report the first that does not resolve as the field's message (a
// Django ValidationError from utilities/api.py get_related_object_by_attrs); lists of primary
// keys (a service's ipaddresses) answer DRF's ManyRelatedField messages.
func TestConformanceRelatedLists(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		tag := map[string]any{"name": c.n("tag1"), "slug": c.n("tag1")}
		site := fmt.Sprintf("/api/dcim/sites/%d/", w.site)
		notFound := func(attrs string) string {
			return fmt.Sprintf(`{"tags":["Related object not found using the provided attributes: %s"]}`, attrs)
		}
		key := since(c, "non_field_errors", 7, "__all__")
		svc := func(name string, ips any) map[string]any {
			return map[string]any{"parent_object_type": "dcim.device", "parent_object_id": w.device, "name": name,
				"protocol": "tcp", "ports": []int{22}, "ipaddresses": ips}
		}
		const services = "/api/ipam/services/"
		c.check(t, []answerCase{
			{"tag by name and slug", "PATCH", site, map[string]any{"tags": []any{tag}}, http.StatusOK, ""},
			{"tag by slug", "PATCH", site, map[string]any{"tags": []any{map[string]any{"slug": c.n("tag1")}}}, http.StatusOK, ""},
			{"tag of another name", "PATCH", site, map[string]any{"tags": []any{map[string]any{"name": "Nope", "slug": c.n("tag1")}}},
				http.StatusBadRequest, notFound(fmt.Sprintf("{'name': 'Nope', 'slug': '%s'}", c.n("tag1")))},
			{"missing tag first", "PATCH", site, map[string]any{"tags": []any{map[string]any{"slug": "nope"}, tag}},
				http.StatusBadRequest, notFound("{'slug': 'nope'}")},
			{"tag as a string", "PATCH", site, map[string]any{"tags": []any{c.n("tag1")}}, http.StatusBadRequest,
				fmt.Sprintf(`{"tags":["Related objects must be referenced by numeric ID or by dictionary of attributes. Received an unrecognized value: %s"]}`, c.n("tag1"))},
			{"tags null", "PATCH", site, map[string]any{"tags": nil}, http.StatusBadRequest, `{"tags":["This field may not be null."]}`},
			{"tags as a dict", "PATCH", site, map[string]any{"tags": tag}, http.StatusBadRequest,
				fmt.Sprintf(`{"tags":{%q:["Expected a list of items but got type \"dict\"."]}}`, key)},
			{"no tags", "PATCH", site, map[string]any{"tags": []any{}}, http.StatusOK, ""},
			{"missing IP", "POST", services, svc("a", []any{99999999}), http.StatusBadRequest,
				`{"ipaddresses":["Invalid pk \"99999999\" - object does not exist."]}`},
			{"IP as a string", "POST", services, svc("b", []any{"x"}), http.StatusBadRequest,
				`{"ipaddresses":["Incorrect type. Expected pk value, received str."]}`},
			{"IP as a dict", "POST", services, svc("c", []any{map[string]any{"id": w.ip}}), http.StatusBadRequest,
				`{"ipaddresses":["Incorrect type. Expected pk value, received dict."]}`},
			{"IPs null", "POST", services, svc("d", nil), http.StatusBadRequest, `{"ipaddresses":["This field may not be null."]}`},
			{"IPs as a number", "POST", services, svc("e", 7), http.StatusBadRequest,
				`{"ipaddresses":["Expected a list of items but got type \"int\"."]}`},
		})
	})
}
