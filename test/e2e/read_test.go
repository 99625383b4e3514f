package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// object is one NetBox object as its REST API renders it.
type object map[string]any

// get follows a dotted path of keys ("site.name", "status.value"); nil when any is missing.
func (o object) get(path string) any {
	var v any = map[string]any(o)
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// str is the string at path, or "" when it is missing or not a string.
func (o object) str(path string) string {
	s, ok := o.get(path).(string)
	if !ok {
		return ""
	}
	return s
}

// int is the number at path, or 0 when it is missing or not a number.
func (o object) int(path string) int {
	f, ok := o.get(path).(float64)
	if !ok {
		return 0
	}
	return int(f)
}

// hasTag reports whether the object carries the tag with this slug.
func (o object) hasTag(slug string) bool {
	tags, ok := o["tags"].([]any)
	if !ok {
		return false
	}
	for _, t := range tags {
		if m, ok := t.(map[string]any); ok && m["slug"] == slug {
			return true
		}
	}
	return false
}

// listPage is one page of a NetBox list.
type listPage struct {
	Count   int      `json:"count"`
	Next    *string  `json:"next"`
	Results []object `json:"results"`
}

// fetch reads one API URL into out.
func (n *netbox) fetch(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("read %s: %w", u, err)
	}
	req.Header.Set("Authorization", authorization(n.token))
	req.Header.Set("Accept", "application/json")
	resp, err := n.client.Do(req)
	if err != nil {
		return fmt.Errorf("read %s: %w", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("read %s: %s: %s", u, resp.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("read %s: %w", u, err)
	}
	return nil
}

// edit changes one object directly in NetBox, as an operator would in the UI, past the
// proxy: it is not one of the agent's writes. It returns NetBox's status code and answer.
func (n *netbox) edit(t *testing.T, endpoint string, id int, fields map[string]any) (int, []byte) {
	t.Helper()
	return n.send(t, http.MethodPatch, fmt.Sprintf("%s/api/%s/%d/", n.direct, strings.Trim(endpoint, "/"), id), fields)
}

// send sends body as JSON to u directly, past the proxy, with the admin token, and returns
// NetBox's status code and answer.
func (n *netbox) send(t *testing.T, method, u string, body any) (int, []byte) {
	t.Helper()
	data, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(context.Background(), method, u, bytes.NewReader(data))
	require.NoError(t, err)
	req.Header.Set("Authorization", authorization(n.token))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := n.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, answer
}

// endpointURL is the list URL of an endpoint path ("dcim/devices") with a query.
func (n *netbox) endpointURL(endpoint string, query url.Values) string {
	u := n.direct + "/api/" + strings.Trim(endpoint, "/") + "/"
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// list reads every object at an endpoint path ("dcim/devices") that matches the filters
// (pairs of name and value: "device_id", "12"), page by page.
func (n *netbox) list(t *testing.T, endpoint string, filters ...string) []object {
	t.Helper()
	require.Zero(t, len(filters)%2, "filters come in name, value pairs")
	q := url.Values{"limit": {"1000"}}
	for i := 0; i < len(filters); i += 2 {
		q.Add(filters[i], filters[i+1])
	}
	var out []object
	next := n.endpointURL(endpoint, q)
	for next != "" {
		var page listPage
		require.NoError(t, n.fetch(context.Background(), next, &page))
		out = append(out, page.Results...)
		next = ""
		if page.Next != nil {
			next = *page.Next
		}
	}
	return out
}

// count is the number of objects at an endpoint path that match the filters.
func (n *netbox) count(t *testing.T, endpoint string, filters ...string) int {
	t.Helper()
	q := url.Values{"limit": {"1"}, "brief": {"true"}}
	for i := 0; i+1 < len(filters); i += 2 {
		q.Add(filters[i], filters[i+1])
	}
	var page listPage
	require.NoError(t, n.fetch(context.Background(), n.endpointURL(endpoint, q), &page))
	return page.Count
}

// counts counts the objects at each endpoint path.
func (n *netbox) counts(t *testing.T, endpoints []string) map[string]int {
	t.Helper()
	out := make(map[string]int, len(endpoints))
	for _, ep := range endpoints {
		out[ep] = n.count(t, ep)
	}
	return out
}

// idOf is an object's ID as a filter value.
func idOf(o object) string { return strconv.Itoa(o.int("id")) }

// byName indexes objects by their name.
func byName(objs []object) map[string]object {
	out := make(map[string]object, len(objs))
	for _, o := range objs {
		out[o.str("name")] = o
	}
	return out
}

// syncedEndpoints are the endpoints the agent writes objects to, in dependency order.
func syncedEndpoints() []string {
	return []string{"dcim/sites", "dcim/locations", "dcim/manufacturers", "dcim/device-types",
		"dcim/device-roles", "dcim/platforms", "dcim/devices", "dcim/interfaces", "dcim/mac-addresses",
		"ipam/ip-addresses", "ipam/services", "ipam/vlan-groups", "ipam/vlans", "virtualization/cluster-types", "virtualization/clusters",
		"virtualization/virtual-machines", "virtualization/interfaces", "virtualization/virtual-disks"}
}

// requireUniqueAgentIDs fails when two objects of one endpoint carry the same agent_id: the
// mark of a create made twice.
func requireUniqueAgentIDs(t *testing.T, n *netbox) {
	t.Helper()
	for _, ep := range syncedEndpoints() {
		seen := map[string]bool{}
		for _, o := range n.list(t, ep) {
			id := o.str("custom_fields.agent_id")
			if id == "" {
				continue
			}
			require.False(t, seen[id], "%s: agent_id %s twice", ep, id)
			seen[id] = true
		}
	}
}
