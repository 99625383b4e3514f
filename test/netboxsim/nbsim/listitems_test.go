package nbsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// TestListItemsMatchDetail holds each object of a list, whose nested objects
// and custom fields one list renders once and repeats, equal to the object's
// own answer, rendered afresh.
func TestListItemsMatchDetail(t *testing.T) {
	c := newSim(t)
	for n := range 3 {
		w := c.seed(n + 1)
		c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface), map[string]any{"primary_mac_address": w.mac})
		c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"primary_ip4": w.ip})
		// A second interface on the same device shares its nested device.
		c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "eth1", "type": "1000base-t"})
	}
	for _, endpoint := range []string{"dcim/devices", "dcim/interfaces", "dcim/mac-addresses", "ipam/ip-addresses",
		"virtualization/virtual-machines", "virtualization/interfaces", "ipam/services"} {
		t.Run(endpoint, func(t *testing.T) {
			c.t = t
			code, body := c.do(http.MethodGet, "/api/"+endpoint+"/?limit=1000", nil)
			if code != http.StatusOK {
				t.Fatalf("list: status %d: %s", code, body)
			}
			var list struct {
				Results []json.RawMessage `json:"results"`
			}
			if err := json.Unmarshal(body, &list); err != nil {
				t.Fatalf("decode the list: %v", err)
			}
			if len(list.Results) < 3 {
				t.Fatalf("%d objects listed, want at least 3", len(list.Results))
			}
			for _, item := range list.Results {
				var obj struct {
					ID int64 `json:"id"`
				}
				if err := json.Unmarshal(item, &obj); err != nil {
					t.Fatalf("decode a list item: %v", err)
				}
				code, detail := c.do(http.MethodGet, fmt.Sprintf("/api/%s/%d/", endpoint, obj.ID), nil)
				if code != http.StatusOK {
					t.Fatalf("object %d: status %d: %s", obj.ID, code, detail)
				}
				if string(item) != string(detail) {
					t.Errorf("object %d listed as\n%s\nbut answers\n%s", obj.ID, item, detail)
				}
			}
		})
	}
}
