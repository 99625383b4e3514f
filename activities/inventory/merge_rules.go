package inventory

import (
	"strconv"
	"strings"
)

// matchKeys joins records with the same key, then records whose alias is
// another record's key: a key names one thing whichever source reports it.
// A record whose key is a better source's for a record with another
// serial describes another machine under a key it cannot have: it is
// dropped and reported.
func (m *merger) matchKeys() {
	for i := range m.items {
		id := int32(i)
		k := m.items[i].rec.Key
		if j, ok := m.byKey[k]; ok {
			if !m.union(j, id, RuleKey, k, false) && m.find(j) != id {
				m.drop(id, "same key as a record of "+m.sourceName(m.items[j].src)+" with another serial")
			}
			continue
		}
		m.byKey[k] = id
	}
	for i := range m.items {
		id := int32(i)
		if m.dropped[id] {
			continue
		}
		for _, a := range m.items[i].rec.Aliases {
			if j, ok := m.byKey[a]; ok {
				m.union(j, id, RuleKey, a, false)
				continue
			}
			m.byKey[a] = id
		}
	}
}

// drop leaves item i out of the merge and reports it skipped.
func (m *merger) drop(i int32, reason string) {
	m.dropped[i] = true
	r := m.items[i].rec
	m.skipped = append(m.skipped, SkippedRecord{Source: m.sourceName(m.items[i].src), Kind: r.Kind, Key: r.Key, Reason: reason})
}

// prepare works out once, per record, the values the rules compare: the
// name and the scope of its natural key, as its kind's declaration says
// (a device is known by its name within its site, an interface by its name
// on its device, a MAC on its interface), and a MAC record's address.
func (m *merger) prepare() {
	for i := range m.items {
		it := &m.items[i]
		r := it.rec
		d := r.Kind.Decl()
		it.parent = -1
		if d.Shared {
			continue
		}
		it.name = identityName(d, r)
		if d.NameField().Type == TypeMAC {
			it.mac = it.name
		}
		k := r.Refs[d.scope]
		if j, ok := m.lookup(k); ok {
			it.parent = j
		} else {
			it.parentKey = k
		}
	}
}

// identityName is the name part of a record's natural key: its name
// fields in the declared order, joined by "/" ("tcp/ssh" for a service),
// or "" when the record has no name. MACs that many devices share and the
// prefix length of an address identify nothing.
func identityName(d *Decl, r *Record) string {
	name := ""
	for i, f := range d.nameParts {
		var v string
		switch f.Type {
		case TypeMAC:
			v = usableMAC(r.String(f.Name))
		case TypeIP:
			v = hostAddr(r.String(f.Name))
		case TypeInt:
			v = intName(r.Attrs[f.Name])
		default:
			v = lowerTrim(r.String(f.Name))
		}
		if f.Name == d.Name && v == "" {
			return ""
		}
		if i > 0 {
			name += "/"
		}
		name += v
	}
	return name
}

