package source

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

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
	t.Run("setting error keeps the error it wraps", func(t *testing.T) {
		cause := &os.PathError{Op: "open", Path: "/etc/ca.pem", Err: fs.ErrNotExist}
		err := SettingError("ca_file", "%w", cause)
		assert.ErrorIs(t, err, ErrConfig)
		assert.ErrorIs(t, err, fs.ErrNotExist)
		var pe *os.PathError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "/etc/ca.pem", pe.Path)
		assert.EqualError(t, err, "source configuration invalid: ca_file: open /etc/ca.pem: file does not exist")
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
		assert.ErrorIs(t, err, fs.ErrNotExist, "the file system's error stays reachable")
	})
}

func TestSettingChecks(t *testing.T) {
	t.Run("required", func(t *testing.T) {
		v, err := Required("site", "  Home ")
		require.NoError(t, err)
		assert.Equal(t, "Home", v)
		_, err = Required("site", " ")
		assert.ErrorIs(t, err, ErrConfig)
		assert.EqualError(t, err, "source configuration invalid: site: is required")
	})
	t.Run("or default", func(t *testing.T) {
		assert.Equal(t, "NAS", OrDefault(" NAS ", "Storage"))
		assert.Equal(t, "Storage", OrDefault(" ", "Storage"))
	})
	t.Run("timeout", func(t *testing.T) {
		d, err := Timeout("timeout", 0, 30*time.Second)
		require.NoError(t, err)
		assert.Equal(t, 30*time.Second, d)
		d, err = Timeout("timeout", time.Minute, 30*time.Second)
		require.NoError(t, err)
		assert.Equal(t, time.Minute, d)
		_, err = Timeout("timeout", -time.Second, 30*time.Second)
		assert.ErrorIs(t, err, ErrConfig)
		assert.EqualError(t, err, "source configuration invalid: timeout: -1s is negative")
	})
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		raw, want string // want: the error's text after "url: ", or "" for a URL
	}{
		{raw: " https://pve1:8006/ "},
		{raw: "wss://nas1/api/current"},
		{raw: "", want: "is required"},
		{raw: "pve1:8006", want: `"pve1:8006" is not a URL with a host (https://host)`},
		{raw: "https:///api", want: `"https:///api" is not a URL with a host (https://host)`},
		{raw: "https://root:pw@pve1", want: "must not carry credentials, a query or a fragment"},
		{raw: "https://pve1/?token=x", want: "must not carry credentials, a query or a fragment"},
		{raw: "https://pve1/#x", want: "must not carry credentials, a query or a fragment"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			u, err := ParseURL("url", tc.raw, " (https://host)")
			if tc.want == "" {
				require.NoError(t, err)
				assert.NotEmpty(t, u.Host)
				return
			}
			assert.ErrorIs(t, err, ErrConfig)
			assert.EqualError(t, err, "source configuration invalid: url: "+tc.want)
		})
	}
	u, err := ParseURL("url", "https://pve1:8006/", "")
	require.NoError(t, err)
	assert.Equal(t, "/api2/json", WithPathSuffix(u, "/api2/json"))
	u.Path = "/api2/json/"
	assert.Equal(t, "/api2/json", WithPathSuffix(u, "/api2/json"))
}
