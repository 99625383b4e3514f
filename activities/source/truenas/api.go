package truenas

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The answer shapes below hold the fields this source reads from the
// middleware's API models (system.info, interface.query, pool.query,
// sharing.*.query, iscsi.*, service.query); unknown fields are ignored.

// systemInfo is system.info's answer.
type systemInfo struct {
	Version            string  `json:"version"`
	Hostname           string  `json:"hostname"`
	SystemSerial       *string `json:"system_serial"`
	SystemProduct      *string `json:"system_product"`
	SystemManufacturer *string `json:"system_manufacturer"`
}

// ifaceAlias is an address of an interface: configured (aliases) or live
// (state.aliases), where type LINK carries the MAC.
type ifaceAlias struct {
	Type    string     `json:"type"`
	Address string     `json:"address"`
	Netmask flexString `json:"netmask"`
}

// ifaceState is the live state of an interface.
type ifaceState struct {
	Name                string       `json:"name"`
	MTU                 int          `json:"mtu"`
	Flags               []string     `json:"flags"`
	LinkState           string       `json:"link_state"`
	ActiveMediaSubtype  string       `json:"active_media_subtype"`
	SupportedMedia      []string     `json:"supported_media"`
	LinkAddress         string       `json:"link_address"`
	HardwareLinkAddress string       `json:"hardware_link_address"`
	Aliases             []ifaceAlias `json:"aliases"`
	Ports               []struct {
		Name string `json:"name"`
	} `json:"ports"`
	Parent *string `json:"parent"`
}

// iface is one entry of interface.query.
type iface struct {
	Name                string       `json:"name"`
	Type                string       `json:"type"` // PHYSICAL, LINK_AGGREGATION, VLAN, BRIDGE, UNKNOWN
	State               ifaceState   `json:"state"`
	Aliases             []ifaceAlias `json:"aliases"`
	IPv4DHCP            bool         `json:"ipv4_dhcp"`
	IPv6Auto            bool         `json:"ipv6_auto"`
	Description         string       `json:"description"`
	MTU                 *int         `json:"mtu"`
	VLANParentInterface *string      `json:"vlan_parent_interface"`
	VLANTag             *int         `json:"vlan_tag"`
	LagProtocol         string       `json:"lag_protocol"`
	LagPorts            []string     `json:"lag_ports"`
	BridgeMembers       []string     `json:"bridge_members"`
}

// pool is one entry of pool.query.
type pool struct {
	Name         string  `json:"name"`
	Status       string  `json:"status"`
	Healthy      bool    `json:"healthy"`
	Warning      bool    `json:"warning"`
	StatusDetail *string `json:"status_detail"`
	Size         *int64  `json:"size"`
	Allocated    *int64  `json:"allocated"`
	Free         *int64  `json:"free"`
}

// nfsShare is one entry of sharing.nfs.query: SCALE exports one path,
// CORE a list of them.
type nfsShare struct {
	Path    string   `json:"path"`
	Paths   []string `json:"paths"`
	Comment string   `json:"comment"`
	Enabled bool     `json:"enabled"`
	Locked  *bool    `json:"locked"`
}

// smbShare is one entry of sharing.smb.query.
type smbShare struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	Comment string `json:"comment"`
	Enabled bool   `json:"enabled"`
	Locked  *bool  `json:"locked"`
}

// iscsiGlobal is iscsi.global.config's answer.
type iscsiGlobal struct {
	Basename   string `json:"basename"`
	ListenPort int    `json:"listen_port"`
}

// iscsiTarget is one entry of iscsi.target.query.
type iscsiTarget struct {
	Name  string  `json:"name"`
	Alias *string `json:"alias"`
	Mode  string  `json:"mode"` // ISCSI, FC, BOTH
}

// iscsiExtent is one entry of iscsi.extent.query.
type iscsiExtent struct {
	Name    string  `json:"name"`
	Type    string  `json:"type"` // DISK, FILE
	Disk    *string `json:"disk"`
	Path    *string `json:"path"`
	Enabled bool    `json:"enabled"`
}

// serviceEntry is one entry of service.query.
type serviceEntry struct {
	Service string `json:"service"` // nfs, cifs, iscsitarget, ...
	Enable  bool   `json:"enable"`
	State   string `json:"state"` // RUNNING, STOPPED
}

// flexString reads a value the API gives as a string or a number (an
// alias's netmask is "24", 24 or "255.255.255.0").
type flexString string

// UnmarshalJSON accepts a string, a number or null.
func (f *flexString) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null":
		*f = ""
	case strings.HasPrefix(s, `"`):
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("read text: %w", err)
		}
		*f = flexString(v)
	default:
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("expected a string or a number, got %s", s)
		}
		*f = flexString(s)
	}
	return nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}
