package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// builder lays out the estate object by object. Every object gets an
// ordinal in the order it is made; the changed ordinals are drawn from a
// stream of their own, so the estate's shape does not depend on Changed.
type builder struct {
	want   int
	rng    *rand.Rand
	files  map[string]*document
	byKind map[inventory.Kind]int

	used      int
	isChanged []bool
	changed   int

	clusters, standalone      int
	devIPs, vmIPs, looseIPs   uint32
	macs                      uint64
	clusterDoc, standaloneDoc *document
}

var (
	deviceNet = netip.MustParseAddr("172.16.0.10")
	vmNet     = netip.MustParseAddr("10.0.0.10")
	looseNet  = netip.MustParseAddr("192.168.0.10")
)

func newBuilder(o Options) *builder {
	b := &builder{
		want:      o.Objects,
		rng:       rand.New(rand.NewPCG(o.Seed, 0x6e6574626f78)),
		files:     map[string]*document{},
		byKind:    map[inventory.Kind]int{},
		isChanged: make([]bool, o.Objects),
	}
	k := int(math.Round(float64(o.Objects) * o.Changed))
	pick := rand.New(rand.NewPCG(o.Seed, 0x6368616e6765))
	for _, i := range pick.Perm(o.Objects)[:k] {
		b.isChanged[i] = true
	}
	return b
}

// object counts one object of kind and says whether it is one of the
// changed ones.
func (b *builder) object(k inventory.Kind) bool {
	ch := b.isChanged[b.used]
	b.used++
	b.byKind[k]++
	if ch {
		b.changed++
	}
	return ch
}

func (b *builder) left() int { return b.want - b.used }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// build makes the shared records, then clusters with their standalone
// devices while a whole small cluster fits, then standalone devices, and
// pads the last few objects with addresses on no interface.
func (b *builder) build() {
	b.shared()
	for b.left() >= MinObjects {
		b.cluster()
		for range standalonePerCluster {
			b.standaloneDevice()
		}
	}
	for b.left() >= deviceSize(2) {
		b.standaloneDevice()
	}
	for b.left() > 0 {
		b.looseIP()
	}
}

const changedNote = "revised by the benchmark"

func (b *builder) shared() {
	d := &document{}
	b.files["00-shared"] = d
	for _, s := range sites {
		r := named{Name: s, Status: "active"}
		if b.object(inventory.KindSite) {
			r.Description = changedNote
		}
		d.Sites = append(d.Sites, r)
	}
	for _, m := range manufacturers {
		r := named{Name: m}
		if b.object(inventory.KindManufacturer) {
			r.Description = changedNote
		}
		d.Manufacturers = append(d.Manufacturers, r)
	}
	for _, t := range deviceTypes {
		if b.object(inventory.KindDeviceType) {
			t.Description = changedNote
		}
		d.DeviceTypes = append(d.DeviceTypes, t)
	}
	for _, r := range deviceRoles {
		if b.object(inventory.KindDeviceRole) {
			r.Description = changedNote
		}
		d.DeviceRoles = append(d.DeviceRoles, r)
	}
	for _, p := range platforms {
		r := named{Name: p}
		if b.object(inventory.KindPlatform) {
			r.Description = changedNote
		}
		d.Platforms = append(d.Platforms, r)
	}
	for _, c := range clusterTypes {
		r := named{Name: c}
		if b.object(inventory.KindClusterType) {
			r.Description = changedNote
		}
		d.ClusterTypes = append(d.ClusterTypes, r)
	}
}

// deviceSize is the object count of a device with ips addresses: itself,
// four interfaces, four MACs and the addresses.
func deviceSize(ips int) int { return 1 + 4 + 4 + ips }

// vmSize is the object count of a VM: itself, two interfaces, two MACs,
// its addresses and disks.
func vmSize(ips, disks int) int { return 1 + 2 + 2 + ips + disks }

func (b *builder) cluster() {
	n := b.clusters
	b.clusters++
	if n%clustersPerFile == 0 {
		b.clusterDoc = &document{}
		b.files[fmt.Sprintf("clusters-%04d", n/clustersPerFile)] = b.clusterDoc
	}
	c := &cluster{
		Name:   fmt.Sprintf("cl%04d", n),
		Type:   clusterTypes[0],
		Site:   sites[n%len(sites)],
		Status: "active",
	}
	if b.object(inventory.KindCluster) {
		c.Description = changedNote
	}
	b.clusterDoc.Clusters = append(b.clusterDoc.Clusters, c)
	for h := range hostsPerCluster {
		ips := 1 + b.rng.IntN(2)
		if b.left() < deviceSize(ips) {
			break
		}
		t := deviceTypes[h%2]
		c.Devices = append(c.Devices, b.device(fmt.Sprintf("%s-hv%02d", c.Name, h), c.Site, "Hypervisor", t, platforms[0], ips,
			[4]string{"1000base-t", "1000base-t", "10gbase-x-sfpp", "10gbase-x-sfpp"}))
	}
	for v := range vmsPerCluster {
		ips, disks := 1+b.rng.IntN(2), 1+b.rng.IntN(2)
		if b.left() < vmSize(ips, disks) {
			break
		}
		host := c.Devices[v%len(c.Devices)].Name
		c.VirtualMachines = append(c.VirtualMachines, b.virtualMachine(fmt.Sprintf("%s-vm%03d", c.Name, v), host, ips, disks))
	}
}

