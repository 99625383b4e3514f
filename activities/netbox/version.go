package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Version is a NetBox release, as /api/status/ names it ("4.7.3").
type Version struct {
	Major, Minor, Patch int
}

// MinVersion is the oldest NetBox the agent works with: MAC addresses
// became objects of their own in 4.2, and the engine writes them so.
const MinVersion = "4.2"

const minMajor, minMinor = 4, 2

// ParseVersion reads "4.7.3", "v4.4.0", "4.6.0-beta1" or
// "4.3.7-Docker-3.3.0"; the patch may be missing.
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(t, "-+ "); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("netbox version %q is not major.minor.patch", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("netbox version %q is not major.minor.patch", s)
		}
		n[i] = v
	}
	return Version{Major: n[0], Minor: n[1], Patch: n[2]}, nil
}

// String renders the version as major.minor.patch, or "" for the zero Version.
func (v Version) String() string {
	if v.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// IsZero reports whether the version is unknown.
func (v Version) IsZero() bool { return v == Version{} }

// AtLeast reports whether v is major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// The release differences the engine follows, each named after what it
// changed. An unknown (zero) version has none of them.

// changelogMessages: 4.4 added changelog_message to every write
// (netbox/api/serializers/features.py ChangeLogMessageSerializer).
func (v Version) changelogMessages() bool { return v.AtLeast(4, 4) }

// platformsPerManufacturer: 4.4 made platforms unique per (manufacturer,
// name) and (manufacturer, slug); before, name and slug were unique alone.
func (v Version) platformsPerManufacturer() bool { return v.AtLeast(4, 4) }

// Status is what NetBox's /api/status/ tells about it.
type Status struct {
	Version Version `json:"-"`
	// FullVersion is NetBox's netbox-full-version ("4.3.7-Docker-3.3.0").
	FullVersion string `json:"full_version,omitempty"`
}

// statusPath is NetBox's status endpoint (netbox/netbox/api/views.py
// StatusView), which answers {"netbox-version": "4.7.3", ...}.
const statusPath = "status/"

// Status reads NetBox's release from /api/status/. A release older than
// MinVersion is an *UnsupportedError; an answer without a readable
// netbox-version an *AnswerError. Callers read it once per run: NetBox may
// be upgraded between runs, never within a request.
func (c *Client) Status(ctx context.Context) (Status, error) {
	data, err := c.get(ctx, statusPath, nil)
	if err != nil {
		return Status{}, fmt.Errorf("netbox status: %w", err)
	}
	return parseStatus(data)
}

// parseStatus reads the answer of /api/status/.
func parseStatus(data []byte) (Status, error) {
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		return Status{}, &AnswerError{Endpoint: "status", Problem: "not a JSON object", Value: quote(string(data))}
	}
	raw, _ := body["netbox-version"].(string)
	v, err := ParseVersion(raw)
	if err != nil {
		return Status{}, &AnswerError{Endpoint: "status", Field: "netbox-version", Problem: "not a NetBox version", Value: quote(body["netbox-version"])}
	}
	st := Status{Version: v}
	st.FullVersion, _ = body["netbox-full-version"].(string)
	if !v.AtLeast(minMajor, minMinor) {
		return st, &UnsupportedError{Version: v.String()}
	}
	return st, nil
}

// Run names the sync run that writes, for NetBox's changelog.
type Run struct {
	// ID names the run: its workflow ID and run ID.
	ID string `json:"id,omitempty"`
	// NetBoxVersion is the release the run read with Status. NetBox takes
	// changelog_message from 4.4 on; an older or unknown release is sent none.
	NetBoxVersion string `json:"netbox_version,omitempty"`
	// Branch is the schema ID of the netbox-branching branch the run
	// writes into; "" for main.
	Branch string `json:"branch,omitempty"`
}

// maxChangelogMessage is the length of NetBox's ObjectChange.message.
const maxChangelogMessage = 200

// changelog is the changelog_message of the run's writes for step ("batch
// 0007", "prepare"), or "" when NetBox takes none.
func (r Run) changelog(step string) string {
	v, err := ParseVersion(r.NetBoxVersion)
	if err != nil || !v.changelogMessages() {
		return ""
	}
	msg := "netbox-agent"
	if r.ID != "" {
		msg += " run " + r.ID
	}
	msg += " " + step
	if len(msg) > maxChangelogMessage {
		// Keep the step, which ties the change to its batch; shorten the run.
		keep := maxChangelogMessage - len(step) - 4
		msg = msg[:keep] + "... " + step
	}
	return msg
}
