package filesystem

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/activities/source"
)

// convert turns a field's node into an attribute value of type as. Values
// are read from their text, so that `serial: 0012` keeps its zeros and a
// CSV cell "8" is as good a number as YAML's 8.
func convert(as attrSpec, n *node) (any, error) {
	switch as.typ {
	case vInts, vStrings:
		return convertList(as, n)
	}
	if n.kind != nodeScalar {
		return nil, fmt.Errorf("want a single value, not %s", n.kind)
	}
	text := strings.TrimSpace(n.text)
	switch as.typ {
	case vString:
		return text, nil
	case vInt:
		return parseWhole(text)
	case vNumber:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return nil, fmt.Errorf("%q is not a number", text)
		}
		return inventory.Normalize("", f), nil
	case vMegabyte:
		return parseMegabytes(text)
	case vBool:
		switch strings.ToLower(text) {
		case "true", "yes", "on", "y", "1":
			return true, nil
		case "false", "no", "off", "n", "0":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not true or false", text)
	case vMAC:
		m, ok := inventory.NormalizeMAC(text)
		if !ok {
			return nil, fmt.Errorf("%q is not a MAC address", text)
		}
		return m, nil
	case vIP:
		a, ok := inventory.NormalizeIP(text)
		if !ok {
			return nil, fmt.Errorf("%q is not an IP address", text)
		}
		return a, nil
	case vColor:
		c := strings.ToLower(strings.TrimPrefix(text, "#"))
		if !colorRe.MatchString(c) {
			return nil, fmt.Errorf("%q is not a colour of six hex digits", text)
		}
		return c, nil
	case vChoice:
		v := strings.ToLower(text)
		if !source.IsChoiceValue(v) {
			return nil, fmt.Errorf("%q is not a NetBox choice value such as 1000base-t", text)
		}
		return v, nil
	case vEnum:
		v := strings.ToLower(text)
		if !slices.Contains(as.enum, v) {
			if len(as.enum) > 12 {
				return nil, fmt.Errorf("%q is not a NetBox value (such as %s)", text, strings.Join(as.enum[:8], ", "))
			}
			return nil, fmt.Errorf("%q is not one of %s", text, strings.Join(as.enum, ", "))
		}
		return v, nil
	}
	return nil, errors.New("unsupported field type")
}

var colorRe = regexp.MustCompile(`^[0-9a-f]{6}$`)

// convertList reads a list, or a single value holding items separated by
// commas or semicolons (the only way a CSV cell can hold a list).
func convertList(as attrSpec, n *node) (any, error) {
	var texts []string
	switch n.kind {
	case nodeScalar:
		for _, t := range strings.FieldsFunc(n.text, func(r rune) bool { return r == ',' || r == ';' }) {
			if t = strings.TrimSpace(t); t != "" {
				texts = append(texts, t)
			}
		}
	case nodeList:
		for _, item := range n.items {
			if item.kind != nodeScalar {
				return nil, fmt.Errorf("list items must be single values, not %s", item.kind)
			}
			texts = append(texts, strings.TrimSpace(item.text))
		}
	default:
		return nil, fmt.Errorf("want a list, not %s", n.kind)
	}
	if as.typ == vStrings {
		return texts, nil
	}
	out := make([]int64, 0, len(texts))
	for _, t := range texts {
		i, err := parseWhole(t)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, nil
}

func parseWhole(text string) (int64, error) {
	i, err := strconv.ParseInt(text, 10, 64)
	if err != nil || i < 0 {
		return 0, fmt.Errorf("%q is not a whole number", text)
	}
	return i, nil
}

var sizeRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)$`)

// sizeUnits are binary, as hypervisors count: 1 GB of guest memory is 1024 MB.
var sizeUnits = map[string]float64{
	"": 1, "m": 1, "mb": 1, "mib": 1,
	"g": 1024, "gb": 1024, "gib": 1024,
	"t": 1 << 20, "tb": 1 << 20, "tib": 1 << 20,
}

// parseMegabytes reads a size in MB: 4096, 4096MB, 4G, 1.5 TiB.
func parseMegabytes(text string) (int64, error) {
	m := sizeRe.FindStringSubmatch(strings.ToLower(text))
	if m == nil {
		return 0, fmt.Errorf("%q is not a size (MB, or a number with M, G or T)", text)
	}
	unit, ok := sizeUnits[m[2]]
	if !ok {
		return 0, fmt.Errorf("%q has an unknown unit %q (M, G or T)", text, m[2])
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size: %w", text, err)
	}
	mb := math.Round(f * unit)
	if mb > math.MaxInt32 {
		return 0, fmt.Errorf("%q is too large", text)
	}
	return int64(mb), nil
}