func (b *builder) standaloneDevice() {
	n := b.standalone
	ips := 1 + b.rng.IntN(2)
	if b.left() < deviceSize(ips) {
		return
	}
	b.standalone++
	if n%devicesPerFile == 0 {
		b.standaloneDoc = &document{}
		b.files[fmt.Sprintf("devices-%04d", n/devicesPerFile)] = b.standaloneDoc
	}
	site := sites[n%len(sites)]
	var d *device
	if n%2 == 0 {
		d = b.device(fmt.Sprintf("sw%05d", n), site, "Switch", deviceTypes[2], platforms[1], ips,
			[4]string{"10gbase-t", "10gbase-t", "25gbase-x-sfp28", "100gbase-x-qsfp28"})
	} else {
		d = b.device(fmt.Sprintf("st%05d", n), site, "Storage", deviceTypes[3], platforms[2], ips,
			[4]string{"1000base-t", "10gbase-x-sfpp", "10gbase-x-sfpp", "10gbase-x-sfpp"})
	}
	b.standaloneDoc.Devices = append(b.standaloneDoc.Devices, d)
}

func (b *builder) device(name, site, role string, t deviceType, platform string, ips int, types [4]string) *device {
	d := &device{
		Name: name, Site: site, Role: role, DeviceType: t.Model, Manufacturer: t.Manufacturer, Platform: platform,
		Serial: fmt.Sprintf("%s%08d", serialPrefix(t.Manufacturer), b.used), Status: "active",
	}
	if b.object(inventory.KindDevice) {
		d.Serial += "R"
	}
	for i, typ := range types {
		ifc := &iface{Name: fmt.Sprintf("eth%d", i), Type: typ}
		if b.object(inventory.KindInterface) {
			ifc.Description = changedNote
		}
		ifc.MAC = b.mac()
		if i < ips {
			ip := b.ip(&b.devIPs, deviceNet, 12, name)
			if i == 0 {
				d.PrimaryIP4 = ip.Address
			}
			ifc.IPs = append(ifc.IPs, ip)
		}
		d.Interfaces = append(d.Interfaces, ifc)
	}
	return d
}

func (b *builder) virtualMachine(name, host string, ips, disks int) *virtualMachine {
	vm := &virtualMachine{
		Name: name, Device: host, Role: "Server", Status: "active",
		VCPUs: pick(b.rng, vcpuChoices), Memory: pick(b.rng, memoryChoices),
	}
	if b.object(inventory.KindVirtualMachine) {
		vm.Memory += 1024
	}
	for i := range 2 {
		ifc := &iface{Name: fmt.Sprintf("net%d", i)}
		if b.object(inventory.KindVMInterface) {
			ifc.Description = changedNote
		}
		ifc.MAC = b.mac()
		if i < ips {
			ip := b.ip(&b.vmIPs, vmNet, 8, name)
			if i == 0 {
				vm.PrimaryIP4 = ip.Address
			}
			ifc.IPs = append(ifc.IPs, ip)
		}
		vm.Interfaces = append(vm.Interfaces, ifc)
	}
	for i := range disks {
		dk := &disk{Name: fmt.Sprintf("scsi%d", i), Size: pick(b.rng, diskChoices)}
		if b.object(inventory.KindVirtualDisk) {
			dk.Size += 1024
		}
		vm.Disks = append(vm.Disks, dk)
	}
	return vm
}

func (b *builder) mac() *macAddress {
	n := b.macs
	b.macs++
	// Locally administered, unicast: 02:xx:xx:xx:xx:xx.
	m := &macAddress{MACAddress: fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))}
	if b.object(inventory.KindMACAddress) {
		m.Description = changedNote
	}
	return m
}

// ip takes the next address of a network; host names the DNS name.
func (b *builder) ip(counter *uint32, base netip.Addr, bits int, host string) *ipAddress {
	a := addAddr(base, *counter)
	*counter++
	ip := &ipAddress{Address: fmt.Sprintf("%s/%d", a, bits), Status: "active"}
	if host != "" {
		ip.DNSName = host + ".bench.example"
	}
	if b.object(inventory.KindIPAddress) {
		ip.Description = changedNote
	}
	return ip
}

func (b *builder) looseIP() {
	d := b.files["ips"]
	if d == nil {
		d = &document{}
		b.files["ips"] = d
	}
	ip := b.ip(&b.looseIPs, looseNet, 16, "")
	ip.Status = "reserved"
	d.IPAddresses = append(d.IPAddresses, ip)
}

func addAddr(base netip.Addr, n uint32) netip.Addr {
	a := base.As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v += n
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func serialPrefix(manufacturer string) string {
	switch manufacturer {
	case "Dell Inc.":
		return "DL"
	case "Supermicro":
		return "SM"
	case "Arista":
		return "JPE"
	default:
		return "NA"
	}
}
