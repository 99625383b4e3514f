package netbox

import (
	"net/netip"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// primaryIP is a device's or VM's primary_ip4/primary_ip6: the IP the
// record names, or else its only IP of that family.
func primaryIP(name string, family int) field {
	return field{Name: name, Type: typeRef, Targets: []inventory.Kind{inventory.KindIPAddress},
		Derive: func(p *planner, st *recState) string { return p.onlyIP(st, family) }}
}

// primaryMAC is an interface's primary_mac_address: the MAC record the
// record names, or else its only MAC record.
func primaryMAC() field {
	return field{Name: "primary_mac_address", Type: typeRef, Targets: []inventory.Kind{inventory.KindMACAddress},
		Derive: func(p *planner, st *recState) string {
			macs := p.childrenOf(st.rec.Key, inventory.KindMACAddress, "interface")
			if len(macs) == 1 {
				return macs[0].rec.Key
			}
			return ""
		}}
}

// onlyIP returns the key of the single IP of the family on the record's
// interfaces, or "" when there is none or more than one.
func (p *planner) onlyIP(st *recState, family int) string {
	mp, ok := macParents[st.rec.Kind]
	if !ok {
		return ""
	}
	found := ""
	for _, ifc := range p.childrenOf(st.rec.Key, mp.ifaceKind, mp.parentField) {
		for _, ip := range p.childrenOf(ifc.rec.Key, inventory.KindIPAddress, "interface") {
			pfx, err := netip.ParsePrefix(ip.rec.String("address"))
			if err != nil || (family == 4) != pfx.Addr().Is4() {
				continue
			}
			if found != "" {
				return ""
			}
			found = ip.rec.Key
		}
	}
	return found
}
