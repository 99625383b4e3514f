package proxmox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// answers are the bodies a fuzzed Proxmox gives, one per kind of call;
// every node and every guest gets the same.
type answers struct {
	status, resources, network, config, agent, container, version []byte
}

// RoundTrip answers a call by its path, in memory, as pveproxy would with
// 200 and the body.
func (a answers) RoundTrip(req *http.Request) (*http.Response, error) {
	p := req.URL.Path
	var body []byte
	switch {
	case strings.HasSuffix(p, "/cluster/status"):
		body = a.status
	case strings.HasSuffix(p, "/cluster/resources"):
		body = a.resources
	case strings.HasSuffix(p, "/version"):
		body = a.version
	case strings.HasSuffix(p, "/network"):
		body = a.network
	case strings.HasSuffix(p, "/config"):
		body = a.config
	case strings.HasSuffix(p, "/agent/network-get-interfaces"):
		body = a.agent
	case strings.HasSuffix(p, "/interfaces"):
		body = a.container
	default:
		return &http.Response{StatusCode: http.StatusNotFound, Status: "404 Not Found",
			Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// fixture reads a recorded answer of the lab cluster.
func fixture(f *testing.F, rel string) []byte {
	f.Helper()
	b, err := os.ReadFile(filepath.Join("proxmoxtest", "testdata", filepath.FromSlash(rel)))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzDiscover feeds arbitrary answers to every call a discovery makes
// (cluster status and resources, node network, guest config, guest agent
// and container interfaces) through go-proxmox and the lenient decoders
// into the mapping. A discovery either fails with a classified error, or
// gives a snapshot whose records are valid, unique, refer only to records
// it holds and carry values NetBox takes.
func FuzzDiscover(f *testing.F) {
	lab := answers{
		status:    fixture(f, "lab/cluster/status.json"),
		resources: fixture(f, "lab/cluster/resources.json"),
		network:   fixture(f, "lab/nodes/node1/network.json"),
		config:    fixture(f, "lab/nodes/node1/qemu/100/config.json"),
		agent:     fixture(f, "lab/nodes/node1/qemu/100/agent/network-get-interfaces.json"),
		container: fixture(f, "lab/nodes/node1/lxc/100/interfaces.json"),
	}
	lxc := lab
	lxc.config = fixture(f, "lab/nodes/node1/lxc/100/config.json")
	node2 := lab
	node2.network = fixture(f, "lab/nodes/node2/network.json")
	node2.config = fixture(f, "lab/nodes/node2/qemu/104/config.json")
	pve80, pve84 := lxc, lxc
	pve80.container = readFile(f, "testdata/container-interfaces/pve8.0.json")
	pve84.container = readFile(f, "testdata/container-interfaces/pve8.4.json")
	offline := lab
	offline.status = fixture(f, "offline-node/cluster/status.json")
	offline.resources = fixture(f, "offline-node/cluster/resources.json")
	standalone := lab
	standalone.status = fixture(f, "standalone/cluster/status.json")
	standalone.resources = fixture(f, "standalone/cluster/resources.json")
	for _, a := range []answers{lab, lxc, node2, pve80, pve84, offline, standalone} {
		f.Add(a.status, a.resources, a.network, a.config, a.agent, a.container)
	}
	f.Add([]byte(`{"data":[{"type":"node","name":"n","online":1}]}`),
		[]byte(`{"data":[{"type":"qemu","vmid":"100","node":"n","status":"running","maxcpu":1e308,"maxmem":-1}]}`),
		[]byte(`{"data":[{"iface":"eno1","type":"eth","mtu":1e300,"cidr":"10.0.0.1/33"}]}`),
		[]byte(`{"data":{"net0":"virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=4095,mtu=99999999","scsi0":"local:1,size=1e3T","agent":"1","cores":-2,"memory":"current=0"}}`),
		[]byte(`{"data":{"result":[null,{"hardware-address":"bc:24:11:00:00:01","ip-addresses":[{"ip-address":"10.0.0.5","prefix":99}]}]}}`),
		[]byte(`{"data":[null]}`))

	s, _ := newSource(f, "fuzz", "https://127.0.0.1:8006", "")
	version := fixture(f, "lab/nodes/node1/version.json")
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, status, resources, network, config, agent, container []byte) {
		a := answers{status: status, resources: resources, network: network, config: config,
			agent: agent, container: container, version: version}
		c := newAPIClient(s.opts, &http.Client{Transport: statusTransport{next: a}}, nil, "fuzz-secret")
		snap, err := s.discover(ctx, &sourcetest.Progress{}, c)
		if err != nil {
			if !errors.Is(err, source.ErrMalformed) && !errors.Is(err, source.ErrUnreachable) && !errors.Is(err, source.ErrAuth) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		sourcetest.CheckStructure(t, SourceType, "fuzz", snap)
		for _, r := range snap.Records {
			checkBounds(t, r)
		}
		for _, w := range snap.Warnings {
			require.NotEmpty(t, strings.TrimSpace(w), "an empty warning")
		}
	})
}

// readFile reads a file of the package's testdata.
func readFile(f *testing.F, name string) []byte {
	f.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// checkBounds checks the numbers NetBox bounds: an MTU of 1-65536, vCPUs
// of at most 9999.99, memory and disk sizes of 1 MB to 2^31-1 MB.
func checkBounds(t *testing.T, r inventory.Record) {
	t.Helper()
	for field, limit := range map[string]float64{"mtu": 65536, "vcpus": 9999.99, "memory": math.MaxInt32, "size": math.MaxInt32} {
		v, ok := r.Attrs[field]
		if !ok {
			continue
		}
		var n float64
		switch x := v.(type) {
		case int64:
			n = float64(x)
		case int:
			n = float64(x)
		case float64:
			n = x
		default:
			t.Fatalf("%s %s: %s is a %T", r.Kind, r.Key, field, v)
		}
		if math.IsNaN(n) || n <= 0 || (field != "vcpus" && n < 1) || n > limit {
			t.Fatalf("%s %s: %s %v out of bounds", r.Kind, r.Key, field, v)
		}
	}
}
