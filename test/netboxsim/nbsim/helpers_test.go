package nbsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// apiClient sends raw JSON requests to the NetBox under test: an emulator (sim set) or a real
// NetBox.
type apiClient struct {
	t     testing.TB
	url   string
	auth  string // the Authorization header sent
	sim   *nbsim.Server
	v1    string // the v1 token
	v2    string // the v2 token ("nbt_..."), from NetBox 4.5
	minor int    // the target's NetBox minor version
	uniq  string // prefix of every name the client gives ("" on an emulator of its own)
	net   int    // second octet of the client's addresses
}

// newSim is an emulator of the default version for the tests of emulator internals.
func newSim(t testing.TB) *apiClient {
	t.Helper()
	return newSimVersion(t, nbsim.DefaultVersion)
}

// n is name made the client's own.
func (c *apiClient) n(name string) string { return c.uniq + name }

// ip is the address seed(n) gives its interface.
func (c *apiClient) ip(n int) string { return fmt.Sprintf("10.%d.%d.1/24", c.net, n) }

// mac is the MAC address seed(n) gives its interface.
func (c *apiClient) mac(n int) string { return fmt.Sprintf("02:00:00:%02X:00:%02X", c.net, n) }

// do sends body (nil, raw []byte or a value to encode) and returns the status and body.
func (c *apiClient) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.url+path, rd)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read %s %s: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// response is an answer with its headers.
type response struct {
	*http.Response
	body []byte
}

// send is do with extra headers, returning the whole answer.
func (c *apiClient) send(method, path string, body any, headers map[string]string) response {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		enc, err := json.Marshal(body)
		if err != nil {
			c.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.url+path, rd)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read %s %s: %v", method, path, err)
	}
	return response{Response: resp, body: out}
}

// create posts body and returns the new object's ID, failing the test on any other answer.
func (c *apiClient) create(endpoint string, body any) int64 {
	c.t.Helper()
	code, out := c.do(http.MethodPost, "/api/"+endpoint+"/", body)
	if code != http.StatusCreated {
		c.t.Fatalf("create %s: %d %s", endpoint, code, out)
	}
	var obj struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(out, &obj); err != nil {
		c.t.Fatalf("decode created %s: %v", endpoint, err)
	}
	return obj.ID
}

// get fetches path and decodes it into a generic map, failing unless the answer is 200.
func (c *apiClient) get(path string) map[string]any {
	c.t.Helper()
	code, out := c.do(http.MethodGet, path, nil)
	if code != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, code, out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		c.t.Fatalf("decode %s: %v", path, err)
	}
	return m
}

// count returns a list's count for path.
func (c *apiClient) count(path string) int {
	c.t.Helper()
	n, ok := c.get(path)["count"].(float64)
	if !ok {
		c.t.Fatalf("GET %s: no count", path)
	}
	return int(n)
}

// world is a set of related objects most tests start from.
type world struct {
	tag, tenant, site, location, mfr, deviceType, role, platform, device, iface, mac, ip int64
	vrf, clusterType, cluster, vm, vmIface, disk, prefix, service, customField           int64
}

func (c *apiClient) seed(n int) world {
	c.t.Helper()
	s := fmt.Sprint(n)
	u := c.n
	var w world
	w.tag = c.create("extras/tags", map[string]any{"name": u("tag" + s), "slug": u("tag" + s)})
	w.customField = c.create("extras/custom-fields", map[string]any{"name": u("agent_id" + s), "type": "text",
		"object_types": []string{"dcim.device", "virtualization.virtualmachine"}, "filter_logic": "exact"})
	w.tenant = c.create("tenancy/tenants", map[string]any{"name": u("Tenant " + s), "slug": u("tenant" + s)})
	w.site = c.create("dcim/sites", map[string]any{"name": u("Site " + s), "slug": u("site" + s)})
	w.location = c.create("dcim/locations", map[string]any{"name": u("Room " + s), "slug": u("room" + s), "site": w.site})
	w.mfr = c.create("dcim/manufacturers", map[string]any{"name": u("Maker " + s), "slug": u("maker" + s)})
	w.deviceType = c.create("dcim/device-types", map[string]any{"manufacturer": w.mfr, "model": u("Model " + s), "slug": u("model" + s)})
	w.role = c.create("dcim/device-roles", map[string]any{"name": u("Role " + s), "slug": u("role" + s)})
	w.platform = c.create("dcim/platforms", map[string]any{"name": u("Platform " + s), "slug": u("platform" + s)})
	w.device = c.create("dcim/devices", map[string]any{"name": u("dev" + s), "device_type": w.deviceType, "role": w.role,
		"site": w.site, "platform": w.platform, "serial": u("SN" + s), "tags": []any{w.tag},
		"custom_fields": map[string]any{u("agent_id" + s): "test/dev" + s}})
	w.iface = c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "eth0", "type": "1000base-t"})
	w.mac = c.create("dcim/mac-addresses", map[string]any{"mac_address": c.mac(n),
		"assigned_object_type": "dcim.interface", "assigned_object_id": w.iface})
	w.vrf = c.create("ipam/vrfs", map[string]any{"name": u("VRF " + s)})
	w.ip = c.create("ipam/ip-addresses", map[string]any{"address": c.ip(n),
		"assigned_object_type": "dcim.interface", "assigned_object_id": w.iface})
	w.prefix = c.create("ipam/prefixes", map[string]any{"prefix": fmt.Sprintf("10.%d.%d.0/24", c.net, n+100),
		"scope_type": "dcim.site", "scope_id": w.site})
	w.clusterType = c.create("virtualization/cluster-types", map[string]any{"name": u("Type " + s), "slug": u("type" + s)})
	w.cluster = c.create("virtualization/clusters", map[string]any{"name": u("cluster" + s), "type": w.clusterType,
		"scope_type": "dcim.site", "scope_id": w.site})
	w.vm = c.create("virtualization/virtual-machines", map[string]any{"name": u("vm" + s), "cluster": w.cluster,
		"vcpus": 2, "memory": 1024})
	w.vmIface = c.create("virtualization/interfaces", map[string]any{"virtual_machine": w.vm, "name": "net0"})
	w.disk = c.create("virtualization/virtual-disks", map[string]any{"virtual_machine": w.vm, "name": "scsi0", "size": 10240})
	w.service = c.create("ipam/services", map[string]any{"parent_object_type": "dcim.device", "parent_object_id": w.device,
		"name": "ssh", "protocol": "tcp", "ports": []int{22}})
	return w
}

// total is the number of objects at endpoint whose names are the client's own (all of them on
// an emulator of its own), counted through the API.
func (c *apiClient) total(endpoint, field string) int {
	c.t.Helper()
	if c.uniq == "" {
		return c.count("/api/" + endpoint + "/?limit=1")
	}
	return c.count("/api/" + endpoint + "/?limit=1&" + field + "__isw=" + c.uniq)
}
