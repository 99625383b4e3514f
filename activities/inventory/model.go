// Package inventory holds the canonical model that every source reports into:
// records with a kind, a stable source-qualified key, typed attributes,
// references to other records by key and the origin of every field.
package inventory

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Record is one thing a source reports.
//
// Attrs hold the record's fields under NetBox's field names (name, serial,
// status, vcpus, memory, mac_address, address, ...). Values are strings,
// int64, float64, bool or []int64 after normalisation. Refs name other
// records by key under the NetBox field that points to them (site,
// device_type, device, virtual_machine, interface, ...). Origin names the
// source each attribute and reference came from.
type Record struct {
	Kind   Kind              `json:"kind"`
	Key    string            `json:"key"`
	Source string            `json:"source,omitempty"`
	Attrs  map[string]any    `json:"attrs,omitempty"`
	Refs   map[string]string `json:"refs,omitempty"`
	Origin map[string]string `json:"origin,omitempty"`
	// Aliases are other keys this record answers to after a merge, so that
	// references made by other sources still resolve.
	Aliases []string `json:"aliases,omitempty"`
	// StandIn, on a device and its interface that a source makes for a
	// host it sees only by address (the scanner's discovered role), names
	// the IP address record the host stands behind. The merge keeps such a
	// record only when no other source reports that address or its MAC,
	// and puts the address and the MAC on the stand-in's interface
	// (merge_standin.go); merged records carry none.
	StandIn string `json:"stand_in,omitempty"`
}

// String returns the attribute name as a string, or "" when it is missing.
func (r *Record) String(name string) string {
	s, _ := r.Attrs[name].(string)
	return s
}

// Set stores an attribute after normalising it; empty values are dropped so
// that a missing field never overwrites what another source knows.
func (r *Record) Set(name string, v any) {
	v = Normalize(name, v)
	if IsEmpty(v) {
		return
	}
	if r.Attrs == nil {
		r.Attrs = make(map[string]any)
	}
	r.Attrs[name] = v
}

// Ref stores a reference to the record with the given key; an empty key is dropped.
func (r *Record) Ref(field, key string) {
	if key == "" {
		return
	}
	if r.Refs == nil {
		r.Refs = make(map[string]string)
	}
	r.Refs[field] = key
}

// Validate reports what is structurally wrong with the record: an unknown
// kind, no key, or a required field of its kind's declaration missing.
func (r *Record) Validate() error {
	d := r.Kind.Decl()
	if d == nil {
		return fmt.Errorf("unknown kind %q", r.Kind)
	}
	if r.Key == "" {
		return fmt.Errorf("%s: missing key", r.Kind)
	}
	for _, f := range d.requiredAttrs {
		if IsEmpty(r.Attrs[f]) {
			return fmt.Errorf("%s %s: missing %s", r.Kind, r.Key, f)
		}
	}
	for _, f := range d.requiredRefs {
		if r.Refs[f] == "" {
			return fmt.Errorf("%s %s: missing reference %s", r.Kind, r.Key, f)
		}
	}
	for _, f := range d.bounded {
		v, ok := r.Attrs[f.Name]
		if !ok {
			continue
		}
		if n, whole := wholeNumber(v); !whole || n < f.Min || n > f.Max {
			return fmt.Errorf("%s %s: %s %v is not a whole number in %d-%d", r.Kind, r.Key, f.Name, v, f.Min, f.Max)
		}
	}
	return nil
}

// Sort orders records by kind dependency order, then key, so that every
// output built from them is stable.
func Sort(recs []Record) {
	slices.SortStableFunc(recs, func(a, b Record) int { return compareRecords(&a, &b) })
}

// compareRecords is Sort's order: kind dependency order, then key. The
// order of a kind is looked up only for two kinds, as most pairs a sort
// compares are of one.
func compareRecords(a, b *Record) int {
	if a.Kind != b.Kind {
		if c := cmp.Compare(a.Kind.Order(), b.Kind.Order()); c != 0 {
			return c
		}
	}
	return strings.Compare(a.Key, b.Key)
}

// wholeNumber is v as a whole number, whichever way it was decoded.
func wholeNumber(v any) (int64, bool) {
	switch n := Normalize("", v).(type) {
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}
