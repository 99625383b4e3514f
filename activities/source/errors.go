package source

import "errors"

// Error classes a source wraps its failures in, so that the activity
// boundary can tell a retry from a hopeless case with errors.Is.
var (
	// ErrAuth: the credentials were refused. Retrying will not help.
	ErrAuth = errors.New("source authentication failed")
	// ErrConfig: the source's settings are wrong. Retrying will not help.
	ErrConfig = errors.New("source configuration invalid")
	// ErrUnreachable: the system did not answer; a retry may succeed.
	ErrUnreachable = errors.New("source unreachable")
	// ErrMalformed: the system answered with something that cannot be read.
	ErrMalformed = errors.New("source answer malformed")
	// ErrSecretNotSet: a secret setting is set nowhere, neither in its
	// environment variable nor by its *_file setting. A source whose
	// secret is optional tells absent from broken with errors.Is.
	ErrSecretNotSet = errors.New("secret not set")
)
