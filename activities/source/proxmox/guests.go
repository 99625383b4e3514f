package proxmox

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// guest adds a guest's virtual machine with its interfaces, MAC and IP
// addresses and disks. Without a config (node offline, config unreadable)
// the virtual machine comes from cluster resources alone. It returns the
// warnings of NICs whose VLAN tag is not a VLAN ID.
func (m *mapper) guest(b *source.Builder, gs *guestState) []string {
	g := gs.guest
	var cfg guestConfig
	if gs.Detail != nil {
		cfg = gs.Detail.Config
	}
	vm := source.NewRecord(inventory.KindVirtualMachine, guestKey(b, g))
	vm.Set("name", guestName(g, cfg))
	vm.Set("status", guestStatus(g.Status))
	if v := guestVCPUs(g, cfg); v > 0 && v <= maxVCPUs {
		vm.Set("vcpus", v)
	}
	if v := guestMemoryMB(g, cfg); v > 0 && v <= maxMB {
		vm.Set("memory", v)
	}
	if m.opts.ImportTags {
		vm.Set("tags", splitTags(g.Tags))
	}
	vm.Ref("cluster", m.clusterKey)
	vm.Ref("site", m.siteKey)
	vm.Ref("device", nodeKey(b, g.Node))
	vm.Ref("role", m.vmRoleKey)

	var warnings []string
	if cfg != nil {
		var primary map[string]string
		primary, warnings = m.guestInterfaces(b, vm.Key, g, gs.Detail)
		for field, key := range primary {
			vm.Ref(field, key)
		}
		m.guestDisks(b, vm.Key, g, cfg)
	}
	b.Add(vm)
	return warnings
}

func guestName(g guest, cfg guestConfig) string {
	for _, n := range []string{g.Name, cfg["name"], cfg["hostname"]} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	return g.Type + "-" + strconv.FormatUint(g.VMID, 10)
}

// The bounds NetBox puts on a virtual machine's figures: vcpus is a
// decimal of six digits, two of them after the point; memory and a virtual
// disk's size are positive 32-bit integers, in MB. A figure past them is
// left out rather than refused by NetBox with the whole VM.
const (
	maxVCPUs = 9999.99
	maxMB    = math.MaxInt32
)

// guestStatus maps a Proxmox guest status to NetBox's. Only a running
// guest is active; paused and suspended guests serve nothing, and "unknown"
// is what cluster resources say of the guests of an offline node.
func guestStatus(s string) string {
	switch s {
	case "running":
		return "active"
	case "stopped", "paused", "suspended", "unknown":
		return "offline"
	}
	return ""
}

// guestVCPUs is cores × sockets for qemu and cores for lxc, or what cluster
// resources say when the config does not tell.
func guestVCPUs(g guest, cfg guestConfig) float64 {
	cores := configInt(cfg, "cores", 0)
	switch {
	case g.Type == "qemu" && cfg != nil:
		return float64(max(cores, 1)) * float64(configInt(cfg, "sockets", 1))
	case g.Type == "lxc" && cores > 0:
		return float64(cores)
	}
	return g.MaxCPU
}

// guestMemoryMB is the configured memory in MB, or the maximum from cluster
// resources when the config does not tell.
func guestMemoryMB(g guest, cfg guestConfig) int64 {
	if v, ok := parseMemoryMB(cfg["memory"]); ok {
		return v
	}
	if mb := g.MaxMem / (1 << 20); mb >= 1 && mb <= maxMB {
		return int64(mb)
	}
	return 0
}

func configInt(cfg guestConfig, key string, def int64) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(cfg[key]), 10, 64)
	if err != nil || v <= 0 {
		return def
	}
	return v
}

