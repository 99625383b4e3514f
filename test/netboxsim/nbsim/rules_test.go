package nbsim_test

import (
	"fmt"
	"net/http"
	"testing"
)

// answerCase is one request and NetBox's exact answer: the status, and the body unless empty.
type answerCase struct {
	name, method, path string
	body               any
	code               int
	want               string
}

// check sends each case and compares the answer.
func (c *apiClient) check(t *testing.T, cases []answerCase) {
	t.Helper()
	for _, tc := range cases {
		code, body := c.do(tc.method, tc.path, tc.body)
		if code != tc.code || (tc.want != "" && string(body) != tc.want) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, code, body, tc.code, tc.want)
		}
	}
}

// TestConformanceInterfaceParents: only virtual interfaces have a parent (from 4.7 channel
// subinterfaces too) and virtual ones have no LAG (dcim/models/device_components.py
// Interface.clean, dcim/models/mixins.py InterfaceValidationMixin).
func TestConformanceInterfaceParents(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		lag := c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "bond0", "type": "lag"})
		onlyVirtual := since(c, `{"parent":["Only virtual interfaces may be assigned to a parent interface."]}`, 7,
			`{"parent":["Only virtual interfaces, or a channel subinterface with a channel ID assigned, may be assigned to a parent interface."]}`)
		iface := func(name, typ string, extra map[string]any) map[string]any {
			b := map[string]any{"device": w.device, "name": name, "type": typ}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		c.check(t, []answerCase{
			{"physical interface with a parent", "POST", "/api/dcim/interfaces/", iface("sub0", "1000base-t", map[string]any{"parent": w.iface}),
				http.StatusBadRequest, onlyVirtual},
			{"virtual interface with a parent", "POST", "/api/dcim/interfaces/", iface("eth0.10", "virtual", map[string]any{"parent": w.iface}),
				http.StatusCreated, ""},
			{"virtual interface in a LAG", "POST", "/api/dcim/interfaces/", iface("v1", "virtual", map[string]any{"lag": lag}),
				http.StatusBadRequest, `{"lag":["Virtual interfaces cannot have a parent LAG interface."]}`},
			{"physical interface in a LAG", "POST", "/api/dcim/interfaces/", iface("eth9", "1000base-t", map[string]any{"lag": lag}),
				http.StatusCreated, ""},
		})
	})
}

