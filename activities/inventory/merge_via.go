package inventory

// A source that sees an address but not the machine behind it (a network
// scanner) cannot name that machine's records, which other sources key.
// It names what it does know, and the merge finds the holder once the
// groups are known:
//
//   - a service whose parent is an IP address record is on the device or
//     virtual machine that holds that address (through its interface);
//     when no source puts the address on one, the service is left out
//     and reported skipped;
//   - an IP address whose interface is a MAC address record is on the
//     interface that carries that MAC; when none does, the address is on
//     no interface.
//
// Record.Validate takes such references (it checks that they are there,
// not what they name); every other reference keeps the kind its field
// declares, and the merged records carry only those.

// viaKinds are the fields that may name a record that leads to their
// target, and the kind of that record.
var viaKinds = map[Kind]struct {
	field string
	via   Kind
}{
	KindService:   {"parent", KindIPAddress},
	KindIPAddress: {"interface", KindMACAddress},
}

// kindOfKey is the kind of the record a key names after the merge, or "".
func (m *merger) kindOfKey(key string) Kind {
	if i, ok := m.lookup(key); ok {
		return m.items[m.find(i)].rec.Kind
	}
	return ""
}

// group lists the members of the group rooted at r, best first.
func (j *Joined) group(r int32) []int32 { return j.members[j.first[r]:j.first[r+1]] }

// viaTarget reports whether the record of the group rooted at r names, in
// its via field, a record that leads to the target, and that record's key.
func (j *Joined) viaTarget(r int32) (string, bool) {
	v, ok := viaKinds[j.m.items[r].rec.Kind]
	if !ok {
		return "", false
	}
	for _, i := range j.group(r) {
		k := j.m.items[i].rec.Refs[v.field]
		if k == "" {
			continue
		}
		k = j.m.rewrite(k)
		return k, j.m.kindOfKey(k) == v.via
	}
	return "", false
}

// dropUnheld leaves out the services whose address no device or VM holds,
// and reports them skipped.
func (j *Joined) dropUnheld() {
	kept := j.roots[:0]
	for _, r := range j.roots {
		if j.m.items[r].rec.Kind == KindService {
			if ip, ok := j.viaTarget(r); ok {
				if _, held := j.hostOfAddress(ip); !held {
					rec := j.m.items[r].rec
					j.m.skipped = append(j.m.skipped, SkippedRecord{Source: j.m.sourceName(j.m.items[r].src), Kind: rec.Kind, Key: rec.Key,
						Reason: "no device or virtual machine holds its address " + j.addressOf(ip)})
					continue
				}
			}
		}
		kept = append(kept, r)
	}
	j.roots = kept
}

// addressOf is the address of the IP address record with key, for reports.
func (j *Joined) addressOf(key string) string {
	if i, ok := j.m.lookup(key); ok {
		for _, m := range j.group(j.m.find(i)) {
			if a := j.m.items[m].rec.String("address"); a != "" {
				return a
			}
		}
	}
	return key
}

// resolveVia turns rec's reference through another record (see viaKinds)
// into one to its target: the host that holds the address, the interface
// that carries the MAC. An address whose MAC no interface carries loses
// its interface.
func (j *Joined) resolveVia(r int32, rec *Record) {
	v, ok := viaKinds[rec.Kind]
	if !ok {
		return
	}
	k := rec.Refs[v.field]
	if k == "" || j.m.kindOfKey(k) != v.via {
		return
	}
	var target string
	var found bool
	switch rec.Kind {
	case KindService:
		target, found = j.hostOfAddress(k)
	case KindIPAddress:
		target, found = j.interfaceOf(r)
	}
	if found {
		rec.Refs[v.field] = target
		return
	}
	delete(rec.Refs, v.field)
	delete(rec.Origin, v.field)
	if len(rec.Refs) == 0 {
		rec.Refs = nil
	}
}

// hostOfAddress is the device or virtual machine whose interface holds the
// IP address record with key.
func (j *Joined) hostOfAddress(key string) (string, bool) {
	i, ok := j.m.lookup(key)
	if !ok {
		return "", false
	}
	iface, ok := j.interfaceOf(j.m.find(i))
	if !ok {
		return "", false
	}
	n, _ := j.m.lookup(iface)
	field := "device"
	if j.m.kindOfKey(iface) == KindVMInterface {
		field = "virtual_machine"
	}
	for _, m := range j.group(j.m.find(n)) {
		if h := j.m.items[m].rec.Refs[field]; h != "" {
			return j.m.rewrite(h), true
		}
	}
	return "", false
}

// interfaceOf is the interface the IP address group rooted at r is on: the
// first member's, best first, that names an interface, or the interface
// that carries the MAC address a member names.
func (j *Joined) interfaceOf(r int32) (string, bool) {
	for _, m := range j.group(r) {
		k := j.m.items[m].rec.Refs["interface"]
		if k == "" {
			continue
		}
		k = j.m.rewrite(k)
		switch j.m.kindOfKey(k) {
		case KindInterface, KindVMInterface:
			return k, true
		case KindMACAddress:
			if iface, ok := j.carrierOf(k); ok {
				return iface, true
			}
		}
	}
	if iface, ok := j.standIns.iface[r]; ok {
		return iface, true
	}
	return "", false
}

// carrierOf is the interface that carries the MAC address record with key.
func (j *Joined) carrierOf(key string) (string, bool) {
	i, ok := j.m.lookup(key)
	if !ok {
		return "", false
	}
	for _, m := range j.group(j.m.find(i)) {
		k := j.m.items[m].rec.Refs["interface"]
		if k == "" {
			continue
		}
		k = j.m.rewrite(k)
		if kind := j.m.kindOfKey(k); kind == KindInterface || kind == KindVMInterface {
			return k, true
		}
	}
	return "", false
}
