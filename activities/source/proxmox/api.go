package proxmox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	px "github.com/luthermonson/go-proxmox"
)

// The answers below are decoded into lenient types rather than go-proxmox's
// typed ones: PVE returns the same field as a number or a string depending
// on how it was written, and one odd field in go-proxmox's types fails the
// whole answer (a container with cpulimit 1.5, or "maxcpu": 0.5 anywhere in
// /cluster/resources, fails every guest; "mtu": 9000 fails a node's network;
// "memory": "current=4096" fails a VM config; a null "level" in
// /cluster/status panics, and so does a null interface in a guest agent's
// answer). go-proxmox still does the transport: base URL, token header and
// the data envelope.

// flexString decodes a JSON string, number or null.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("decode string or number: %w", err)
	}
	*f = flexString(n.String())
	return nil
}

// flexNumber decodes a JSON number, a numeric string, "" or null.
type flexNumber float64

func (f *flexNumber) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		return fmt.Errorf("decode number: %w", err)
	}
	*f = flexNumber(v)
	return nil
}

// clusterStatusEntry is one element of /cluster/status: the cluster itself
// (absent on a standalone node) or a node.
type clusterStatusEntry struct {
	Type    flexString `json:"type"`
	Name    flexString `json:"name"`
	IP      flexString `json:"ip"`
	Online  flexNumber `json:"online"`
	Quorate flexNumber `json:"quorate"`
}

// resource is one element of /cluster/resources.
type resource struct {
	ID       flexString `json:"id"`
	Type     flexString `json:"type"`
	Name     flexString `json:"name"`
	Node     flexString `json:"node"`
	Status   flexString `json:"status"`
	Tags     flexString `json:"tags"`
	Lock     flexString `json:"lock"`
	VMID     flexNumber `json:"vmid"`
	Template flexNumber `json:"template"`
	MaxCPU   flexNumber `json:"maxcpu"`
	MaxMem   flexNumber `json:"maxmem"`
}

// nodeInterface is one element of /nodes/{node}/network.
type nodeInterface struct {
	Iface         flexString `json:"iface"`
	Type          flexString `json:"type"`
	Active        flexNumber `json:"active"`
	MTU           flexNumber `json:"mtu"`
	CIDR          flexString `json:"cidr"`
	CIDR6         flexString `json:"cidr6"`
	Address       flexString `json:"address"`
	Netmask       flexString `json:"netmask"`
	Address6      flexString `json:"address6"`
	Netmask6      flexString `json:"netmask6"`
	BridgePorts   flexString `json:"bridge_ports"`
	Slaves        flexString `json:"slaves"`
	OVSBonds      flexString `json:"ovs_bonds"`
	OVSPorts      flexString `json:"ovs_ports"`
	OVSBridge     flexString `json:"ovs_bridge"`
	VLANRawDevice flexString `json:"vlan-raw-device"`
	Comments      flexString `json:"comments"`
}

// containerInterface is one element of /nodes/{node}/lxc/{vmid}/interfaces.
// PVE 8.4 and later list every address in IPAddresses and name the MAC
// HardwareAddress; inet and inet6 keep only the last address of each family
// and hwaddr is kept for older clients. Earlier releases have only those.
type containerInterface struct {
	Name            flexString         `json:"name"`
	HardwareAddress flexString         `json:"hardware-address"`
	HWAddr          flexString         `json:"hwaddr"`
	Inet            flexString         `json:"inet"`
	Inet6           flexString         `json:"inet6"`
	IPAddresses     []containerAddress `json:"ip-addresses"`
}

// containerAddress is one element of the ip-addresses of a container's
// interface or of a guest agent's.
type containerAddress struct {
	IPAddress flexString `json:"ip-address"`
	Type      flexString `json:"ip-address-type"`
	Prefix    flexNumber `json:"prefix"`
}

// mac is the interface's MAC: hardware-address, else the deprecated hwaddr.
func (ci containerInterface) mac() string {
	if ci.HardwareAddress != "" {
		return string(ci.HardwareAddress)
	}
	return string(ci.HWAddr)
}

