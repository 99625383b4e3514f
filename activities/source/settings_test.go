package source

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSettingHelpers(t *testing.T) {
	t.Run("no decoder", func(t *testing.T) {
		var v struct{}
		err := Config{}.DecodeSettings(&v)
		assert.ErrorIs(t, err, ErrConfig)
		assert.ErrorContains(t, err, "no settings")
	})
	t.Run("decode error keeps its cause", func(t *testing.T) {
		bad := errors.New("sources[0].urll: unknown key")
		var v struct{}
		err := Config{Decode: func(any) error { return bad }}.DecodeSettings(&v)
		assert.ErrorIs(t, err, ErrConfig)
		assert.ErrorIs(t, err, bad)
	})
	t.Run("setting error", func(t *testing.T) {
		err := SettingError("site", "is required")
		assert.ErrorIs(t, err, ErrConfig)
		assert.EqualError(t, err, "source configuration invalid: site: is required")
	})
	t.Run("files relative to the config", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("x"), 0o600))
		got, err := ResolveFile("ca_file", dir, "ca.pem")
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(dir, "ca.pem"), got)
		_, err = ResolveFile("ca_file", dir, "missing.pem")
		assert.ErrorIs(t, err, ErrConfig)
		assert.ErrorContains(t, err, "ca_file: ")
	})
}
