package proxmox

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
	"github.com/netbox-agent/netbox-agent/activities/source/proxmox/proxmoxtest"
	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

func TestWrongTokenIsAnAuthError(t *testing.T) {
	srv := proxmoxtest.NewServer(t)
	const wrong = "11111111-2222-3333-4444-555555555555"
	src, logs := newSourceWithSecret(t, "alpha", srv.URL, "", wrong)
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrAuth, "refused API token "+proxmoxtest.TokenID, "401 authentication failure")
	sourcetest.AssertNoSecret(t, wrong, err, logs)
}

func TestTLSVerification(t *testing.T) {
	srv := httptest.NewTLSServer(proxmoxtest.NewFake())
	t.Cleanup(srv.Close)
	cases := append(sourcetest.TLSCases(t, srv),
		sourcetest.TLSCase{Name: "verify_tls false", URL: srv.URL, Settings: "verify_tls: false"})
	cases = append(cases, sourcetest.TLSVersionCases(t, proxmoxtest.NewFake())...)
	sourcetest.CheckTLS(t, cases, func(t *testing.T, url, settings string) (*source.Snapshot, error) {
		src, _ := newSource(t, "alpha", url, settings)
		return src.Discover(context.Background(), nil)
	})
}

func TestFatalFailures(t *testing.T) {
	cases := []struct {
		name    string
		prefix  string
		fault   proxmoxtest.Fault
		want    error
		message string
	}{
		{"cluster status forbidden", "/cluster/status", proxmoxtest.Fault{Status: 403, Reason: "Permission check failed (/, Sys.Audit)"}, source.ErrAuth, "PVEAuditor"},
		{"resources unavailable", "/cluster/resources", proxmoxtest.Fault{Status: 503, Reason: "Service Unavailable"}, source.ErrUnreachable, "503"},
		{"cluster status server error", "/cluster/status", proxmoxtest.Fault{Status: 500, Reason: "cluster not ready - no quorum?"}, source.ErrUnreachable, "no quorum"},
		{"guest config behind a bad gateway", "/nodes/node1/qemu/100/config", proxmoxtest.Fault{Status: 502, Reason: "Bad Gateway"}, source.ErrUnreachable, "qemu 100 (web01)"},
		{"token revoked midway", "/nodes/node2/lxc/103/config", proxmoxtest.Fault{Status: 401, Reason: "invalid token value!"}, source.ErrAuth, "refused API token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := proxmoxtest.NewFake()
			fake.SetFault(tc.prefix, tc.fault)
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			src, _ := newSource(t, "alpha", srv.URL, "")
			_, err := src.Discover(context.Background(), nil)
			sourcetest.RequireError(t, err, tc.want, tc.message)
		})
	}
}

