package netbox

import (
	"net/netip"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// deriver works out a reference the record does not name, for the fields
// the agent fills in itself: a device's or VM's primary_ip4/primary_ip6 is
// its only IP of that family, an interface's primary_mac_address its only
// MAC record. It returns nil for every other field.
func deriver(name string) func(p *planner, st *recState) string {
	switch name {
	case "primary_ip4":
		return func(p *planner, st *recState) string { return p.onlyIP(st, 4) }
	case "primary_ip6":
		return func(p *planner, st *recState) string { return p.onlyIP(st, 6) }
	case "primary_mac_address":
		return func(p *planner, st *recState) string {
			macs := p.childrenOf(st.rec.Key, inventory.KindMACAddress, "interface")
			if len(macs) == 1 {
				return macs[0].rec.Key
			}
			return ""
		}
	}
	return nil
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
