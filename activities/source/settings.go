package source

import (
	"fmt"
	"os"
	"path/filepath"
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
// that the activity boundary does not retry it.
func SettingError(setting, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrConfig, setting, fmt.Sprintf(format, args...))
}

// ResolveFile makes a file setting relative to baseDir (the config file's
// directory) absolute and checks that the file is there; the error names
// the setting.
func ResolveFile(setting, baseDir, file string) (string, error) {
	if !filepath.IsAbs(file) && baseDir != "" {
		file = filepath.Join(baseDir, file)
	}
	if _, err := os.Stat(file); err != nil {
		return "", SettingError(setting, "%s", err.Error())
	}
	return file, nil
}
