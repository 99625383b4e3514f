// Package realnetbox finds the real NetBox that `make netbox` started, for tests that run against
// it instead of the emulator.
//
// `make test-netbox` exports NETBOX_URL, NETBOX_TOKEN (a v2 token), NETBOX_TOKEN_V1,
// NETBOX_VERSION and NETBOX_RESET_CMD (the command that empties the database back to its fresh,
// migrated state). A test that finds no NETBOX_URL runs against netboxsim instead.
package realnetbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Target is one running real NetBox.
type Target struct {
	// URL is NetBox's base URL, e.g. http://127.0.0.1:8765.
	URL string
	// Token is a v2 API token ("nbt_<key>.<token>", sent as Bearer).
	Token string
	// TokenV1 is a v1 API token (40 hex digits, sent as "Token").
	TokenV1 string
	// Version is NetBox's version, e.g. 4.7.3.
	Version string
	// resetCmd empties the database; empty when the target cannot be reset.
	resetCmd string
}

// FromEnv returns the target the environment names, and false when NETBOX_URL is unset.
func FromEnv() (*Target, bool) {
	url := os.Getenv("NETBOX_URL")
	if url == "" {
		return nil, false
	}
	return &Target{
		URL:      strings.TrimRight(url, "/"),
		Token:    os.Getenv("NETBOX_TOKEN"),
		TokenV1:  os.Getenv("NETBOX_TOKEN_V1"),
		Version:  os.Getenv("NETBOX_VERSION"),
		resetCmd: os.Getenv("NETBOX_RESET_CMD"),
	}, true
}

// CanReset reports whether Reset can empty the database.
func (t *Target) CanReset() bool { return t.resetCmd != "" }

// Reset empties NetBox back to its fresh, migrated state (the tokens survive). It takes about a
// second.
func (t *Target) Reset(ctx context.Context) error {
	if t.resetCmd == "" {
		return fmt.Errorf("reset netbox: NETBOX_RESET_CMD is not set")
	}
	out, err := exec.CommandContext(ctx, "bash", "-c", t.resetCmd).CombinedOutput()
	if err != nil {
		return fmt.Errorf("reset netbox: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
