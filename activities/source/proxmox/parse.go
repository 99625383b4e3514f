package proxmox

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	px "github.com/luthermonson/go-proxmox"
)

// guest is a qemu VM or an lxc container as /cluster/resources lists it.
type guest struct {
	Type     string // "qemu" or "lxc"
	VMID     uint64
	Name     string
	Node     string
	Status   string
	Tags     string
	Template bool
	MaxCPU   float64
	MaxMem   float64
}

func (g guest) label() string {
	if g.Name == "" {
		return fmt.Sprintf("%s %d", g.Type, g.VMID)
	}
	return fmt.Sprintf("%s %d (%s)", g.Type, g.VMID, g.Name)
}

// id is the guest's identity inside one cluster; the node is part of it so
// that a guest that migrated between two attempts is read again.
func (g guest) id() string {
	return fmt.Sprintf("%s/%s/%d", g.Node, g.Type, g.VMID)
}

// propertyList splits a PVE property string ("virtio=BC:..,bridge=vmbr0")
// into its items; an item without "=" has an empty key.
type propertyItem struct{ Key, Value string }

func propertyList(s string) []propertyItem {
	var out []propertyItem
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			out = append(out, propertyItem{Value: k})
			continue
		}
		out = append(out, propertyItem{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	return out
}

// netSpec is a guest's netN setting.
type netSpec struct {
	Key      string // "net0"
	Model    string // qemu NIC model
	MAC      string
	Bridge   string
	Tag      string
	Trunks   string
	Name     string // lxc: the interface name inside the container
	IP, IP6  string // lxc: static addresses, or dhcp/auto/manual
	MTU      int64
	LinkDown bool
}

// qemuNetOptions are the qemu netN keys that are not a NIC model.
var qemuNetOptions = map[string]bool{
	"bridge": true, "firewall": true, "link_down": true, "macaddr": true, "model": true,
	"mtu": true, "queues": true, "rate": true, "tag": true, "trunks": true,
}

// parseNet reads a qemu ("virtio=BC:24:11:2E:C5:4A,bridge=vmbr0,tag=20") or
// lxc ("name=eth0,bridge=vmbr0,hwaddr=BC:..,ip=dhcp") netN value.
func parseNet(guestType, key, value string) netSpec {
	n := netSpec{Key: key}
	for _, it := range propertyList(value) {
		switch it.Key {
		case "bridge":
			n.Bridge = it.Value
		case "tag":
			n.Tag = it.Value
		case "trunks":
			n.Trunks = it.Value
		case "link_down":
			n.LinkDown = it.Value == "1"
		case "mtu":
			if v, err := strconv.ParseInt(it.Value, 10, 64); err == nil {
				n.MTU = v
			}
		case "macaddr", "hwaddr":
			n.MAC = it.Value
		case "model":
			n.Model = it.Value
		case "name":
			n.Name = it.Value
		case "ip":
			n.IP = it.Value
		case "ip6":
			n.IP6 = it.Value
		default:
			if guestType == "qemu" && it.Key != "" && !qemuNetOptions[it.Key] {
				n.Model, n.MAC = it.Key, it.Value
			}
		}
	}
	// qemu's mtu=1 means "the bridge's MTU", not an MTU of one byte
	if guestType == "qemu" && n.MTU == 1 {
		n.MTU = 0
	}
	return n
}

// maxMTU is the largest MTU NetBox takes (dcim.constants INTERFACE_MTU_MAX).
const maxMTU = 65536

// validMTU reports whether an MTU from an answer is one NetBox takes; one
// outside 1-65536 is no MTU a link can have, and is left out.
func validMTU(mtu float64) bool {
	return mtu >= 1 && mtu <= maxMTU && mtu == math.Trunc(mtu)
}

// description says where a guest NIC is plugged: "virtio, bridge vmbr0, VLAN 20".
func (n netSpec) description() string {
	var parts []string
	if n.Model != "" {
		parts = append(parts, n.Model)
	}
	if n.Name != "" {
		parts = append(parts, n.Name)
	}
	if n.Bridge != "" {
		parts = append(parts, "bridge "+n.Bridge)
	}
	if n.Tag != "" {
		parts = append(parts, "VLAN "+n.Tag)
	}
	if n.Trunks != "" {
		parts = append(parts, "trunks "+n.Trunks)
	}
	return strings.Join(parts, ", ")
}

// diskSpec is a guest disk: a qemu ide/sata/scsi/virtio device or an lxc
// rootfs or mount point.
type diskSpec struct {
	Key       string // "scsi0", "rootfs", "mp0"
	Volume    string // "local-zfs:vm-100-disk-0"
	MountPath string
	SizeMB    int64
}

// parseDisk reads a disk setting; ok is false for what is no virtual disk
// of the guest: CD-ROMs, cloud-init drives, empty drives, pass-through
// devices, bind mounts without a size, and sizes past what NetBox holds.
func parseDisk(key, value string) (diskSpec, bool) {
	d := diskSpec{Key: key}
	var size string
	for _, it := range propertyList(value) {
		switch it.Key {
		case "", "file", "volume":
			if d.Volume == "" {
				d.Volume = it.Value
			}
		case "media":
			if it.Value == "cdrom" {
				return d, false
			}
		case "size":
			size = it.Value
		case "mp":
			d.MountPath = it.Value
		}
	}
	if d.Volume == "" || d.Volume == "none" || strings.Contains(d.Volume, "cloudinit") {
		return d, false
	}
	b, ok := parseSize(size)
	if !ok || b <= 0 || math.Ceil(b/(1<<20)) > maxMB {
		return d, false
	}
	d.SizeMB = int64(math.Ceil(b / (1 << 20)))
	return d, true
}

func (d diskSpec) description() string {
	if d.MountPath != "" {
		return d.Volume + " at " + d.MountPath
	}
	return d.Volume
}

var sizePattern = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)([KMGT]?)$`)

// parseSize reads a PVE disk size ("32G", "528K", "1.5T", "1073741824")
// in bytes.
func parseSize(s string) (float64, bool) {
	m := sizePattern.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	shift := map[string]uint{"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[m[2]]
	return v * float64(uint64(1)<<shift), true
}

// parseMemoryMB reads qemu's memory setting, "4096" or "current=4096".
func parseMemoryMB(s string) (int64, bool) {
	for _, it := range propertyList(s) {
		if it.Key == "" || it.Key == "current" {
			v, err := strconv.ParseInt(it.Value, 10, 64)
			return v, err == nil && v > 0
		}
	}
	return 0, false
}

// splitTags splits a PVE tag list; PVE accepts ";", "," and spaces.
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' })
}

var versionPattern = regexp.MustCompile(`^(\d+)\.(\d+)`)

// platformName is "Proxmox VE x.y" for a node's version, or "" when the
// version says nothing usable.
func platformName(v *px.Version) string {
	if v == nil {
		return ""
	}
	for _, s := range []string{v.Release, v.Version} {
		if m := versionPattern.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
			return "Proxmox VE " + m[1] + "." + m[2]
		}
	}
	return ""
}

// deviceIndex splits "scsi10" into "scsi" and 10; ok is false for keys that
// are not a prefix followed by digits.
func deviceIndex(key string) (prefix string, index int, ok bool) {
	i := len(key)
	for i > 0 && key[i-1] >= '0' && key[i-1] <= '9' {
		i--
	}
	if i == 0 || i == len(key) {
		return key, 0, false
	}
	n, err := strconv.Atoi(key[i:])
	if err != nil {
		return key, 0, false
	}
	return key[:i], n, true
}

// deviceLess orders config keys by prefix, then numerically ("net2" before "net10").
func deviceLess(a, b string) bool {
	pa, ia, oka := deviceIndex(a)
	pb, ib, okb := deviceIndex(b)
	if pa != pb || !oka || !okb {
		return a < b
	}
	return ia < ib
}

func hasIndexedPrefix(key string, prefixes ...string) bool {
	p, _, ok := deviceIndex(key)
	if !ok {
		return false
	}
	for _, want := range prefixes {
		if p == want {
			return true
		}
	}
	return false
}
