package nbsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// The differences between NetBox releases that the agent meets.

func TestConformanceStatusAndAuthenticationCheck(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		st := c.get("/api/status/")
		if v, _ := st["netbox-version"].(string); minorOf(v) != c.minor {
			t.Errorf("netbox-version = %v, want 4.%d", st["netbox-version"], c.minor)
		}
		if _, ok := st["installed_apps"]; ok != c.atLeast(4) {
			t.Errorf("status keys %v: installed_apps from 4.4 on", st)
		}
		code, body := c.do(http.MethodGet, "/api/authentication-check/", nil)
		switch {
		case c.atLeast(5) && (code != http.StatusOK || !strings.Contains(string(body), `"username":"`)):
			t.Errorf("authentication-check: %d %s", code, body)
		case !c.atLeast(5) && code != http.StatusNotFound:
			t.Errorf("authentication-check before 4.5: %d %s", code, body)
		}
		if c.atLeast(5) {
			c.auth = "Bearer nbt_abcdefghijkl.wrong"
			if code, _ := c.do(http.MethodGet, "/api/authentication-check/", nil); code != http.StatusForbidden {
				t.Errorf("authentication-check with a wrong token: %d", code)
			}
		}
	})
}

// interfaceTypes: how many interface types each release has, and types the agent met that
// older releases reject.
func TestConformanceInterfaceTypes(t *testing.T) {
	counts := map[int]int{3: 132, 4: 206, 5: 216, 6: 216, 7: 231}
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		code, body := c.do(http.MethodOptions, "/api/dcim/interfaces/", nil)
		var opts struct {
			Actions map[string]map[string]struct {
				Type     string `json:"type"`
				Required bool   `json:"required"`
				Choices  []struct {
					Value       string `json:"value"`
					DisplayName string `json:"display_name"`
				} `json:"choices"`
			} `json:"actions"`
		}
		if err := json.Unmarshal(body, &opts); code != http.StatusOK || err != nil {
			t.Fatalf("OPTIONS: %d %v %.300s", code, err, body)
		}
		typ := opts.Actions["POST"]["type"]
		if len(typ.Choices) != counts[c.minor] || !typ.Required || typ.Choices[0].Value != "virtual" || typ.Choices[0].DisplayName != "Virtual" {
			t.Errorf("OPTIONS type: %d choices (want %d), required %v, first %+v", len(typ.Choices), counts[c.minor], typ.Required, typ.Choices[0])
		}
		// A channel subinterface is bound to a channel of a channelized parent (4.7).
		parent := c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "qsfp0", "type": "100gbase-x-qsfp28", "channels": 4})
		for i, tc := range []struct {
			typ   string
			since int
		}{{"1000base-sx", 3}, {"25gbase-sr", 4}, {"10gbase-cu", 5}, {"channel", 7}} {
			body := map[string]any{"device": w.device, "name": fmt.Sprintf("t%d", i), "type": tc.typ}
			if tc.typ == "channel" {
				body["parent"], body["channel_id"] = parent, 2
			}
			code, out := c.do(http.MethodPost, "/api/dcim/interfaces/", body)
			want := http.StatusCreated
			if !c.atLeast(tc.since) {
				want = http.StatusBadRequest
			}
			if code != want {
				t.Errorf("interface of type %s: %d %s, want %d", tc.typ, code, out, want)
			}
		}
	})
}

