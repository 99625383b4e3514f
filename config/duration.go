package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration that reads and writes Go duration strings
// ("90s", "1h30m") plus a day unit ("30d", "1d12h"); "0" is zero. Retention
// periods are naturally counted in days, which Go's syntax lacks.
type Duration struct{ time.Duration }

const (
	second = time.Second
	minute = time.Minute
	hour   = time.Hour
	day    = 24 * time.Hour
)

// ParseDuration parses a Go duration with an optional leading day count.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Duration{}, fmt.Errorf("empty duration")
	}
	// Go's units (ns us µs ms s m h) contain no "d", so a "d" can only be
	// the day unit, and it must come first.
	before, after, found := strings.Cut(s, "d")
	if !found {
		d, err := time.ParseDuration(s)
		if err != nil {
			return Duration{}, fmt.Errorf("invalid duration %q (examples: 90s, 5m, 1h30m, 30d)", s)
		}
		return Duration{d}, nil
	}
	days, err := strconv.ParseFloat(before, 64)
	if err != nil || before == "" || strings.ContainsAny(before, "eE") {
		return Duration{}, fmt.Errorf("invalid duration %q (examples: 90s, 5m, 1h30m, 30d)", s)
	}
	total := time.Duration(days * float64(day))
	if after != "" {
		if strings.HasPrefix(after, "-") || strings.HasPrefix(after, "+") {
			return Duration{}, fmt.Errorf("invalid duration %q (examples: 90s, 5m, 1h30m, 30d)", s)
		}
		rest, err := time.ParseDuration(after)
		if err != nil {
			return Duration{}, fmt.Errorf("invalid duration %q (examples: 90s, 5m, 1h30m, 30d)", s)
		}
		if days < 0 {
			rest = -rest
		}
		total += rest
	}
	return Duration{total}, nil
}

// String formats d the way ParseDuration reads it, with whole days as "d"
// and without trailing zero units ("30d", "1d12h", "1m30s", "0").
func (d Duration) String() string {
	v := d.Duration
	if v == 0 {
		return "0"
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	var b strings.Builder
	b.WriteString(sign)
	if days := v / day; days > 0 {
		fmt.Fprintf(&b, "%dd", days)
		v -= days * day
		if v == 0 {
			return b.String()
		}
	}
	s := v.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	b.WriteString(s)
	return b.String()
}

// Set parses s into d; with Type and String it makes Duration a pflag.Value.
func (d *Duration) Set(s string) error {
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Type names the flag value type in --help.
func (d *Duration) Type() string { return "duration" }

// MarshalYAML writes d as a duration string, and zero as the number 0.
func (d Duration) MarshalYAML() (any, error) {
	if d.Duration == 0 {
		return 0, nil
	}
	return d.String(), nil
}

// UnmarshalYAML reads a duration string; the config loader does not use it
// (it walks nodes itself), but other code decoding a Duration does.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a duration", n.Line)
	}
	return d.Set(n.Value)
}
