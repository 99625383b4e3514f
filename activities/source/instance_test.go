package source

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

type testSettings struct {
	Site string `yaml:"site"`
}

type testOptions struct {
	site, baseDir string
}

func (s testSettings) validate(baseDir string) (testOptions, error) {
	site, err := Required("site", s.Site)
	return testOptions{site: site, baseDir: baseDir}, err
}

func TestNewInstance(t *testing.T) {
	errNotSet := errors.New("secret not set")
	secrets := func(setting string) (string, error) {
		switch setting {
		case "token":
			return "s3cr3t", nil
		case "blank":
			return "", nil
		}
		return "", errNotSet
	}
	decode := func(site string) func(any) error {
		return func(v any) error {
			v.(*testSettings).Site = site
			return nil
		}
	}
	cfg := Config{Name: "one", Type: "test", BaseDir: "/etc/netbox-agent", Decode: decode(" Home "), Secret: secrets}

	t.Run("decodes, validates and checks secrets", func(t *testing.T) {
		in, o, err := NewInstance(cfg, nil, testSettings{}, testSettings.validate, "token")
		require.NoError(t, err)
		assert.Equal(t, testOptions{site: "Home", baseDir: "/etc/netbox-agent"}, o)
		assert.Equal(t, "one", in.Name)
		assert.NotNil(t, in.Log, "a nil logger becomes a no-op one")
		v, err := in.Secret("token")
		require.NoError(t, err)
		assert.Equal(t, "s3cr3t", v)
	})
	t.Run("defaults stand where the config is silent", func(t *testing.T) {
		c := cfg
		c.Decode = func(any) error { return nil }
		_, o, err := NewInstance(c, zap.NewNop(), testSettings{Site: "Lab"}, testSettings.validate)
		require.NoError(t, err)
		assert.Equal(t, "Lab", o.site)
	})
	for _, tc := range []struct {
		name    string
		cfg     func(Config) Config
		secrets []string
		err     string
		cause   error
	}{
		{name: "bad setting", cfg: func(c Config) Config { c.Decode = decode(""); return c }, err: "site: is required"},
		{name: "no name", cfg: func(c Config) Config { c.Name = ""; return c }, err: "instance name is empty"},
		{name: "secret not set", secrets: []string{"token", "other"}, err: "other: secret not set", cause: errNotSet},
		{name: "secret empty", secrets: []string{"blank"}, err: "blank: is empty"},
		{name: "no secret resolver", cfg: func(c Config) Config { c.Secret = nil; return c }, secrets: []string{"token"}, err: "token: no secret resolver"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			if tc.cfg != nil {
				c = tc.cfg(c)
			}
			_, _, err := NewInstance(c, nil, testSettings{}, testSettings.validate, tc.secrets...)
			assert.ErrorIs(t, err, ErrConfig)
			assert.ErrorContains(t, err, tc.err)
			if tc.cause != nil {
				assert.ErrorIs(t, err, tc.cause, "the resolver's error stays reachable")
			}
		})
	}
}

func TestOptionalSecret(t *testing.T) {
	broken := errors.New("read secret: permission denied")
	in := Instance{Name: "one", secret: func(setting string) (string, error) {
		switch setting {
		case "set":
			return "s3cr3t", nil
		case "blank":
			return "", nil
		case "broken":
			return "", broken
		}
		return "", fmt.Errorf("%s: %w", setting, ErrSecretNotSet)
	}}
	for _, tc := range []struct {
		setting string
		want    string
		ok      bool
		err     string
	}{
		{setting: "set", want: "s3cr3t", ok: true},
		{setting: "unset"},
		{setting: "blank", err: "blank: is empty"},
		{setting: "broken", err: "broken: read secret: permission denied"},
	} {
		t.Run(tc.setting, func(t *testing.T) {
			v, ok, err := in.OptionalSecret(tc.setting)
			assert.Equal(t, tc.want, v)
			assert.Equal(t, tc.ok, ok)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrConfig)
			assert.ErrorContains(t, err, tc.err)
		})
	}
}
