package gen

// The types below are the inventory file format of docs/inventory-files.md,
// as far as the generator uses it. Field order is the order of the output.

type document struct {
	Sites         []named      `json:"sites,omitempty" yaml:"sites,omitempty"`
	Manufacturers []named      `json:"manufacturers,omitempty" yaml:"manufacturers,omitempty"`
	DeviceTypes   []deviceType `json:"device_types,omitempty" yaml:"device_types,omitempty"`
	DeviceRoles   []deviceRole `json:"device_roles,omitempty" yaml:"device_roles,omitempty"`
	Platforms     []named      `json:"platforms,omitempty" yaml:"platforms,omitempty"`
	ClusterTypes  []named      `json:"cluster_types,omitempty" yaml:"cluster_types,omitempty"`
	Clusters      []*cluster   `json:"clusters,omitempty" yaml:"clusters,omitempty"`
	Devices       []*device    `json:"devices,omitempty" yaml:"devices,omitempty"`
	IPAddresses   []*ipAddress `json:"ip_addresses,omitempty" yaml:"ip_addresses,omitempty"`
}

type named struct {
	Name        string `json:"name" yaml:"name"`
	Status      string `json:"status,omitempty" yaml:"status,omitempty"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

type deviceType struct {
	Model        string  `json:"model" yaml:"model"`
	Manufacturer string  `json:"manufacturer" yaml:"manufacturer"`
	UHeight      float64 `json:"u_height" yaml:"u_height"`
	Description  string  `json:"description,omitempty" yaml:"description,omitempty"`
}

type deviceRole struct {
	Name        string `json:"name" yaml:"name"`
	Color       string `json:"color" yaml:"color"`
	VMRole      bool   `json:"vm_role,omitempty" yaml:"vm_role,omitempty"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

type cluster struct {
	Name            string            `json:"name" yaml:"name"`
	Type            string            `json:"type" yaml:"type"`
	Site            string            `json:"site" yaml:"site"`
	Status          string            `json:"status" yaml:"status"`
	Description     string            `json:"description,omitempty" yaml:"description,omitempty"`
	Devices         []*device         `json:"devices,omitempty" yaml:"devices,omitempty"`
	VirtualMachines []*virtualMachine `json:"virtual_machines,omitempty" yaml:"virtual_machines,omitempty"`
}

type device struct {
	Name         string   `json:"name" yaml:"name"`
	Site         string   `json:"site" yaml:"site"`
	Role         string   `json:"role" yaml:"role"`
	DeviceType   string   `json:"device_type" yaml:"device_type"`
	Manufacturer string   `json:"manufacturer" yaml:"manufacturer"`
	Platform     string   `json:"platform,omitempty" yaml:"platform,omitempty"`
	Serial       string   `json:"serial" yaml:"serial"`
	Status       string   `json:"status" yaml:"status"`
	PrimaryIP4   string   `json:"primary_ip4,omitempty" yaml:"primary_ip4,omitempty"`
	Description  string   `json:"description,omitempty" yaml:"description,omitempty"`
	Interfaces   []*iface `json:"interfaces" yaml:"interfaces"`
}

// iface is a device's or a virtual machine's interface; Type is empty
// on a VM interface, which has none.
type iface struct {
	Name        string       `json:"name" yaml:"name"`
	Type        string       `json:"type,omitempty" yaml:"type,omitempty"`
	Description string       `json:"description,omitempty" yaml:"description,omitempty"`
	MAC         *macAddress  `json:"mac" yaml:"mac"`
	IPs         []*ipAddress `json:"ips,omitempty" yaml:"ips,omitempty"`
}

type macAddress struct {
	MACAddress  string `json:"mac_address" yaml:"mac_address"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

type ipAddress struct {
	Address     string `json:"address" yaml:"address"`
	Status      string `json:"status,omitempty" yaml:"status,omitempty"`
	DNSName     string `json:"dns_name,omitempty" yaml:"dns_name,omitempty"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

type virtualMachine struct {
	Name        string   `json:"name" yaml:"name"`
	Device      string   `json:"device" yaml:"device"`
	Role        string   `json:"role" yaml:"role"`
	Status      string   `json:"status" yaml:"status"`
	VCPUs       int      `json:"vcpus" yaml:"vcpus"`
	Memory      int      `json:"memory" yaml:"memory"`
	PrimaryIP4  string   `json:"primary_ip4,omitempty" yaml:"primary_ip4,omitempty"`
	Description string   `json:"description,omitempty" yaml:"description,omitempty"`
	Interfaces  []*iface `json:"interfaces" yaml:"interfaces"`
	Disks       []*disk  `json:"disks" yaml:"disks"`
}

type disk struct {
	Name        string `json:"name" yaml:"name"`
	Size        int    `json:"size" yaml:"size"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}