// TestConformanceChannelInterfaces: from 4.7 an interface is channelized into "channels", and
// a subinterface bound by channel_id to one of its parent's channels (InterfaceValidationMixin).
func TestConformanceChannelInterfaces(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		if !c.atLeast(7) {
			t.Skip("channel interfaces came with NetBox 4.7")
		}
		w := c.seed(1)
		parent := c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "qsfp0", "type": "100gbase-x-qsfp28", "channels": 4})
		ch := func(name, typ string, extra map[string]any) map[string]any {
			b := map[string]any{"device": w.device, "name": name, "type": typ, "parent": parent, "channel_id": 1}
			for k, v := range extra {
				if v == nil {
					delete(b, k)
				} else {
					b[k] = v
				}
			}
			return b
		}
		const path = "/api/dcim/interfaces/"
		c.check(t, []answerCase{
			{"channel", "POST", path, ch("qsfp0:1", "channel", nil), http.StatusCreated, ""},
			{"physical type on a channel", "POST", path, ch("qsfp0:2", "25gbase-x-sfp28", map[string]any{"channel_id": 2}), http.StatusCreated, ""},
			{"channel taken", "POST", path, ch("qsfp0:1b", "channel", nil), http.StatusBadRequest,
				`{"__all__":["Interface with this Parent interface and Channel ID already exists."]}`},
			{"channel without channel ID", "POST", path, ch("c1", "channel", map[string]any{"channel_id": nil}), http.StatusBadRequest,
				`{"parent":["Only virtual interfaces, or a channel subinterface with a channel ID assigned, may be assigned to a parent interface."]}`},
			{"channel without parent or ID", "POST", path, ch("c2", "channel", map[string]any{"channel_id": nil, "parent": nil}), http.StatusBadRequest,
				`{"channel_id":["Channel interfaces must have a channel ID assigned."]}`},
			{"channel without parent", "POST", path, ch("c3", "channel", map[string]any{"parent": nil}), http.StatusBadRequest,
				`{"parent":["A channel subinterface must be assigned to a parent interface."]}`},
			{"parent not channelized", "POST", path, ch("c4", "channel", map[string]any{"parent": w.iface}), http.StatusBadRequest,
				`{"parent":["The parent interface (eth0) is not channelized."]}`},
			{"channel beyond the parent's", "POST", path, ch("c5", "channel", map[string]any{"channel_id": 5}), http.StatusBadRequest,
				`{"channel_id":["Invalid channel ID (5): the parent interface provides only 4 channels."]}`},
			{"virtual interface on a channel", "POST", path, ch("c6", "virtual", nil), http.StatusBadRequest,
				`{"channel_id":["A channel ID cannot be assigned to a virtual, LAG, bridge, or wireless interface."]}`},
			{"virtual interface channelized", "POST", path, ch("c7", "virtual", map[string]any{"channel_id": nil, "parent": nil, "channels": 2}),
				http.StatusBadRequest, `{"channels":["Virtual interfaces cannot be channelized."]}`},
			{"channelized and bound", "POST", path, ch("c8", "25gbase-x-sfp28", map[string]any{"channel_id": 3, "channels": 2}),
				http.StatusBadRequest, `{"__all__":["An interface cannot be both channelized and bound to a channel on a parent interface."]}`},
		})
		got := c.get(fmt.Sprintf("/api/dcim/interfaces/?device_id=%d&name=qsfp0:1", w.device))["results"].([]any)[0].(map[string]any)
		if got["channel_id"] != float64(1) || got["channels"] != nil || got["parent"].(map[string]any)["id"] != float64(parent) {
			t.Errorf("channel subinterface read back as channel_id %v channels %v parent %v", got["channel_id"], got["channels"], got["parent"])
		}
		if n := c.get(fmt.Sprintf("/api/dcim/interfaces/%d/", parent))["channels"]; n != float64(4) {
			t.Errorf("parent channels = %v", n)
		}
	})
}

// TestConformancePrimaryMACAssignment: from 4.4 a new interface may take an unassigned MAC
// address as its primary one, which is then assigned to it (dcim/signals.py
// update_mac_address_interface); an update may do so until 4.7, which refuses it.
func TestConformancePrimaryMACAssignment(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		free := func(n int) (int64, string) {
			mac := fmt.Sprintf("02:00:00:%02X:BB:%02X", c.net, n)
			return c.create("dcim/mac-addresses", map[string]any{"mac_address": mac}), mac
		}
		m1, mac1 := free(1)
		code, body := c.do(http.MethodPost, "/api/dcim/interfaces/", map[string]any{"device": w.device, "name": "eth5", "type": "1000base-t", "primary_mac_address": m1})
		if !c.atLeast(4) {
			want := fmt.Sprintf(`{"primary_mac_address":["MAC address %s is not assigned to this interface."]}`, mac1)
			if code != http.StatusBadRequest || string(body) != want {
				t.Errorf("create with an unassigned primary MAC: %d %s, want 400 %s", code, body, want)
			}
			return
		}
		if code != http.StatusCreated {
			t.Fatalf("create with an unassigned primary MAC: %d %s", code, body)
		}
		eth5 := c.get(fmt.Sprintf("/api/dcim/interfaces/?device_id=%d&name=eth5", w.device))["results"].([]any)[0].(map[string]any)
		mac := c.get(fmt.Sprintf("/api/dcim/mac-addresses/%d/", m1))
		if mac["assigned_object_id"] != eth5["id"] || mac["assigned_object_type"] != "dcim.interface" || eth5["mac_address"] != mac1 {
			t.Errorf("MAC after the create: assigned to %v %v; interface mac_address %v", mac["assigned_object_type"], mac["assigned_object_id"], eth5["mac_address"])
		}
		m2, _ := free(2)
		code, body = c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface), map[string]any{"primary_mac_address": m2})
		want := http.StatusOK
		if c.atLeast(7) {
			want = http.StatusBadRequest
			if exp := `{"__all__":["Only a MAC address assigned to this interface can be its primary MAC address."]}`; string(body) != exp {
				t.Errorf("update to an unassigned primary MAC: %s, want %s", body, exp)
			}
		}
		if code != want {
			t.Errorf("update to an unassigned primary MAC: %d %s, want %d", code, body, want)
		}
	})
}