// guestInterfaces adds a vm_interface per netN with its MAC and addresses;
// it returns the primary_ip4/primary_ip6 references: the first address of
// each family on the lowest-numbered NIC that has one.
func (m *mapper) guestInterfaces(b *source.Builder, vmKey string, g guest, d *guestDetail) (map[string]string, []string) {
	primary := map[string]string{}
	var warnings []string
	for _, k := range d.Config.keys(func(k string) bool { return hasIndexedPrefix(k, "net") }) {
		spec := parseNet(g.Type, k, d.Config[k])
		iface := source.NewRecord(inventory.KindVMInterface, source.ChildKey(vmKey, "iface", k))
		iface.Set("name", k)
		iface.Set("enabled", !spec.LinkDown)
		if validMTU(float64(spec.MTU)) {
			iface.Set("mtu", spec.MTU)
		}
		iface.Set("description", spec.description())
		iface.Ref("virtual_machine", vmKey)
		if vid, err := vlanTag(spec.Tag); err != nil {
			warnings = append(warnings, fmt.Sprintf("%s %s: %s", g.Type, vmKey, err.Error()))
		} else if vid > 0 {
			m.vlans.use(&iface, vid)
		}
		b.Add(iface)

		mac, ok := inventory.NormalizeMAC(spec.MAC)
		if ok {
			b.MACAddress(iface.Key, mac)
		}
		for _, cidr := range guestAddresses(g, d, spec, mac) {
			key, addr := b.IPAddress(iface.Key, cidr, "active")
			field := source.PrimaryIPField(addr)
			if _, set := primary[field]; !set {
				primary[field] = key
			}
		}
	}
	return primary, warnings
}

// guestAddresses are the usable addresses of one guest NIC in CIDR form:
// what the guest agent reports for its MAC (qemu), what the container
// reports for its MAC or name (running lxc), or the static addresses of the
// container's config when it does not run.
func guestAddresses(g guest, d *guestDetail, spec netSpec, mac string) []string {
	var raw []string
	switch {
	case g.Type == "qemu" && d.AgentRead && mac != "":
		for _, ai := range d.AgentInterfaces {
			if m, ok := inventory.NormalizeMAC(string(ai.HardwareAddress)); !ok || m != mac {
				continue
			}
			for _, a := range ai.IPAddresses {
				if a.IPAddress != "" {
					raw = append(raw, string(a.IPAddress)+"/"+strconv.Itoa(int(a.Prefix)))
				}
			}
		}
	case g.Type == "lxc" && d.InterfacesRead:
		for _, ci := range d.ContainerInterfaces {
			m, ok := inventory.NormalizeMAC(ci.mac())
			sameMAC := ok && mac != "" && m == mac
			if !sameMAC && (spec.Name == "" || string(ci.Name) != spec.Name) {
				continue
			}
			raw = append(raw, ci.addresses()...)
		}
	case g.Type == "lxc":
		raw = append(raw, spec.IP, spec.IP6)
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range raw {
		if !strings.Contains(s, "/") { // dhcp, auto, manual or a bare word
			continue
		}
		a, ok := inventory.NormalizeIP(s)
		if !ok || !inventory.IsUsableIP(a) || seen[a] {
			continue
		}
		seen[a] = true
		out = append(out, a)
	}
	return out
}

// guestDisks adds a virtual_disk per qemu ide/sata/scsi/virtio disk or lxc
// rootfs and mount point that has a size.
func (m *mapper) guestDisks(b *source.Builder, vmKey string, g guest, cfg guestConfig) {
	isDisk := func(k string) bool { return hasIndexedPrefix(k, "ide", "sata", "scsi", "virtio") }
	if g.Type == "lxc" {
		isDisk = func(k string) bool { return k == "rootfs" || hasIndexedPrefix(k, "mp") }
	}
	for _, k := range cfg.keys(isDisk) {
		spec, ok := parseDisk(k, cfg[k])
		if !ok {
			continue
		}
		disk := source.NewRecord(inventory.KindVirtualDisk, source.ChildKey(vmKey, "disk", k))
		disk.Set("name", k)
		disk.Set("size", spec.SizeMB)
		disk.Set("description", spec.description())
		disk.Ref("virtual_machine", vmKey)
		b.Add(disk)
	}
}
