package netbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

const simToken = "0123456789abcdef0123456789abcdef01234567"

// day0 is the date of the first run in the tests.
var day0 = time.Date(2025, 3, 1, 6, 0, 0, 0, time.UTC)

// newSim starts an emulated NetBox of the emulator's default release and a
// client for it.
func newSim(t testing.TB, cfg Config) (*nbsim.Server, *Client) {
	t.Helper()
	sim, c, _ := newSimAt(t, "", cfg)
	return sim, c
}

// newSimAt starts an emulated NetBox of release version ("4.3" to "4.7",
// "" for the default) and a client for it, and records the writes it gets.
func newSimAt(t testing.TB, version string, cfg Config) (*nbsim.Server, *Client, *writeLog) {
	t.Helper()
	sim := nbsim.New(nbsim.Options{Token: simToken, Seed: 1, Version: version})
	log := &writeLog{}
	srv := httptest.NewServer(log.wrap(t, sim))
	t.Cleanup(srv.Close)
	cfg.URL = srv.URL
	c, err := NewClient(cfg, simToken, zap.NewNop())
	require.NoError(t, err)
	c.retryBase = time.Millisecond
	return sim, c, log
}

// writeLog keeps the body of every write request a NetBox got.
type writeLog struct {
	mu     sync.Mutex
	writes []loggedWrite
}

// loggedWrite is one write request: its method, path and body.
type loggedWrite struct {
	Method, Path string
	Body         any
}

func (l *writeLog) wrap(t testing.TB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodOptions && r.Body != nil {
			data, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			var body any
			if len(data) > 0 {
				require.NoError(t, json.Unmarshal(data, &body))
			}
			l.mu.Lock()
			l.writes = append(l.writes, loggedWrite{Method: r.Method, Path: r.URL.Path, Body: body})
			l.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(data))
		}
		next.ServeHTTP(w, r)
	})
}

// items returns the objects of every write logged so far, each with its
// request; a single-object body counts as one.
func (l *writeLog) items() []loggedItem {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []loggedItem
	for _, w := range l.writes {
		switch b := w.Body.(type) {
		case []any:
			for _, x := range b {
				m, _ := x.(map[string]any)
				out = append(out, loggedItem{Method: w.Method, Path: w.Path, Item: m})
			}
		case map[string]any:
			out = append(out, loggedItem{Method: w.Method, Path: w.Path, Item: b})
		}
	}
	return out
}

// loggedItem is one object of a logged write.
type loggedItem struct {
	Method, Path string
	Item         map[string]any
}

// testConfig is DefaultConfig with small batches, so that the tests see
// several batches per kind.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.BatchSize = 10
	return cfg
}

// rec builds a record.
func rec(kind inventory.Kind, key, source string, attrs map[string]any, refs map[string]string) inventory.Record {
	r := inventory.Record{Kind: kind, Key: key, Source: source}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.Set(k, attrs[k])
	}
	refKeys := make([]string, 0, len(refs))
	for k := range refs {
		refKeys = append(refKeys, k)
	}
	sort.Strings(refKeys)
	for _, k := range refKeys {
		r.Ref(k, refs[k])
	}
	return r
}