// addresses are the interface's addresses in CIDR form: all of ip-addresses
// when the answer has them, else inet and inet6 (which may hold a
// comma- or space-separated list on some releases).
func (ci containerInterface) addresses() []string {
	var out []string
	for _, a := range ci.IPAddresses {
		if a.IPAddress == "" {
			continue
		}
		out = append(out, string(a.IPAddress)+"/"+strconv.Itoa(int(a.Prefix)))
	}
	if len(out) > 0 {
		return out
	}
	return strings.FieldsFunc(string(ci.Inet)+" "+string(ci.Inet6), func(r rune) bool { return r == ' ' || r == ',' })
}

// agentAnswer is /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces:
// the guest agent's guest-network-get-interfaces under "result".
type agentAnswer struct {
	Result []*agentInterface `json:"result"`
}

// agentInterface is one interface the guest agent reports.
type agentInterface struct {
	Name            flexString         `json:"name"`
	HardwareAddress flexString         `json:"hardware-address"`
	IPAddresses     []containerAddress `json:"ip-addresses"`
}

// interfaces are the answer's interfaces but the loopback one; a null
// element is no interface.
func (a agentAnswer) interfaces() []agentInterface {
	var out []agentInterface
	for _, ai := range a.Result {
		if ai != nil && ai.Name != "lo" {
			out = append(out, *ai)
		}
	}
	return out
}

// guestConfig is a qemu or lxc config: its scalar values as strings, keyed
// as in the config file ("cores", "net0", "scsi0", "mp1").
type guestConfig map[string]string

func (g *guestConfig) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("decode guest config: %w", err)
	}
	out := make(guestConfig, len(raw))
	for k, v := range raw {
		var s flexString
		if s.UnmarshalJSON(v) == nil { // lists such as lxc's raw "lxc" keys are not needed
			out[k] = string(s)
		}
	}
	*g = out
	return nil
}

// keys returns the config keys accepted by match, in a stable order.
func (g guestConfig) keys(match func(string) bool) []string {
	var out []string
	for k := range g {
		if match(k) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return deviceLess(out[i], out[j]) })
	return out
}

func getClusterStatus(ctx context.Context, c *px.Client) ([]clusterStatusEntry, error) {
	var v []clusterStatusEntry
	if err := c.Get(ctx, "/cluster/status", &v); err != nil {
		return nil, err
	}
	return v, nil
}

func getResources(ctx context.Context, c *px.Client) ([]resource, error) {
	var v []resource
	if err := c.Get(ctx, "/cluster/resources", &v); err != nil {
		return nil, err
	}
	return v, nil
}

func getNodeVersion(ctx context.Context, c *px.Client, node string) (*px.Version, error) {
	return (&px.Node{}).New(c, url.PathEscape(node)).Version(ctx)
}

func getNodeNetwork(ctx context.Context, c *px.Client, node string) ([]nodeInterface, error) {
	var v []nodeInterface
	if err := c.Get(ctx, "/nodes/"+url.PathEscape(node)+"/network", &v); err != nil {
		return nil, err
	}
	return v, nil
}

func getGuestConfig(ctx context.Context, c *px.Client, g guest) (guestConfig, error) {
	var v guestConfig
	if err := c.Get(ctx, fmt.Sprintf("/nodes/%s/%s/%d/config", url.PathEscape(g.Node), g.Type, g.VMID), &v); err != nil {
		return nil, err
	}
	return v, nil
}

// getAgentInterfaces reads the guest agent's interfaces, without the
// loopback one.
func getAgentInterfaces(ctx context.Context, c *px.Client, g guest) ([]agentInterface, error) {
	var v agentAnswer
	if err := c.Get(ctx, fmt.Sprintf("/nodes/%s/qemu/%d/agent/network-get-interfaces", url.PathEscape(g.Node), g.VMID), &v); err != nil {
		return nil, err
	}
	return v.interfaces(), nil
}

func getContainerInterfaces(ctx context.Context, c *px.Client, g guest) ([]containerInterface, error) {
	var v []containerInterface
	if err := c.Get(ctx, fmt.Sprintf("/nodes/%s/lxc/%d/interfaces", url.PathEscape(g.Node), g.VMID), &v); err != nil {
		return nil, err
	}
	return v, nil
}
