package inventory

// A source that sees a host only by its address (the network scanner) may
// make a device and an interface for it that stand in for the host
// (Record.StandIn names the address record): a printer or a switch that no
// other source knows becomes a device, not a bare address. The stand-in is
// only a fallback, decided once the groups are known:
//
//   - when another source reports the address (joined by address) or its
//     MAC (joined by MAC), the host is that source's: the stand-in device
//     and interface are left out and reported skipped, and the address and
//     MAC go where that source puts them;
//   - otherwise they are kept, and the address and its MAC are on the
//     stand-in's interface, the services of the address on its device.
//
// A stand-in joined with another source's device by name stays joined:
// the device is that source's, with the stand-in's fields where it has none.

// standIns is what keepStandIns decided: the stand-in interface kept for
// each address group and for each MAC group, by root.
type standIns struct {
	iface map[int32]string // address root -> stand-in interface key
	mac   map[int32]string // MAC root -> stand-in interface key
}

// keepStandIns leaves out the stand-in groups whose address another source
// reports, and records the interfaces of those kept.
func (j *Joined) keepStandIns() {
	j.standIns = standIns{iface: map[int32]string{}, mac: map[int32]string{}}
	kept := j.roots[:0]
	for _, r := range j.roots {
		ipKey, standIn := j.standInFor(r)
		if !standIn {
			kept = append(kept, r)
			continue
		}
		if why, known := j.knownElsewhere(r, ipKey); known {
			rec := j.m.items[r].rec
			j.m.skipped = append(j.m.skipped, SkippedRecord{Source: j.m.sourceName(j.m.items[r].src), Kind: rec.Kind, Key: rec.Key, Reason: why})
			continue
		}
		kept = append(kept, r)
		if k := j.m.items[r].rec.Kind; k != KindInterface && k != KindVMInterface {
			continue
		}
		ip, _ := j.m.lookup(ipKey)
		ipRoot := j.m.find(ip)
		j.standIns.iface[ipRoot] = j.m.items[r].rec.Key
		if mac, ok := j.macOf(ipRoot); ok {
			j.standIns.mac[mac] = j.m.items[r].rec.Key
		}
	}
	j.roots = kept
}

// standInFor reports whether every record of the group rooted at r is a
// stand-in, and the address key they stand behind.
func (j *Joined) standInFor(r int32) (string, bool) {
	key := ""
	for _, i := range j.group(r) {
		s := j.m.items[i].rec.StandIn
		if s == "" {
			return "", false
		}
		key = s
	}
	return j.m.rewrite(key), key != ""
}

// knownElsewhere reports whether a source other than the stand-in's of
// the group rooted at r reports the address with ipKey or its MAC, with
// the reason the stand-in is left out.
func (j *Joined) knownElsewhere(r int32, ipKey string) (string, bool) {
	own := j.m.items[r].src
	ip, ok := j.m.lookup(ipKey)
	if !ok {
		return "stands in for the host of " + ipKey + ", which no record is", true
	}
	ipRoot := j.m.find(ip)
	for _, i := range j.group(ipRoot) {
		if j.m.items[i].src != own {
			return "source " + j.m.sourceName(j.m.items[i].src) + " reports its address " + j.addressOf(ipKey), true
		}
	}
	mac, ok := j.macOf(ipRoot)
	if !ok {
		return "", false
	}
	for _, i := range j.group(mac) {
		if j.m.items[i].src != own {
			return "source " + j.m.sourceName(j.m.items[i].src) + " reports its MAC " + j.m.items[i].rec.String("mac_address"), true
		}
	}
	return "", false
}

// macOf is the root of the MAC address group a member of the address
// group rooted at r names as its interface.
func (j *Joined) macOf(r int32) (int32, bool) {
	for _, i := range j.group(r) {
		k := j.m.items[i].rec.Refs["interface"]
		if k == "" {
			continue
		}
		k = j.m.rewrite(k)
		if j.m.kindOfKey(k) != KindMACAddress {
			continue
		}
		n, _ := j.m.lookup(k)
		return j.m.find(n), true
	}
	return 0, false
}

// placeOnStandIn puts a MAC address that no interface carries, and an
// address that names no interface, on the stand-in interface kept for the
// address. (An address that names its MAC reaches the interface through
// interfaceOf.)
func (j *Joined) placeOnStandIn(r int32, rec *Record) {
	var iface string
	var ok bool
	switch rec.Kind {
	case KindMACAddress:
		iface, ok = j.standIns.mac[r]
	case KindIPAddress:
		iface, ok = j.standIns.iface[r]
	}
	if !ok || rec.Refs["interface"] != "" {
		return
	}
	rec.Ref("interface", iface)
	if rec.Origin == nil {
		rec.Origin = map[string]string{}
	}
	n, _ := j.m.lookup(iface)
	rec.Origin["interface"] = j.m.sourceName(j.m.items[n].src)
}