// labInventory is a home lab as a filesystem source would report it:
// shared records, hosts with interfaces, MACs and IPs, and VMs with an
// interface, MAC, IP, disk and service each.
func labInventory(source string, hosts, vmsPerHost int) []inventory.Record {
	sk := inventory.SharedKey
	site := sk(inventory.KindSite, "Home Lab")
	mfr := sk(inventory.KindManufacturer, "Dell Inc.")
	dt := sk(inventory.KindDeviceType, "Dell Inc. PowerEdge R640")
	role := sk(inventory.KindDeviceRole, "Hypervisor")
	vmRole := sk(inventory.KindDeviceRole, "Server")
	plat := sk(inventory.KindPlatform, "Proxmox VE 8.2")
	ct := sk(inventory.KindClusterType, "Proxmox VE")
	// Sources other than "lab" name their hosts and cluster after themselves.
	prefix, net := "", 1
	if source != "lab" {
		prefix, net = source+"-", 2
		for _, c := range source {
			net = (net + int(c)) % 250
		}
	}
	cluster := inventory.Key("fs", source, "cluster", "homelab")
	out := []inventory.Record{
		rec(inventory.KindSite, site, source, map[string]any{"name": "Home Lab", "status": "active"}, nil),
		rec(inventory.KindManufacturer, mfr, source, map[string]any{"name": "Dell Inc."}, nil),
		rec(inventory.KindDeviceType, dt, source, map[string]any{"model": "PowerEdge R640", "u_height": 1}, map[string]string{"manufacturer": mfr}),
		rec(inventory.KindDeviceRole, role, source, map[string]any{"name": "Hypervisor", "color": "FF5722"}, nil),
		rec(inventory.KindDeviceRole, vmRole, source, map[string]any{"name": "Server", "color": "2196f3", "vm_role": true}, nil),
		rec(inventory.KindPlatform, plat, source, map[string]any{"name": "Proxmox VE 8.2"}, map[string]string{"manufacturer": mfr}),
		rec(inventory.KindClusterType, ct, source, map[string]any{"name": "Proxmox VE"}, nil),
		rec(inventory.KindCluster, cluster, source, map[string]any{"name": prefix + "homelab", "status": "active"}, map[string]string{"type": ct, "site": site}),
	}
	for h := 1; h <= hosts; h++ {
		name := fmt.Sprintf("%spve%d", prefix, h)
		dev := inventory.Key("fs", source, "device", name)
		out = append(out, rec(inventory.KindDevice, dev, source,
			map[string]any{"name": name, "serial": fmt.Sprintf("SN%04d", h), "status": "active"},
			map[string]string{"site": site, "device_type": dt, "role": role, "platform": plat, "cluster": cluster}))
		for i, ifname := range []string{"eno1", "eno2"} {
			ifc := inventory.Key("fs", source, "device", name, "iface", ifname)
			out = append(out,
				rec(inventory.KindInterface, ifc, source, map[string]any{"name": ifname, "type": "1000base-t", "enabled": true}, map[string]string{"device": dev}),
				rec(inventory.KindMACAddress, ifc+"/mac", source, map[string]any{"mac_address": fmt.Sprintf("24:6e:%02x:%02x:%02x:%02x", net, h>>8, h&0xff, i)}, map[string]string{"interface": ifc}))
			if i == 0 {
				out = append(out, rec(inventory.KindIPAddress, ifc+"/ip", source,
					map[string]any{"address": fmt.Sprintf("192.%d.%d.%d/16", net, (20+h)>>8, (20+h)&0xff), "status": "active", "dns_name": name + ".home.arpa"},
					map[string]string{"interface": ifc}))
			}
		}
		for v := 1; v <= vmsPerHost; v++ {
			vmName := fmt.Sprintf("%svm%d-%d", prefix, h, v)
			vm := inventory.Key("fs", source, "vm", vmName)
			ifc := vm + "/iface/net0"
			out = append(out,
				rec(inventory.KindVirtualMachine, vm, source,
					map[string]any{"name": vmName, "status": "active", "vcpus": 2, "memory": 2048},
					map[string]string{"cluster": cluster, "device": dev, "role": vmRole}),
				rec(inventory.KindVMInterface, ifc, source, map[string]any{"name": "net0", "enabled": true}, map[string]string{"virtual_machine": vm}),
				rec(inventory.KindMACAddress, ifc+"/mac", source, map[string]any{"mac_address": fmt.Sprintf("bc:24:%02x:%02x:%02x:%02x", net, h>>8, h&0xff, v)}, map[string]string{"interface": ifc}),
				rec(inventory.KindIPAddress, ifc+"/ip", source, map[string]any{"address": fmt.Sprintf("10.%d.%d.%d/8", net, h&0xff, v+16*(h>>8))}, map[string]string{"interface": ifc}),
				rec(inventory.KindVirtualDisk, vm+"/disk/scsi0", source, map[string]any{"name": "scsi0", "size": 32768}, map[string]string{"virtual_machine": vm}),
				rec(inventory.KindService, vm+"/svc/ssh", source, map[string]any{"name": "ssh", "protocol": "tcp", "ports": []int{22}}, map[string]string{"parent": vm}),
			)
		}
	}
	return out
}

// applyAll applies every batch in order the way the workflow does:
// retrying a batch that returns an error (as Temporal would) and passing
// the batches that failed for good.
func applyAll(t testing.TB, c *Client, p *Plan) []BatchResult {
	t.Helper()
	var failed []int
	var out []BatchResult
	for _, b := range p.Batches {
		var res BatchResult
		var err error
		for attempt := 0; attempt < 30; attempt++ {
			res, err = c.ApplyBatch(context.Background(), p, b.ID, failed)
			if err == nil {
				break
			}
			var ae *APIError
			if errors.As(err, &ae) && !ae.Retryable() {
				break
			}
		}
		if err != nil {
			failed = append(failed, b.ID)
			t.Logf("batch %d failed: %v", b.ID, err)
		}
		out = append(out, res)
	}
	return out
}

// planRetry plans, retrying transient errors as the workflow would.
func planRetry(t testing.TB, c *Client, req PlanRequest) *Plan {
	t.Helper()
	var last error
	for attempt := 0; attempt < 30; attempt++ {
		p, err := c.Plan(context.Background(), req)
		if err == nil {
			return p
		}
		last = err
	}
	require.NoError(t, last)
	return nil
}

// sync runs schema, plan and apply once, and returns the plan.
func syncOnce(t testing.TB, c *Client, req PlanRequest) (*Plan, []BatchResult) {
	t.Helper()
	var err error
	for attempt := 0; attempt < 30; attempt++ {
		if err = c.EnsureSchema(context.Background()); err == nil {
			break
		}
	}
	require.NoError(t, err)
	p := planRetry(t, c, req)
	return p, applyAll(t, c, p)
}

// reads counts the requests that change nothing: GET lists and the
// OPTIONS that read a NetBox's choices.
func reads(st nbsim.Stats) int { return st.ByMethod["GET"] + st.ByMethod["OPTIONS"] }

// kindsWithChoices counts the kinds with choice fields, whose choices a
// plan reads once.
func kindsWithChoices() int {
	n := 0
	for _, s := range specOrder {
		for _, f := range s.Fields {
			if f.Type == typeChoice {
				n++
				break
			}
		}
	}
	return n
}

// ok reports the sources as succeeded.
func ok(names ...string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}

// totals sums batch results.
func totals(rs []BatchResult) BatchResult {
	var t BatchResult
	for _, r := range rs {
		t.Add(r.Tally)
		t.Problems = append(t.Problems, r.Problems...)
	}
	return t
}
