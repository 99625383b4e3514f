package homeassistant

import (
	"fmt"
	"sort"
	"strings"
)

// deviceNames gives every device the name NetBox will show: the name the
// user gave it in Home Assistant, else the one its integration gave it,
// else its model. NetBox wants device names unique per site regardless of
// case, where Home Assistant happily has five "Motion sensor"s; those get
// the start of their registry id appended, which stays the same from run
// to run.
func (m *mapper) deviceNames(units []*unit) map[string]string {
	names := make(map[string]string, len(units))
	byName := map[string][]string{}
	for _, u := range units {
		d := u.dev
		n := baseName(d)
		names[d.ID] = truncate(n, maxDeviceName)
		lower := strings.ToLower(names[d.ID])
		byName[lower] = append(byName[lower], d.ID)
	}
	var clashes []string
	for lower, ids := range byName {
		if len(ids) > 1 {
			clashes = append(clashes, lower)
		}
	}
	sort.Strings(clashes)
	for _, lower := range clashes {
		ids := byName[lower]
		shown := names[ids[0]]
		for _, id := range ids {
			suffix := " (" + shortID(id) + ")"
			names[id] = truncate(names[id], maxDeviceName-len([]rune(suffix))) + suffix
		}
		m.warn(fmt.Sprintf("%d devices are named %q; NetBox needs unique names per site, so each has the start of its Home Assistant id appended", len(ids), shown))
	}
	return names
}

// baseName is the name of a device before clashes are resolved.
func baseName(d device) string {
	for _, n := range []string{str(d.NameByUser), str(d.Name)} {
		if n != "" {
			return strings.Join(strings.Fields(n), " ")
		}
	}
	maker, model := str(d.Manufacturer), str(d.Model)
	switch {
	case maker != "" && model != "":
		return maker + " " + model
	case model != "":
		return model
	}
	return "Home Assistant device " + shortID(d.ID)
}

// shortID is the start of a registry id (32 hex digits), long enough to
// tell a home's devices apart.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// truncate cuts s to n characters, as NetBox counts them.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n]))
}
