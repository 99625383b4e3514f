package nbsim_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var timestamps = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"`)

// normalize makes an answer comparable across runs: a fixed host, fixed timestamps, indented.
func normalize(t *testing.T, base string, body []byte) []byte {
	t.Helper()
	body = bytes.ReplaceAll(body, []byte(base), []byte("http://netbox.example"))
	body = timestamps.ReplaceAll(body, []byte(`"2025-01-01T00:00:00.000000Z"`))
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		t.Fatalf("indent %s: %v", body, err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// TestGolden compares a few full answers with the files in testdata/ (go test -update
// rewrites them).
func TestGolden(t *testing.T) {
	c := newSim(t)
	w := c.seed(1)
	c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface), map[string]any{"primary_mac_address": w.mac})
	c.do(http.MethodPatch, fmt.Sprintf("/api/dcim/devices/%d/", w.device), map[string]any{"primary_ip4": w.ip})

	tests := []struct {
		file, method, path string
		body               any
		code               int
	}{
		{"device.json", http.MethodGet, fmt.Sprintf("/api/dcim/devices/%d/", w.device), nil, http.StatusOK},
		{"interface.json", http.MethodGet, fmt.Sprintf("/api/dcim/interfaces/%d/", w.iface), nil, http.StatusOK},
		{"ip_addresses_list.json", http.MethodGet, fmt.Sprintf("/api/ipam/ip-addresses/?device_id=%d", w.device), nil, http.StatusOK},
		{"virtual_machine.json", http.MethodGet, fmt.Sprintf("/api/virtualization/virtual-machines/%d/", w.vm), nil, http.StatusOK},
		{"devices_brief.json", http.MethodGet, "/api/dcim/devices/?brief=1", nil, http.StatusOK},
		{"delete_protected.json", http.MethodDelete, fmt.Sprintf("/api/dcim/sites/%d/", w.site), nil, http.StatusConflict},
		{"bulk_create_invalid.json", http.MethodPost, "/api/dcim/interfaces/", []any{
			map[string]any{"device": w.device, "name": "ok", "type": "virtual"},
			map[string]any{"device": 999, "name": "eth0"},
		}, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			c.t = t
			code, body := c.do(tc.method, tc.path, tc.body)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %s", code, tc.code, body)
			}
			got := normalize(t, c.url, body)
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatalf("write golden: %v", err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run with -update to create): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("answer differs from %s:\n%s", path, got)
			}
		})
	}
}
