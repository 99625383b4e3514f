// Package proxmoxtest is a fake Proxmox VE API for tests: it answers
// /api2/json requests from recorded responses under testdata/, checks the
// API token or login ticket the way pveproxy does, and can be told to fail.
//
// The recorded bodies come from real PVE 8 and 9 answers (the mocks shipped
// with github.com/luthermonson/go-proxmox), extended with what those lack:
// guest agent and container interfaces, a bond, a stopped node, a template.
//
// Fixtures are layered: Lab is a two-node cluster ("lab": node1 on PVE 8.4,
// node2 on PVE 9.1) with qemu 100, 101, 104, template 102 and lxc 100, 103;
// OfflineNode and Standalone overlay it. A file named <path>.error holds a
// status line ("595 No route to host") that answers for the path and every
// path below it.
package proxmoxtest

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/source/sourcetest"
)

// Credentials the fake accepts. The secret is a test value, not a real one.
const (
	TokenID     = "netbox-agent@pve!sync"
	TokenSecret = "0b8e1f7c-3d2a-4c59-9e61-7a4f2b8d5c13"
)

// Fixture layers.
const (
	// Lab is the two-node cluster "lab".
	Lab = "lab"
	// OfflineNode takes node2 of Lab offline: cluster status and resources
	// say so, its guests are "unknown" and every /nodes/node2 call answers
	// 595 like pveproxy does when it cannot reach a node.
	OfflineNode = "offline-node"
	// Standalone turns Lab into a single node without a cluster.
	Standalone = "standalone"
)

// APIPrefix is the path under which the API is served.
const APIPrefix = "/api2/json"

//go:embed testdata
var fixtures embed.FS

// Fault is an answer the fake gives instead of the recorded one.
type Fault struct {
	Status int
	Reason string
}

// Fake is the fake Proxmox VE API; it is an http.Handler. Faults are set
// by API path prefix (without APIPrefix): a fault answers for the path and
// every path below it. Hits count the authenticated requests of an API path
// (without APIPrefix and query); Err reports the answers the fake failed to
// write.
type Fake struct {
	sourcetest.Calls[Fault]
	layers  []string
	tickets *tickets
	latency atomic.Int64
}

// SetLatency makes every answer wait d first, like a cluster across a LAN
// or a WAN; benchmarks measure discovery cost with it.
func (f *Fake) SetLatency(d time.Duration) { f.latency.Store(int64(d)) }

// NewFake returns a fake answering from the Lab fixture with the given
// overlays applied in order.
func NewFake(overlays ...string) *Fake {
	return &Fake{layers: append([]string{Lab}, overlays...), tickets: newTickets()}
}

// NewServer starts the fake Lab cluster over plain HTTP; it is closed when
// the test ends. Point a proxmox source at URL with TokenID and TokenSecret,
// or Username and Password.
func NewServer(t testing.TB) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(NewFake())
	t.Cleanup(srv.Close)
	return srv
}

// ServeHTTP answers one API request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := time.Duration(f.latency.Load()); d > 0 {
		time.Sleep(d)
	}
	if !strings.HasPrefix(r.URL.Path, APIPrefix+"/") {
		f.Failed(writeStatus(w, http.StatusNotFound, "Not Found", nil))
		return
	}
	apiPath := strings.TrimPrefix(r.URL.Path, APIPrefix)
	if apiPath == "/access/ticket" && r.Method == http.MethodPost {
		f.issue(w, r)
		return
	}
	if reason := f.authorize(r); reason != "" {
		f.Failed(writeStatus(w, http.StatusUnauthorized, reason, []byte(`{"data":null}`)))
		return
	}
	fault, faulted := f.CallUnder(apiPath)
	if faulted {
		f.Failed(writeStatus(w, fault.Status, fault.Reason, []byte(`{"data":null}`)))
		return
	}
	if r.Method != http.MethodGet {
		f.Failed(writeStatus(w, http.StatusNotImplemented, fmt.Sprintf("Method '%s %s' not implemented", r.Method, apiPath), []byte(`{"data":null}`)))
		return
	}
	body, fault, err := f.lookup(apiPath)
	switch {
	case err != nil:
		f.Failed(writeStatus(w, http.StatusNotImplemented, fmt.Sprintf("Method 'GET %s' not implemented", apiPath), []byte(`{"data":null}`)))
	case body == nil:
		f.Failed(writeStatus(w, fault.Status, fault.Reason, []byte(`{"data":null}`)))
	default:
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, err := w.Write(body)
		f.Failed(err)
	}
}

// lookup finds the recorded answer for apiPath in the topmost layer that has
// one: a body, or a fault from an .error file on the path or a parent.
func (f *Fake) lookup(apiPath string) ([]byte, Fault, error) {
	rel := strings.Trim(path.Clean(apiPath), "/")
	for i := len(f.layers) - 1; i >= 0; i-- {
		base := path.Join("testdata", f.layers[i])
		for p := rel; p != "." && p != ""; p = path.Dir(p) {
			raw, err := fs.ReadFile(fixtures, path.Join(base, p)+".error")
			if err == nil {
				fault, perr := parseFault(string(raw))
				return nil, fault, perr
			}
		}
		body, err := fs.ReadFile(fixtures, path.Join(base, rel)+".json")
		if err == nil {
			return body, Fault{}, nil
		}
	}
	return nil, Fault{}, fs.ErrNotExist
}

func parseFault(line string) (Fault, error) {
	code, reason, _ := strings.Cut(strings.TrimSpace(line), " ")
	n, err := strconv.Atoi(code)
	if err != nil {
		return Fault{}, fmt.Errorf("fault %q: %w", line, err)
	}
	return Fault{Status: n, Reason: reason}, nil
}

// writeStatus answers with a custom reason phrase, the way pveproxy reports
// errors ("500 QEMU guest agent is not running"); net/http cannot set one,
// so the connection is taken over and the response written by hand.
func writeStatus(w http.ResponseWriter, code int, reason string, body []byte) error {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(code)
		_, err := w.Write(body)
		return err
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return fmt.Errorf("take over connection: %w", err)
	}
	_, werr := fmt.Fprintf(buf, "HTTP/1.1 %03d %s\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", code, reason, len(body))
	if werr == nil {
		_, werr = buf.Write(body)
	}
	if werr == nil {
		werr = buf.Flush()
	}
	return errors.Join(werr, conn.Close())
}
