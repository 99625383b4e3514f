package inventory

import (
	"encoding/json"
	"math"
	"net"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// placeholderSerials are values firmware writes when nobody filled the field in.
var placeholderSerials = map[string]bool{
	"to be filled by o.e.m.": true,
	"to be filled by oem":    true,
	"0":                      true,
	"n/a":                    true,
	"na":                     true,
	"none":                   true,
	"default string":         true,
	"system serial number":   true,
	"not specified":          true,
	"0123456789":             true,
	"123456789":              true,
	"unknown":                true,
	"":                       true,
}

// IsPlaceholderSerial reports whether s is a serial number that identifies nothing.
func IsPlaceholderSerial(s string) bool {
	return placeholderSerials[strings.ToLower(strings.TrimSpace(s))]
}

// NormalizeMAC returns mac in lower-case colon form, or ok=false when it is
// not a 48-bit MAC address.
func NormalizeMAC(mac string) (string, bool) {
	if canonicalMAC(mac) {
		return mac, true // every read of a stored record finds it so
	}
	hw, err := net.ParseMAC(strings.TrimSpace(mac))
	if err != nil || len(hw) != 6 {
		return "", false
	}
	return hw.String(), true
}

// canonicalMAC reports whether mac is already in NormalizeMAC's form:
// six lower-case hex pairs joined by colons.
func canonicalMAC(mac string) bool {
	if len(mac) != 17 {
		return false
	}
	for i := 0; i < len(mac); i++ {
		c := mac[i]
		if i%3 == 2 {
			if c != ':' {
				return false
			}
		} else if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// NormalizeIP returns addr in CIDR form: a bare address gets /32 or /128 and
// an IPv4-mapped IPv6 address is unmapped. ok is false when addr is no IP.
func NormalizeIP(addr string) (string, bool) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "", false
	}
	if strings.Contains(addr, "/") {
		p, err := netip.ParsePrefix(addr)
		if err != nil {
			return "", false
		}
		a := p.Addr()
		bits := p.Bits()
		if a.Is4In6() {
			a = a.Unmap()
			bits -= 96
			if bits < 0 {
				return "", false
			}
		}
		return prefixText(addr, netip.PrefixFrom(a.WithZone(""), bits)), true
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return "", false
	}
	a = a.Unmap().WithZone("")
	return prefixText(addr, netip.PrefixFrom(a, a.BitLen())), true
}

// prefixText is p as text: addr itself when that is how p is written, so
// that an address already in CIDR form is not made again.
func prefixText(addr string, p netip.Prefix) string {
	var buf [64]byte
	text := p.AppendTo(buf[:0])
	if string(text) == addr {
		return addr
	}
	return string(text)
}

// IsUsableIP reports whether addr (in CIDR or bare form) is worth recording:
// not loopback, link-local, unspecified or multicast.
func IsUsableIP(addr string) bool {
	s, ok := NormalizeIP(addr)
	if !ok {
		return false
	}
	p := netip.MustParsePrefix(s)
	a := p.Addr()
	return !(a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsUnspecified() || a.IsMulticast())
}

var slugInvalid = regexp.MustCompile(`[^a-z0-9_-]+`)
var slugDashes = regexp.MustCompile(`-{2,}`)

// Slug turns a name into a NetBox slug: lower case, [a-z0-9_-], at most 100
// characters. Accents are dropped rather than the letters that carry them,
// so "Köln" becomes "koln", as NetBox's own slugify does.
func Slug(name string) string {
	s := strings.ToLower(strings.TrimSpace(stripAccents(name)))
	s = slugInvalid.ReplaceAllString(s, "-")
	s = slugDashes.ReplaceAllString(s, "-")
	s = strings.Trim(s, "-")
	if len(s) > 100 {
		s = strings.TrimRight(s[:100], "-")
	}
	return s
}

func stripAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normalizeText is Normalize of a string: trimmed, and a serial, MAC or IP
// address in its canonical form.
func normalizeText(name, x string) string {
	x = strings.TrimSpace(x)
	switch decls.attrTypes[name] {
	case TypeSerial:
		if IsPlaceholderSerial(x) {
			return ""
		}
	case TypeMAC:
		if m, ok := NormalizeMAC(x); ok {
			return m
		}
	case TypeIP:
		if a, ok := NormalizeIP(x); ok {
			return a
		}
	}
	return x
}

// Normalize returns v in the canonical form for the attribute name, by
// the type its kinds declare it with (NetBox's field names mean one thing
// on every kind): strings trimmed, MACs lower-case with colons, IPs in CIDR
// form, placeholder serials empty, JSON numbers as int64 or float64, lists
// as []int64 or []string.
func Normalize(name string, v any) any {
	switch x := v.(type) {
	case string:
		return normalizeText(name, x)
	case *string:
		if x == nil {
			return nil
		}
		return Normalize(name, *x)
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return float64(x)
		}
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return normFloat(float64(x))
	case float64:
		return normFloat(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return normFloat(f)
	case []int:
		out := make([]int64, len(x))
		for i, n := range x {
			out[i] = int64(n)
		}
		return sortedInts(out)
	case []int64:
		return sortedInts(append([]int64(nil), x...))
	case []string:
		return sortedStrings(append([]string(nil), x...))
	case []any:
		return normList(name, x)
	}
	return v
}

func normFloat(f float64) any {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return f
}

func normList(name string, xs []any) any {
	ints := make([]int64, 0, len(xs))
	strs := make([]string, 0, len(xs))
	for _, x := range xs {
		switch n := Normalize(name, x).(type) {
		case int64:
			ints = append(ints, n)
		case string:
			strs = append(strs, n)
		default:
			return xs
		}
	}
	switch {
	case len(strs) == 0:
		return sortedInts(ints)
	case len(ints) == 0:
		return sortedStrings(strs)
	}
	return xs
}

func sortedInts(xs []int64) []int64 {
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	return xs
}

func sortedStrings(xs []string) []string {
	sort.Strings(xs)
	return xs
}

// IsEmpty reports whether v carries no information: nil, "", or an empty list.
func IsEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []int64:
		return len(x) == 0
	case []string:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// NormalizeRecord normalises every attribute of r in place; use it on
// records read back from JSON, where numbers arrive as float64.
func NormalizeRecord(r *Record) {
	for k, v := range r.Attrs {
		if x, ok := v.(string); ok {
			// Text that normalises to itself is kept as it is held, not
			// stored again.
			switch n := normalizeText(k, x); {
			case n == "":
				delete(r.Attrs, k)
			case n != x:
				r.Attrs[k] = n
			}
			continue
		}
		n := Normalize(k, v)
		if IsEmpty(n) {
			delete(r.Attrs, k)
			continue
		}
		r.Attrs[k] = n
	}
}