// intName is a whole number that names a record (a VLAN's VID) as text,
// or "" when there is none.
func intName(v any) string {
	switch n := v.(type) {
	case int:
		return strconv.Itoa(n)
	case int64:
		return strconv.FormatInt(n, 10)
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return ""
}

// matchSerials joins records whose identifying field (a device's serial)
// holds the same value; placeholder serials identify nothing.
func (m *merger) matchSerials() {
	type value struct {
		kind Kind
		v    string
	}
	first := map[value]int32{}
	for i := range m.items {
		it := &m.items[i]
		if it.serial == "" || m.dropped[i] {
			continue
		}
		k := value{it.rec.Kind, it.serial}
		if j, ok := first[k]; ok {
			m.union(j, int32(i), RuleSerial, it.serial, true)
			continue
		}
		first[k] = int32(i)
	}
}

// usableMAC returns mac normalised, or "" for addresses that many devices
// share: all zeros, broadcast, multicast (the low bit of the first octet).
func usableMAC(mac string) string {
	n, ok := NormalizeMAC(mac)
	if !ok || n == "00:00:00:00:00:00" {
		return ""
	}
	first, err := strconv.ParseUint(n[:2], 16, 8)
	if err != nil || first&1 == 1 {
		return ""
	}
	return n
}

// matchMACs joins devices and VMs of different sources by the MACs of
// their interfaces (matchHosts), then the MAC address records with the
// same address, and the interfaces that carry them, where those
// interfaces' hosts are one: a MAC two hosts share that are not joined (a
// cloned VM's, a moved NIC's) joins neither the interfaces nor the MACs.
// A MAC that one source reports on more than one record (a bridge, VRRP,
// docker0 on every host) is no identity and joins nothing.
func (m *merger) matchMACs() {
	shared := m.sharedMACs()
	byMAC := map[string][]int32{}
	var macs []int32
	for i := range m.items {
		mac := m.items[i].mac
		if mac == "" || shared[mac] || m.dropped[i] {
			continue
		}
		macs = append(macs, int32(i))
		byMAC[mac] = append(byMAC[mac], int32(i))
	}
	m.matchHosts(macs)
	for _, i := range macs {
		list := byMAC[m.items[i].mac]
		for _, j := range list {
			if j == i {
				break // the earlier records of list were tried against i
			}
			if m.sameHost(j, i) {
				m.union(j, i, RuleMAC, m.items[i].mac, true)
				if a, b := m.items[j].parent, m.items[i].parent; a >= 0 && b >= 0 {
					m.union(a, b, RuleMAC, m.items[i].mac, true)
				}
				break
			}
		}
	}
}

// sameHost reports whether the MAC records a and b may be joined: their
// interfaces' hosts are one (or one of them is known without a host).
func (m *merger) sameHost(a, b int32) bool {
	ia, ib := m.items[a].parent, m.items[b].parent
	if ia < 0 || ib < 0 {
		return true
	}
	ha, hb := m.items[ia].parent, m.items[ib].parent
	if ha < 0 || hb < 0 || !decls.macHolders[m.items[ia].rec.Kind] || !decls.macHolders[m.items[ib].rec.Kind] {
		return true
	}
	return m.find(ha) == m.find(hb)
}

// sharedMACs lists the MACs a source reports on more than one record.
func (m *merger) sharedMACs() map[string]bool {
	type seen struct {
		mac string
		src int32
	}
	count := map[seen]int{}
	out := map[string]bool{}
	for i := range m.items {
		it := &m.items[i]
		if it.mac == "" {
			continue
		}
		k := seen{it.mac, it.src}
		count[k]++
		if count[k] > 1 {
			out[it.mac] = true
		}
	}
	return out
}

// natKey identifies a record apart from its key: its kind, its scope (the
// group of the record its natural key is scoped by, or that reference's
// key when it names no input record) and its name.
type natKey struct {
	kind  Kind
	scope int32
	ext   string
	name  string
}

// naturalKey returns the natural key of item i; ok is false when the
// record lacks a part of it.
func (m *merger) naturalKey(i int32) (natKey, bool) {
	it := &m.items[i]
	if it.name == "" {
		return natKey{}, false
	}
	nk := natKey{kind: it.rec.Kind, scope: -1, ext: it.parentKey, name: it.name}
	if it.parent >= 0 {
		nk.scope = m.find(it.parent)
	}
	// Only an unscoped kind may stand without its scope (an address with
	// no VRF is in the global table).
	if nk.scope < 0 && nk.ext == "" && !it.rec.Kind.Decl().Unscoped {
		return natKey{}, false
	}
	return nk, true
}

// shownKey is the natural key of item i as a person reads it in the report.
func (m *merger) shownKey(i int32) string {
	r := m.items[i].rec
	f := r.Kind.Decl().scope
	label := m.items[i].name
	if n := r.String("name"); n != "" {
		label = n
	}
	if scope := r.Refs[f]; scope != "" {
		return label + " (" + f + " " + scope + ")"
	}
	return label
}

// matchNames joins records with the same natural key, kind by kind in
// dependency order, so that children compare under their joined parents.
func (m *merger) matchNames() {
	if m.byKind == nil {
		m.byKind = make(map[Kind][]int32, len(decls.list))
		for i := range m.items {
			k := m.items[i].rec.Kind
			if !k.Shared() {
				m.byKind[k] = append(m.byKind[k], int32(i))
			}
		}
	}
	for _, k := range Kinds() {
		ids := m.byKind[k]
		if len(ids) < 2 {
			continue
		}
		first := make(map[natKey]int32, len(ids))
		for _, i := range ids {
			nk, ok := m.naturalKey(i)
			if !ok {
				continue
			}
			if j, ok := first[nk]; ok {
				if m.find(i) != m.find(j) {
					m.union(j, i, RuleName, m.shownKey(i), true)
				}
				continue
			}
			first[nk] = i
		}
	}
}

// hostAddr returns the address of an IP in CIDR form without its prefix length.
func hostAddr(addr string) string {
	n, ok := NormalizeIP(addr)
	if !ok {
		return ""
	}
	host, _, found := strings.Cut(n, "/")
	if !found {
		return n
	}
	return host
}