// TestConformanceVMHosts: up to 4.5 a VM's host device must be in the VM's cluster; from 4.6 a
// device outside any cluster hosts VMs of its own, which take its site and have names unique
// per device (virtualization/models/virtualmachines.py).
func TestConformanceVMHosts(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		const path = "/api/virtualization/virtual-machines/"
		if !c.atLeast(6) {
			c.check(t, []answerCase{{"VM on a device without a cluster", "POST", path,
				map[string]any{"name": c.n("solo"), "site": w.site, "device": w.device}, http.StatusBadRequest,
				`{"device":["Must specify a cluster when assigning a host device."]}`}})
			return
		}
		solo := c.create("virtualization/virtual-machines", map[string]any{"name": c.n("solo"), "device": w.device})
		if site := c.get(fmt.Sprintf("%s%d/", path, solo))["site"]; site == nil || site.(map[string]any)["id"] != float64(w.site) {
			t.Errorf("standalone VM's site = %v, want the device's %d", site, w.site)
		}
		site2 := c.create("dcim/sites", map[string]any{"name": c.n("Site 2"), "slug": c.n("site2")})
		clustered := c.create("dcim/devices", map[string]any{"name": c.n("host2"), "device_type": w.deviceType, "role": w.role,
			"site": w.site, "cluster": w.cluster})
		c.check(t, []answerCase{
			{"name taken on the device", "POST", path, map[string]any{"name": c.n("SOLO"), "device": w.device}, http.StatusBadRequest,
				since(c, `{"__all__":["Virtual machine name must be unique per device."]}`, 7,
					`{"__all__":["Virtual machine name must be unique per device and tenant."]}`)},
			{"device of another site", "POST", path, map[string]any{"name": c.n("far"), "device": w.device, "site": site2}, http.StatusBadRequest,
				fmt.Sprintf(`{"site":["The selected device (%s) is not assigned to this site (%s)."]}`, c.n("dev1"), c.n("Site 2"))},
			{"clustered device without its cluster", "POST", path, map[string]any{"name": c.n("lost"), "device": clustered}, http.StatusBadRequest,
				fmt.Sprintf(`{"cluster":["Must specify the assigned device's cluster (%s) when assigning host device %s."]}`, c.n("cluster1"), c.n("host2"))},
			{"clustered device with its cluster", "POST", path, map[string]any{"name": c.n("found"), "device": clustered, "cluster": w.cluster},
				http.StatusCreated, ""},
		})
	})
}

// TestConformanceInheritedDefaults: a new device takes its type's airflow, default platform
// and from 4.7 cooling method when it has none (Device.save); a new VM's start_on_boot is
// "off" from 4.5.
func TestConformanceInheritedDefaults(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		dtBody := map[string]any{"manufacturer": w.mfr, "model": c.n("Cooled"), "slug": c.n("cooled"), "airflow": "front-to-rear",
			"default_platform": w.platform}
		if c.atLeast(7) {
			dtBody["cooling_method"] = "liquid"
		}
		dt := c.create("dcim/device-types", dtBody)
		plain := c.create("dcim/devices", map[string]any{"name": c.n("plain"), "device_type": dt, "role": w.role, "site": w.site})
		own := c.create("dcim/devices", map[string]any{"name": c.n("own"), "device_type": dt, "role": w.role, "site": w.site, "airflow": "passive"})
		value := func(v any) any {
			if m, ok := v.(map[string]any); ok {
				return m["value"]
			}
			return v
		}
		for id, want := range map[int64]string{plain: "front-to-rear", own: "passive"} {
			d := c.get(fmt.Sprintf("/api/dcim/devices/%d/", id))
			platform, _ := d["platform"].(map[string]any)
			if value(d["airflow"]) != want || platform == nil || platform["id"] != float64(w.platform) {
				t.Errorf("device %d: airflow %v platform %v, want %s and the type's platform", id, d["airflow"], d["platform"], want)
			}
			if c.atLeast(7) && value(d["cooling_method"]) != "liquid" {
				t.Errorf("device %d: cooling_method %v, want liquid", id, d["cooling_method"])
			}
		}
		vm := c.get(fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w.vm))
		if got, ok := vm["start_on_boot"]; ok != c.atLeast(5) || (ok && value(got) != "off") {
			t.Errorf("start_on_boot = %v (present %v)", got, ok)
		}
	})
}