func TestLocalFailuresAreWarnings(t *testing.T) {
	cases := []struct {
		name   string
		prefix string
		fault  proxmoxtest.Fault
		key    string // the record still reported
		lacks  string // a child key prefix no longer reported
		warn   string
		// gapKind, gapKey: what is no longer reported lies in a gap, so
		// that NetBox keeps it; empty when the source still sees it all.
		gapKind inventory.Kind
		gapKey  string
	}{
		{"config missing", "/nodes/node1/qemu/100/config", proxmoxtest.Fault{Status: 500, Reason: "Configuration file 'nodes/node1/qemu-server/100.conf' does not exist"},
			"proxmox/alpha/qemu/100", "proxmox/alpha/qemu/100/iface/", "does not exist; reported from cluster resources only", inventory.KindVMInterface, "proxmox/alpha/qemu/100/iface/net0"},
		{"config forbidden", "/nodes/node1/lxc/100/config", proxmoxtest.Fault{Status: 403, Reason: "Permission check failed (/vms/100, VM.Audit)"},
			"proxmox/alpha/lxc/100", "proxmox/alpha/lxc/100/disk/", "lacks permission", inventory.KindVirtualDisk, "proxmox/alpha/lxc/100/disk/rootfs"},
		{"node network unreadable", "/nodes/node2/network", proxmoxtest.Fault{Status: 500, Reason: "internal error"},
			"proxmox/alpha/node/node2", "proxmox/alpha/node/node2/iface/", "reported without interfaces", inventory.KindInterface, "proxmox/alpha/node/node2/iface/eno1"},
		{"node unreachable through the proxy", "/nodes/node2/", proxmoxtest.Fault{Status: 595, Reason: "No route to host"},
			"proxmox/alpha/qemu/101", "proxmox/alpha/qemu/101/disk/", "595 No route to host", inventory.KindVirtualDisk, "proxmox/alpha/qemu/101/disk/scsi0"},
		{"agent forbidden", "/nodes/node1/qemu/100/agent/", proxmoxtest.Fault{Status: 403, Reason: "Permission check failed (/vms/100, VM.GuestAgent.Audit)"},
			"proxmox/alpha/qemu/100/iface/net0/mac", "proxmox/alpha/qemu/100/iface/net0/ip/", "VM.GuestAgent.Audit (PVE 9)", inventory.KindIPAddress, "proxmox/alpha/qemu/100/iface/net0/ip/10.0.0.5%2F24"},
		{"agent timeout", "/nodes/node1/qemu/100/agent/", proxmoxtest.Fault{Status: 500, Reason: "VM 100 qmp command 'guest-network-get-interfaces' failed - got timeout"},
			"proxmox/alpha/qemu/100/iface/net0/mac", "proxmox/alpha/qemu/100/iface/net0/ip/", "guest agent not running (500 VM 100 qmp command", inventory.KindIPAddress, "proxmox/alpha/qemu/100/iface/net0/ip/10.0.0.5%2F24"},
		{"container interfaces unsupported", "/nodes/node1/lxc/100/interfaces", proxmoxtest.Fault{Status: 501, Reason: "Method 'GET /nodes/node1/lxc/100/interfaces' not implemented"},
			"proxmox/alpha/lxc/100/iface/net1/ip/192.168.2.53%2F24", "proxmox/alpha/lxc/100/iface/net0/ip/", "static addresses of its config only", inventory.KindIPAddress, "proxmox/alpha/lxc/100/iface/net0/ip/10.0.0.9%2F24"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := proxmoxtest.NewFake()
			fake.SetFault(tc.prefix, tc.fault)
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			src, _ := newSource(t, "alpha", srv.URL, "")
			snap, err := src.Discover(context.Background(), nil)
			require.NoError(t, err)
			sourcetest.CheckStructure(t, SourceType, "alpha", snap)
			assert.NotNil(t, sourcetest.Find(snap, tc.key))
			for _, r := range snap.Records {
				assert.False(t, strings.HasPrefix(r.Key, tc.lacks), "unexpected %s", r.Key)
			}
			assert.Contains(t, strings.Join(snap.Warnings, "\n"), tc.warn)
			assert.True(t, covered(snap, tc.gapKind, tc.gapKey), "%s %s is in no gap: %+v", tc.gapKind, tc.gapKey, snap.Gaps)
			assert.False(t, covered(snap, inventory.KindVirtualMachine, tc.key), "the record itself was seen")
		})
	}
}

// covered reports whether a record of kind with key lies in a gap of snap.
func covered(snap *source.Snapshot, kind inventory.Kind, key string) bool {
	for _, g := range snap.Gaps {
		if g.Covers(kind, key) {
			return true
		}
	}
	return false
}

func TestUnreachableServer(t *testing.T) {
	src, _ := newSource(t, "alpha", sourcetest.ClosedURL(t), "")
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrUnreachable)
}

func TestRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	src, _ := newSource(t, "alpha", srv.URL, "timeout: 200ms")
	start := time.Now()
	_, err := src.Discover(context.Background(), nil)
	sourcetest.RequireError(t, err, source.ErrUnreachable)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestCanceledContext(t *testing.T) {
	srv := proxmoxtest.NewServer(t)
	src, _ := newSource(t, "alpha", srv.URL, "")
	sourcetest.CheckCanceled(t, src)
}

func TestCanceledMidway(t *testing.T) {
	fake := proxmoxtest.NewFake()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fake.ServeHTTP(w, r)
		if strings.HasSuffix(r.URL.Path, "/cluster/resources") {
			cancel() // the activity is canceled while the guests are being read
		}
	}))
	t.Cleanup(srv.Close)
	src, _ := newSource(t, "alpha", srv.URL, "")
	snap, err := src.Discover(ctx, nil)
	require.Error(t, err, "a canceled discovery reports no partial snapshot")
	assert.Nil(t, snap)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
}
