package nbsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// apiClient sends raw JSON requests to an emulator under test.
type apiClient struct {
	t    testing.TB
	url  string
	auth string
	sim  *nbsim.Server
}

func newSim(t testing.TB) *apiClient {
	t.Helper()
	sim := nbsim.New(nbsim.Options{Token: testToken})
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	return &apiClient{t: t, url: ts.URL, auth: "Token " + testToken, sim: sim}
}

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
	var w world
	w.tag = c.create("extras/tags", map[string]any{"name": "tag" + s, "slug": "tag" + s})
	w.customField = c.create("extras/custom-fields", map[string]any{"name": "agent_id" + s, "type": "text",
		"object_types": []string{"dcim.device", "virtualization.virtualmachine"}, "filter_logic": "exact"})
	w.tenant = c.create("tenancy/tenants", map[string]any{"name": "Tenant " + s, "slug": "tenant" + s})
	w.site = c.create("dcim/sites", map[string]any{"name": "Site " + s, "slug": "site" + s})
	w.location = c.create("dcim/locations", map[string]any{"name": "Room " + s, "slug": "room" + s, "site": w.site})
	w.mfr = c.create("dcim/manufacturers", map[string]any{"name": "Maker " + s, "slug": "maker" + s})
	w.deviceType = c.create("dcim/device-types", map[string]any{"manufacturer": w.mfr, "model": "Model " + s, "slug": "model" + s})
	w.role = c.create("dcim/device-roles", map[string]any{"name": "Role " + s, "slug": "role" + s})
	w.platform = c.create("dcim/platforms", map[string]any{"name": "Platform " + s, "slug": "platform" + s})
	w.device = c.create("dcim/devices", map[string]any{"name": "dev" + s, "device_type": w.deviceType, "role": w.role,
		"site": w.site, "platform": w.platform, "serial": "SN" + s, "tags": []any{w.tag},
		"custom_fields": map[string]any{"agent_id" + s: "test/dev" + s}})
	w.iface = c.create("dcim/interfaces", map[string]any{"device": w.device, "name": "eth0", "type": "1000base-t"})
	w.mac = c.create("dcim/mac-addresses", map[string]any{"mac_address": fmt.Sprintf("02:00:00:00:00:%02x", n),
		"assigned_object_type": "dcim.interface", "assigned_object_id": w.iface})
	w.vrf = c.create("ipam/vrfs", map[string]any{"name": "VRF " + s})
	w.ip = c.create("ipam/ip-addresses", map[string]any{"address": fmt.Sprintf("192.0.2.%d/24", n),
		"assigned_object_type": "dcim.interface", "assigned_object_id": w.iface})
	w.prefix = c.create("ipam/prefixes", map[string]any{"prefix": fmt.Sprintf("10.%d.0.0/16", n),
		"scope_type": "dcim.site", "scope_id": w.site})
	w.clusterType = c.create("virtualization/cluster-types", map[string]any{"name": "Type " + s, "slug": "type" + s})
	w.cluster = c.create("virtualization/clusters", map[string]any{"name": "cluster" + s, "type": w.clusterType,
		"scope_type": "dcim.site", "scope_id": w.site})
	w.vm = c.create("virtualization/virtual-machines", map[string]any{"name": "vm" + s, "cluster": w.cluster,
		"vcpus": 2, "memory": 1024})
	w.vmIface = c.create("virtualization/interfaces", map[string]any{"virtual_machine": w.vm, "name": "net0"})
	w.disk = c.create("virtualization/virtual-disks", map[string]any{"virtual_machine": w.vm, "name": "scsi0", "size": 10240})
	w.service = c.create("ipam/services", map[string]any{"parent_object_type": "dcim.device", "parent_object_id": w.device,
		"name": "ssh", "protocol": "tcp", "ports": []int{22}})
	return w
}