// TestConformancePrimaryIPs: a device's or VM's primary IPs are of their family and assigned
// to one of its interfaces (Device.clean, VirtualMachine.clean), as the agent sets them.
func TestConformancePrimaryIPs(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		v6 := fmt.Sprintf("fd00:%x::1/64", c.net)
		ip6 := c.create("ipam/ip-addresses", map[string]any{"address": v6, "assigned_object_type": "dcim.interface", "assigned_object_id": w.iface})
		vmIP := fmt.Sprintf("10.%d.240.1/24", c.net)
		vmIPID := c.create("ipam/ip-addresses", map[string]any{"address": vmIP, "assigned_object_type": "virtualization.vminterface", "assigned_object_id": w.vmIface})
		dev := fmt.Sprintf("/api/dcim/devices/%d/", w.device)
		vm := fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w.vm)
		c.check(t, []answerCase{
			{"device IPv6 as IPv4", "PATCH", dev, map[string]any{"primary_ip4": ip6}, http.StatusBadRequest,
				fmt.Sprintf(`{"primary_ip4":["%s is not an IPv4 address."]}`, v6)},
			{"device IP of a VM", "PATCH", dev, map[string]any{"primary_ip4": vmIPID}, http.StatusBadRequest,
				fmt.Sprintf(`{"primary_ip4":["The specified IP address (%s) is not assigned to this device."]}`, vmIP)},
			{"device IPs", "PATCH", dev, map[string]any{"primary_ip4": w.ip, "primary_ip6": ip6}, http.StatusOK, ""},
			{"VM IPv4 as IPv6", "PATCH", vm, map[string]any{"primary_ip6": vmIPID}, http.StatusBadRequest,
				fmt.Sprintf(`{"primary_ip6":["Must be an IPv6 address. (%s is an IPv4 address.)"]}`, vmIP)},
			{"VM IP of a device", "PATCH", vm, map[string]any{"primary_ip4": w.ip}, http.StatusBadRequest,
				fmt.Sprintf(`{"primary_ip4":["The specified IP address (%s) is not assigned to this VM."]}`, c.ip(1))},
			{"VM IP", "PATCH", vm, map[string]any{"primary_ip4": vmIPID}, http.StatusOK, ""},
			{"IP taken as another device's primary", "PATCH", fmt.Sprintf("/api/ipam/ip-addresses/%d/", w.ip),
				map[string]any{"assigned_object_type": "virtualization.vminterface", "assigned_object_id": w.vmIface}, http.StatusBadRequest,
				`{"__all__":["Cannot reassign IP address while it is designated as the primary IP for the parent object"]}`},
		})
		if got := c.get(dev)["primary_ip"]; got == nil || got.(map[string]any)["id"] != float64(ip6) {
			t.Errorf("device primary_ip = %v, want the IPv6 one (PREFER_IPV4 is off)", got)
		}
	})
}

