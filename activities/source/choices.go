package source

import (
	"fmt"
	"path"
	"regexp"
	"sort"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Which values a NetBox choice field takes (an interface's type) depends on
// the NetBox release and its FIELD_CHOICES, so a source checks only the
// shape of such a setting when its config is read; the plan checks the
// value against what the connected NetBox reports.

// choiceValuePattern is the shape of NetBox choice values: "1000base-t",
// "2.5gbase-t", "ieee802.11ax", "400gbase-sr4_2".
var choiceValuePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)

// IsChoiceValue reports whether s has the shape of a NetBox choice value.
func IsChoiceValue(s string) bool { return choiceValuePattern.MatchString(s) }

// ChoiceSetting is one setting whose value must be a choice the connected
// NetBox takes for a field of a kind.
type ChoiceSetting struct {
	// Setting names it below the source: `interface_types["enp*"]`.
	Setting string
	Kind    inventory.Kind
	Field   string
	Value   string
}

// ChoiceSettings is implemented by sources whose settings name NetBox
// choices, so that a run can check them against the connected NetBox
// before it writes any.
type ChoiceSettings interface {
	ChoiceSettings() []ChoiceSetting
}

// InterfaceTypeSettings lists a setting that maps interface names or
// patterns to interface types as choice settings, by pattern.
func InterfaceTypeSettings(setting string, types map[string]string) []ChoiceSetting {
	patterns := sortedPatterns(types)
	out := make([]ChoiceSetting, 0, len(patterns))
	for _, p := range patterns {
		out = append(out, ChoiceSetting{Setting: fmt.Sprintf("%s[%q]", setting, p),
			Kind: inventory.KindInterface, Field: "type", Value: types[p]})
	}
	return out
}

// CheckInterfaceTypes checks a setting that maps interface names or shell
// patterns ("enp65s0f*") to NetBox interface types: each pattern must
// parse, and each type must have the shape of a choice value; which types
// a NetBox takes depends on its release, and the plan checks them against
// the connected one.
func CheckInterfaceTypes(setting string, types map[string]string) error {
	for pattern, typ := range types {
		if _, err := path.Match(pattern, ""); err != nil {
			return SettingError(setting, "pattern %q: %w", pattern, err)
		}
		if !IsChoiceValue(typ) {
			return SettingError(setting, "%q is not a NetBox interface type value such as 1000base-t (pattern %q)", typ, pattern)
		}
	}
	return nil
}

// InterfaceType finds the type such a setting gives the interface name: the
// entry for the name itself, else the first matching pattern in sorted
// order, so that the choice does not depend on map order.
func InterfaceType(types map[string]string, name string) (string, bool) {
	if t, ok := types[name]; ok {
		return t, true
	}
	for _, p := range sortedPatterns(types) {
		if ok, err := path.Match(p, name); err == nil && ok {
			return types[p], true
		}
	}
	return "", false
}

func sortedPatterns(types map[string]string) []string {
	out := make([]string, 0, len(types))
	for p := range types {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
