package config

import (
	"fmt"

	"github.com/netbox-agent/netbox-agent/activities/source"
)

// ErrSecretNotSet is wrapped by NetBoxToken and by a source's Secret when
// neither the environment variable nor the *_file setting provides the
// secret, so that callers can treat an optional secret as absent. It is
// source.ErrSecretNotSet, which a source tests for without importing
// this package.
var ErrSecretNotSet = source.ErrSecretNotSet

// FieldError is one problem with one setting: where its value came from,
// its key path and what is wrong. Load and Validate return all of them
// joined with errors.Join.
type FieldError struct {
	// Origin is where the value came from: "netbox-agent.yaml:12",
	// "env NETBOX_AGENT_NETBOX_URL", "flag --netbox.url"; "" for defaults.
	Origin string
	// Path is the key path: "netbox.batch_size", "sources[0].url".
	Path string
	// Err says what is wrong; it never contains a secret's value.
	Err error
}

// Error formats the problem as "origin: path: what".
func (e *FieldError) Error() string {
	msg := e.Err.Error()
	if e.Path != "" {
		msg = e.Path + ": " + msg
	}
	if e.Origin != "" {
		msg = e.Origin + ": " + msg
	}
	return msg
}

// Unwrap returns the underlying problem.
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(origin, path, format string, args ...any) error {
	return &FieldError{Origin: origin, Path: path, Err: fmt.Errorf(format, args...)}
}