// TestConformanceNestedGroupNames: device role and location names are unique per parent and
// among top-level ones; 4.7, keeping them as ltree trees, has one rule and one message for both.
func TestConformanceNestedGroupNames(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		role := func(name, slug string, parent int64) map[string]any {
			b := map[string]any{"name": c.n(name), "slug": c.n(slug)}
			if parent != 0 {
				b["parent"] = parent
			}
			return b
		}
		room := func(name, slug string, parent int64) map[string]any {
			b := map[string]any{"name": c.n(name), "slug": c.n(slug), "site": w.site}
			if parent != 0 {
				b["parent"] = parent
			}
			return b
		}
		c.create("dcim/device-roles", role("Child", "child", w.role))
		c.create("dcim/locations", room("Rack row", "rack-row", w.location))
		all := func(msg string) string { return fmt.Sprintf(`{"__all__":[%q]}`, msg) }
		roleName := since(c, "A top-level device role with this name already exists.", 7, "A device role with this name already exists.")
		childName := since(c, "Device role with this Parent and Name already exists.", 7, "A device role with this name already exists.")
		roomName := "A location with this name already exists within the specified site."
		childRoom := since(c, "Location with this Site, Parent and Name already exists.", 7, roomName)
		c.check(t, []answerCase{
			{"top-level role name taken", "POST", "/api/dcim/device-roles/", role("Role 1", "other", 0), http.StatusBadRequest, all(roleName)},
			{"child role name taken", "POST", "/api/dcim/device-roles/", role("Child", "child2", w.role), http.StatusBadRequest, all(childName)},
			{"child role named as a top-level one", "POST", "/api/dcim/device-roles/", role("Role 1", "child3", w.role), http.StatusCreated, ""},
			{"top-level location name taken", "POST", "/api/dcim/locations/", room("Room 1", "other", 0), http.StatusBadRequest, all(roomName)},
			{"child location name taken", "POST", "/api/dcim/locations/", room("Rack row", "rack-row2", w.location), http.StatusBadRequest, all(childRoom)},
		})
	})
}

// TestConformanceTrees: locations, device roles and from 4.4 platforms nest; a group's parent
// may not be itself or a descendant, and deleting a group deletes its children.
func TestConformanceTrees(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		cycle := func(noun string) string {
			return fmt.Sprintf(`{"parent":[%q]}`, since(c, "Cannot assign self or child "+noun+" as parent.", 7, "Cannot assign self or a descendant as parent."))
		}
		childRole := c.create("dcim/device-roles", map[string]any{"name": c.n("Sub"), "slug": c.n("sub"), "parent": w.role})
		childRoom := c.create("dcim/locations", map[string]any{"name": c.n("Cage"), "slug": c.n("cage"), "site": w.site, "parent": w.location})
		cases := []answerCase{
			{"role under its child", "PATCH", fmt.Sprintf("/api/dcim/device-roles/%d/", w.role), map[string]any{"parent": childRole},
				http.StatusBadRequest, cycle("device role")},
			{"location under itself", "PATCH", fmt.Sprintf("/api/dcim/locations/%d/", childRoom), map[string]any{"parent": childRoom},
				http.StatusBadRequest, cycle("location")},
		}
		if !c.atLeast(4) {
			c.check(t, cases)
			return
		}
		child := c.create("dcim/platforms", map[string]any{"name": c.n("Debian"), "slug": c.n("debian"), "parent": w.platform})
		got := c.get(fmt.Sprintf("/api/dcim/platforms/%d/", child))
		parent, _ := got["parent"].(map[string]any)
		if got["_depth"] != float64(1) || parent == nil || parent["id"] != float64(w.platform) || len(parent) != 5 || parent["display_url"] == nil {
			t.Errorf("child platform: _depth %v, parent %v", got["_depth"], got["parent"])
		}
		c.check(t, append(cases,
			answerCase{"platform under its child", "PATCH", fmt.Sprintf("/api/dcim/platforms/%d/", w.platform), map[string]any{"parent": child},
				http.StatusBadRequest, cycle("platform")},
			answerCase{"parent platform", "DELETE", fmt.Sprintf("/api/dcim/platforms/%d/", w.platform), nil, http.StatusNoContent, ""},
			answerCase{"child platform after its parent's delete", "GET", fmt.Sprintf("/api/dcim/platforms/%d/", child), nil, http.StatusNotFound, ""},
		))
	})
}
