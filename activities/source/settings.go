package source

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DecodeSettings strictly decodes the instance's own settings into v, which
// holds the type's defaults; a missing decoder or a bad setting is an error
// wrapping ErrConfig.
func (c Config) DecodeSettings(v any) error {
	if c.Decode == nil {
		return fmt.Errorf("%w: no settings", ErrConfig)
	}
	if err := c.Decode(v); err != nil {
		return fmt.Errorf("%w: decode settings: %w", ErrConfig, err)
	}
	return nil
}

// SettingError says what is wrong with one setting, wrapping ErrConfig so
// that the activity boundary does not retry it. format may use %w: the
// error it names stays reachable through errors.Is and errors.As
// (SettingError("ca_file", "%w", err)).
func SettingError(setting, format string, args ...any) error {
	return fmt.Errorf("%w: %s: "+format, append([]any{ErrConfig, setting}, args...)...)
}

// ResolveFile makes a file setting relative to baseDir (the config file's
// directory) absolute and checks that the file is there; the error names
// the setting and wraps the file system's error (fs.ErrNotExist).
func ResolveFile(setting, baseDir, file string) (string, error) {
	if !filepath.IsAbs(file) && baseDir != "" {
		file = filepath.Join(baseDir, file)
	}
	if _, err := os.Stat(file); err != nil {
		return "", SettingError(setting, "%w", err)
	}
	return file, nil
}

// Required returns the setting's value without surrounding white space, or
// an error when nothing is left.
func Required(setting, value string) (string, error) {
	if v := strings.TrimSpace(value); v != "" {
		return v, nil
	}
	return "", SettingError(setting, "is required")
}

// OrDefault returns value without surrounding white space, or def when
// nothing is left.
func OrDefault(value, def string) string {
	if v := strings.TrimSpace(value); v != "" {
		return v
	}
	return def
}

// Timeout checks a duration setting: zero means def, a negative one is an
// error.
func Timeout(setting string, d, def time.Duration) (time.Duration, error) {
	switch {
	case d == 0:
		return def, nil
	case d < 0:
		return 0, SettingError(setting, "%s is negative", d)
	}
	return d, nil
}

// ParseURL reads the URL a source connects to: a URL with a host and
// without credentials, a query or a fragment, which the source would
// otherwise have to strip or leak into logs. Which schemes and paths a
// source takes is its own business. hint follows the complaint about a URL
// without a host (" (https://nas.example.com)").
func ParseURL(setting, raw, hint string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, SettingError(setting, "is required")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, SettingError(setting, "%q is not a URL with a host%s", raw, hint)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, SettingError(setting, "must not carry credentials, a query or a fragment")
	}
	return u, nil
}

// WithPathSuffix returns u's path without trailing slashes and ending in
// suffix ("/api2/json"), which is appended when missing.
func WithPathSuffix(u *url.URL, suffix string) string {
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, suffix) {
		p += suffix
	}
	return p
}
