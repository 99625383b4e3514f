package source

import (
	"errors"
	"fmt"

	"go.uber.org/zap"
)

// Instance is what every source instance holds besides its own options:
// its name, its logger and the resolver of its secrets. A source embeds it.
type Instance struct {
	// Name is the instance name: the source of its records and the second
	// part of its keys.
	Name string
	// Log is scoped to the instance.
	Log    *zap.Logger
	secret func(setting string) (string, error)
}

// NewInstance is the first half of every factory: it decodes the
// instance's settings over defaults, validates them with validate (which
// resolves relative paths against the config's BaseDir) and checks that
// each of the named secret settings resolves, so that a missing secret
// fails at --check-config, not at the first discovery. A nil log is a
// no-op one. Every error wraps ErrConfig.
func NewInstance[S, O any](cfg Config, log *zap.Logger, defaults S, validate func(S, string) (O, error), secrets ...string) (Instance, O, error) {
	var none O
	s := defaults
	if err := cfg.DecodeSettings(&s); err != nil {
		return Instance{}, none, err
	}
	o, err := validate(s, cfg.BaseDir)
	if err != nil {
		return Instance{}, none, err
	}
	if cfg.Name == "" {
		return Instance{}, none, fmt.Errorf("%w: instance name is empty", ErrConfig)
	}
	if log == nil {
		log = zap.NewNop()
	}
	in := Instance{Name: cfg.Name, Log: log, secret: cfg.Secret}
	for _, setting := range secrets {
		if _, err := in.Secret(setting); err != nil {
			return Instance{}, none, err
		}
	}
	return in, o, nil
}

// Secret resolves a secret setting (an environment variable or a file the
// config names) every time it is called, so that a rotated secret file is
// picked up without a restart. The error names the setting and wraps
// ErrConfig and the resolver's cause; an empty secret is an error too.
func (in Instance) Secret(setting string) (string, error) {
	if in.secret == nil {
		return "", SettingError(setting, "no secret resolver")
	}
	v, err := in.secret(setting)
	if err != nil {
		return "", SettingError(setting, "%w", err)
	}
	if v == "" {
		return "", SettingError(setting, "is empty")
	}
	return v, nil
}

// OptionalSecret resolves a secret setting that may be left unset, on
// every call as Secret does: set nowhere, it returns "" and false; set
// but empty or unreadable, it is Secret's error.
func (in Instance) OptionalSecret(setting string) (string, bool, error) {
	v, err := in.Secret(setting)
	switch {
	case errors.Is(err, ErrSecretNotSet):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return v, true, nil
}
