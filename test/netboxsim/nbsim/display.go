package nbsim

import (
	"fmt"
	"slices"
	"strings"
)

// How NetBox shows objects (their __str__, the "display" of answers) and a few read-only values.

func emptyList(*view, *object) any { return []any{} }

func deviceDisplay(v *view, o *object) string {
	name, asset := o.str("name"), o.str("asset_tag")
	switch {
	case name != "" && asset != "":
		return name + " (" + asset + ")"
	case name != "":
		return name
	}
	dt := v.get(epDeviceTypes, o.id("device_type"))
	if dt == nil {
		return fmt.Sprintf("Device %d", o.ID)
	}
	mfr := v.get(epManufacturers, dt.id("manufacturer"))
	prefix := dt.str("model")
	if mfr != nil {
		prefix = mfr.str("name") + " " + prefix
	}
	if asset != "" {
		return fmt.Sprintf("%s (%s)", prefix, asset)
	}
	return fmt.Sprintf("%s (%d)", prefix, o.ID)
}

func componentDisplay(_ *view, o *object) string {
	if l := o.str("label"); l != "" {
		return o.str("name") + " (" + l + ")"
	}
	return o.str("name")
}

func serviceDisplay(v *view, o *object) string {
	// From 4.7 a service is shown by its name alone (ipam/models/services.py ServiceBase.__str__).
	if v.st.cat.rel.atLeast(7) {
		return o.str("name")
	}
	ports := slices.Clone(o.ids("ports"))
	slices.Sort(ports)
	var parts []string
	for i := 0; i < len(ports); {
		j := i
		for j+1 < len(ports) && ports[j+1] == ports[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", ports[i], ports[j]))
		} else {
			parts = append(parts, itoa(ports[i]))
		}
		i = j + 1
	}
	label := strings.ToUpper(o.str("protocol"))
	return fmt.Sprintf("%s (%s/%s)", o.str("name"), label, strings.Join(parts, ", "))
}