// TestConformancePlatformUniqueness: a platform's name was unique in 4.3, and is unique per
// manufacturer from 4.4.
func TestConformancePlatformUniqueness(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		m1 := c.create("dcim/manufacturers", map[string]any{"name": c.n("M1"), "slug": c.n("m1")})
		m2 := c.create("dcim/manufacturers", map[string]any{"name": c.n("M2"), "slug": c.n("m2")})
		c.create("dcim/platforms", map[string]any{"name": c.n("Linux"), "slug": c.n("linux"), "manufacturer": m1})
		code, body := c.do(http.MethodPost, "/api/dcim/platforms/", map[string]any{"name": c.n("Linux"), "slug": c.n("linux"), "manufacturer": m2})
		if c.atLeast(4) {
			if code != http.StatusCreated {
				t.Errorf("same platform for another manufacturer: %d %s", code, body)
			}
			code, body = c.do(http.MethodPost, "/api/dcim/platforms/", map[string]any{"name": c.n("Linux"), "slug": c.n("linux2"), "manufacturer": m2})
			want := `{"__all__":["Platform with this Manufacturer and Name already exists."]}`
			if c.atLeast(7) {
				want = `{"__all__":["Platform name must be unique."]}`
			}
			if code != http.StatusBadRequest || string(body) != want {
				t.Errorf("same platform for the same manufacturer: %d %s, want %s", code, body, want)
			}
			c.create("dcim/platforms", map[string]any{"name": c.n("BSD"), "slug": c.n("bsd")})
			code, body = c.do(http.MethodPost, "/api/dcim/platforms/", map[string]any{"name": c.n("BSD"), "slug": c.n("bsd2")})
			if want := `{"__all__":["Platform name must be unique."]}`; code != http.StatusBadRequest || string(body) != want {
				t.Errorf("same platform without manufacturer: %d %s, want %s", code, body, want)
			}
			return
		}
		want := `{"name":["platform with this name already exists."],"slug":["platform with this slug already exists."]}`
		if code != http.StatusBadRequest || string(body) != want {
			t.Errorf("same platform for another manufacturer: %d %s, want %s", code, body, want)
		}
	})
}

// TestConformanceChangelogMessage: from 4.4 a write's changelog_message is recorded on its
// change.
func TestConformanceChangelogMessage(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		id := c.create("dcim/sites", map[string]any{"name": c.n("Logged"), "slug": c.n("logged"), "changelog_message": "run 7 batch 1"})
		code, body := c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/sites/%d/", id), map[string]any{"description": "x", "changelog_message": "run 7 batch 2"})
		if code != http.StatusOK {
			t.Fatalf("patch: %d %s", code, body)
		}
		page := c.get(fmt.Sprintf("/api/core/object-changes/?changed_object_type=dcim.site&changed_object_id=%d", id))
		results, _ := page["results"].([]any)
		var got []string
		for _, r := range results {
			m := r.(map[string]any)
			got = append(got, fmt.Sprintf("%v:%v", m["action"].(map[string]any)["value"], m["message"]))
		}
		want := []string{"update:<nil>", "create:<nil>"}
		if c.atLeast(4) {
			want = []string{"update:run 7 batch 2", "create:run 7 batch 1"}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("changes = %v, want %v", got, want)
		}
		if c.atLeast(4) {
			code, body = c.do(http.MethodDelete, fmt.Sprintf("/api/dcim/sites/%d/", id), map[string]any{"changelog_message": ""})
			if want := `{"changelog_message":["This field may not be blank."]}`; code != http.StatusBadRequest || string(body) != want {
				t.Errorf("delete with a blank message: %d %s, want %s", code, body, want)
			}
		}
	})
}

// TestConformanceETags: from 4.6 object answers carry a weak ETag, and a stale If-Match is
// refused with 412.
func TestConformanceETags(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		id := c.create("dcim/sites", map[string]any{"name": c.n("Tagged"), "slug": c.n("tagged")})
		path := fmt.Sprintf("/api/dcim/sites/%d/", id)
		resp := c.send(http.MethodGet, path, nil, nil)
		tag := resp.Header.Get("ETag")
		if !c.atLeast(6) {
			if tag != "" {
				t.Errorf("ETag before 4.6: %q", tag)
			}
			return
		}
		if !strings.HasPrefix(tag, `W/"`) {
			t.Fatalf("ETag = %q", tag)
		}
		resp = c.send(http.MethodPatch, path, map[string]any{"description": "one"}, map[string]string{"If-Match": tag})
		fresh := resp.Header.Get("ETag")
		if resp.StatusCode != http.StatusOK || fresh == tag || fresh == "" {
			t.Fatalf("PATCH with a current If-Match: %d, ETag %q after %q", resp.StatusCode, fresh, tag)
		}
		resp = c.send(http.MethodPatch, path, map[string]any{"description": "two"}, map[string]string{"If-Match": tag})
		if resp.StatusCode != http.StatusPreconditionFailed || resp.Header.Get("ETag") != fresh || string(resp.body) != `{"detail":"Precondition failed."}` {
			t.Errorf("PATCH with a stale If-Match: %d %s ETag %q", resp.StatusCode, resp.body, resp.Header.Get("ETag"))
		}
		resp = c.send(http.MethodDelete, path, nil, map[string]string{"If-Match": tag})
		if resp.StatusCode != http.StatusPreconditionFailed {
			t.Errorf("DELETE with a stale If-Match: %d %s", resp.StatusCode, resp.body)
		}
		resp = c.send(http.MethodDelete, path, nil, map[string]string{"If-Match": "*"})
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("DELETE with If-Match *: %d %s", resp.StatusCode, resp.body)
		}
	})
}

// testCursorPaging: from 4.6 ?start=<id> pages by ID, without a count or a previous page.
func testCursorPaging(t *testing.T, c *apiClient, prefix string) {
	first := c.get("/api/extras/tags/?name__isw=" + prefix + "&limit=1&ordering=id")["results"].([]any)[0].(map[string]any)
	start := int64(first["id"].(float64))
	var seen int
	next := fmt.Sprintf("/api/extras/tags/?name__isw=%s&start=%d&limit=500", prefix, start)
	for pages := 0; next != ""; pages++ {
		page := c.get(next)
		if page["count"] != nil || page["previous"] != nil || pages > 5 {
			t.Fatalf("cursor page %d: count %v previous %v", pages, page["count"], page["previous"])
		}
		seen += len(page["results"].([]any))
		next = ""
		if n, ok := page["next"].(string); ok {
			next = strings.TrimPrefix(n, c.url)
		}
	}
	if seen != 1205 {
		t.Errorf("cursor paging saw %d tags, want 1205", seen)
	}
	for q, want := range map[string]string{
		"start=-1":              `["Invalid 'start' parameter: must be a non-negative integer."]`,
		"start=1&offset=5":      `["'start' and 'offset' are mutually exclusive."]`,
		"start=1&ordering=name": `["Ordering cannot be specified in conjunction with cursor-based pagination."]`,
	} {
		if code, body := c.do(http.MethodGet, "/api/extras/tags/?"+q, nil); code != http.StatusBadRequest || string(body) != want {
			t.Errorf("%s: %d %s, want %s", q, code, body, want)
		}
	}
}

// TestConformanceSelectionCustomFields: select and multiselect values are written as values,
// filtered by value, and read back as {"value", "label"} from 4.7.
func TestConformanceSelectionCustomFields(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		set := c.create("extras/custom-field-choice-sets", map[string]any{"name": c.n("Tiers"),
			"extra_choices": [][]string{{"gold", "Gold"}, {"silver", "Silver"}}})
		for name, typ := range map[string]string{"tier": "select", "tiers": "multiselect"} {
			c.create("extras/custom-fields", map[string]any{"name": c.n(name), "type": typ, "object_types": []string{"dcim.device"},
				"choice_set": set})
		}
		code, body := c.do(http.MethodPost, "/api/extras/custom-fields/", map[string]any{"name": c.n("nochoice"), "type": "select",
			"object_types": []string{"dcim.device"}})
		if want := `{"choice_set":["Selection fields must specify a set of choices."]}`; code != http.StatusBadRequest || string(body) != want {
			t.Errorf("select field without choices: %d %s, want %s", code, body, want)
		}
		path := fmt.Sprintf("/api/dcim/devices/%d/", w.device)
		code, body = c.do(http.MethodPatch, path, map[string]any{"custom_fields": map[string]any{c.n("tier"): "gold", c.n("tiers"): []string{"gold", "silver"}}})
		if code != http.StatusOK {
			t.Fatalf("set selections: %d %s", code, body)
		}
		cfs := c.get(path)["custom_fields"].(map[string]any)
		var wantTier, wantTiers any = "gold", []any{"gold", "silver"}
		if c.atLeast(7) {
			wantTier = map[string]any{"value": "gold", "label": "Gold"}
			wantTiers = []any{map[string]any{"value": "gold", "label": "Gold"}, map[string]any{"value": "silver", "label": "Silver"}}
		}
		if !reflect.DeepEqual(cfs[c.n("tier")], wantTier) || !reflect.DeepEqual(cfs[c.n("tiers")], wantTiers) {
			t.Errorf("selections read back as %v and %v, want %v and %v", cfs[c.n("tier")], cfs[c.n("tiers")], wantTier, wantTiers)
		}
		if got := c.count("/api/dcim/devices/?cf_" + c.n("tier") + "=gold"); got != 1 {
			t.Errorf("devices with tier gold = %d", got)
		}
		code, body = c.do(http.MethodPatch, path, map[string]any{"custom_fields": map[string]any{c.n("tier"): "bronze"}})
		want := fmt.Sprintf(`{"__all__":["Invalid value for custom field '%s': Invalid choice (bronze) for choice set %s."]}`, c.n("tier"), c.n("Tiers"))
		if code != http.StatusBadRequest || string(body) != want {
			t.Errorf("unknown choice: %d %s, want %s", code, body, want)
		}
	})
}

// TestConformanceMACShortcut: from 4.7 writing an interface's mac_address sets its primary MAC,
// creating the MAC address object when the interface has none with that address; before, the
// field is read-only and ignored.
func TestConformanceMACShortcut(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		path := fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface)
		mac := fmt.Sprintf("02:00:00:%02X:AA:01", c.net)
		code, body := c.do(http.MethodPatch, path, map[string]any{"mac_address": strings.ToLower(mac)})
		if code != http.StatusOK {
			t.Fatalf("patch mac_address: %d %s", code, body)
		}
		iface := c.get(path)
		macs := c.count(fmt.Sprintf("/api/dcim/mac-addresses/?assigned_object_type=dcim.interface&assigned_object_id=%d", w.iface))
		if !c.atLeast(7) {
			if iface["mac_address"] != nil || macs != 1 {
				t.Errorf("before 4.7 mac_address is read-only: %v, %d MACs", iface["mac_address"], macs)
			}
			return
		}
		primary, _ := iface["primary_mac_address"].(map[string]any)
		if iface["mac_address"] != mac || macs != 2 || primary == nil || primary["mac_address"] != mac {
			t.Errorf("after the shortcut: mac_address %v, primary %v, %d MACs", iface["mac_address"], primary, macs)
		}
		// The interface's existing MAC is reused, not duplicated.
		if code, body := c.do(http.MethodPatch, path, map[string]any{"mac_address": c.mac(1)}); code != http.StatusOK {
			t.Fatalf("patch to the seeded MAC: %d %s", code, body)
		}
		iface = c.get(path)
		if primary, _ := iface["primary_mac_address"].(map[string]any); primary == nil || int64(primary["id"].(float64)) != w.mac {
			t.Errorf("primary MAC = %v, want the seeded one %d", iface["primary_mac_address"], w.mac)
		}
		code, body = c.do(http.MethodPatch, path, map[string]any{"mac_address": "nope"})
		if want := `{"mac_address":["Enter a valid MAC address (e.g. 00:11:22:33:44:55)."]}`; code != http.StatusBadRequest || string(body) != want {
			t.Errorf("invalid mac_address: %d %s, want %s", code, body, want)
		}
		if code, body := c.do(http.MethodPatch, path, map[string]any{"mac_address": nil}); code != http.StatusOK || c.get(path)["mac_address"] != nil {
			t.Errorf("clearing mac_address: %d %s", code, body)
		}
	})
}
