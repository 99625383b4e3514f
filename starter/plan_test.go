package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

func TestWriteDiff(t *testing.T) {
	p := &netbox.Plan{CreatedAt: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), NetBoxVersion: "4.7.3", Batches: []netbox.Batch{
		{ID: 0, Kind: "device", Op: netbox.OpCreate, Ops: []netbox.Operation{{Key: "files/dev/nas", Name: "nas", Reason: "new"}}},
		{ID: 1, Kind: "device", Op: netbox.OpUpdate, Ops: []netbox.Operation{
			{Key: "files/dev/pve1", ID: 7, Name: "pve1", Changes: []netbox.Change{{Field: "serial", From: "A1", To: "B2"}, {Field: "comments", From: nil, To: "rack 2"}}},
			{Key: "files/dev/old", ID: 9, Name: "old", Reason: "orphaned: source files no longer reports it",
				Changes: []netbox.Change{{Field: "status", From: "active", To: "offline"}, {Field: "custom_fields." + netbox.CFOrphanedSince, From: nil, To: "2026-12-02"}}},
		}},
		{ID: 2, Kind: "virtual_machine", Op: netbox.OpDelete, Ops: []netbox.Operation{{Key: "pve/qemu/100", ID: 3, Name: "vm100", Reason: "orphaned since 2026-10-01, grace of 30 days over"}}},
	}}
	var b strings.Builder
	require.NoError(t, writeDiff(&b, p))
	want := `plan of 2026-12-02T12:00:00Z against NetBox 4.7.3: 4 changes

device
  + create nas
  ~ update pve1 (#7)
      serial: "A1" → "B2"
      comments: (none) → "rack 2"
  ~ mark orphan old (#9): orphaned: source files no longer reports it

virtual_machine
  - delete vm100 (#3): orphaned since 2026-10-01, grace of 30 days over
`
	require.Equal(t, want, b.String())
}

func TestWriteDiffNamesWhatTheGuardDid(t *testing.T) {
	blocked := netbox.GuardEntry{Source: "pve", Kind: "ip_address", Baseline: 40, Live: 40, Present: 0, Orphans: 40, Lost: 40, Blocked: true,
		Reason: "would lose 40 of 40 (NetBox holds 40), 100%, more than mass_delete_threshold 10%"}
	through := netbox.GuardEntry{Source: "nas", Kind: "device", Baseline: 10, Live: 10, Present: 1, Orphans: 9, Lost: 9, Allowed: true,
		Reason: "would lose 9 of 10 (NetBox holds 10), 90%, more than mass_delete_threshold 10%"}
	p := &netbox.Plan{CreatedAt: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), NetBoxVersion: "4.7.3",
		Guard: []netbox.GuardEntry{blocked, through, {Source: "nas", Kind: "interface", Baseline: 3, Present: 3}}, Blocked: []string{blocked.String()}}
	var b strings.Builder
	require.NoError(t, writeDiff(&b, p))
	want := `plan of 2026-12-02T12:00:00Z against NetBox 4.7.3: 0 changes

left alone
  ! pve ip_address: would lose 40 of 40 (NetBox holds 40), 100%, more than mass_delete_threshold 10%: orphaning blocked

let through (--allow-deletes)
  ! nas device: would lose 9 of 10 (NetBox holds 10), 90%, more than mass_delete_threshold 10%: let through for this run
`
	require.Equal(t, want, b.String())
}

func TestWriteDiffListsManualEdits(t *testing.T) {
	p := &netbox.Plan{CreatedAt: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), NetBoxVersion: "4.7.3",
		Summary: netbox.Summary{ManualEdits: 1},
		Findings: []netbox.Finding{
			{Kind: "device", Key: "fs/lab/device/pve1", ID: 12, Field: "description",
				Reason: `description was edited in NetBox ("rack 3, left"); the sources say "web server"; kept (on_manual_edit: keep)`},
			{Kind: "device", Key: "fs/lab/device/pve2", Reason: "tagged agent-ignore: left alone"},
		}}
	var b strings.Builder
	require.NoError(t, writeDiff(&b, p))
	want := `plan of 2026-12-02T12:00:00Z against NetBox 4.7.3: 0 changes

fields edited by hand (1) or reported
  * device fs/lab/device/pve1: description was edited in NetBox ("rack 3, left"); the sources say "web server"; kept (on_manual_edit: keep)
`
	require.Equal(t, want, b.String())
}

func TestWriteDiffListsAdoptable(t *testing.T) {
	p := &netbox.Plan{CreatedAt: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), NetBoxVersion: "4.7.3",
		Summary: netbox.Summary{Adoptable: 2},
		Adoptable: []netbox.Finding{
			{Kind: "device", Key: "fs/lab/device/pve1", ID: 12, Name: "rack1-u7", Match: "serial SN0001"},
			{Kind: "virtual_machine", Key: "pve/qemu/100", ID: 3, Name: "web", Match: "natural key name+cluster (web, #1)"},
		}}
	var b strings.Builder
	require.NoError(t, writeDiff(&b, p))
	want := `plan of 2026-12-02T12:00:00Z against NetBox 4.7.3: 0 changes

made by hand, held for adoption (2; adopt: report)
  ? device fs/lab/device/pve1: NetBox #12 "rack1-u7", matched by serial SN0001
  ? virtual_machine pve/qemu/100: NetBox #3 "web", matched by natural key name+cluster (web, #1)
  to adopt: netbox.adopt: auto, or per kind netbox.adopt_kinds; one object: give it the tag netbox-agent (adopted on the next run) or agent-ignore (left alone, built on); see docs/merge.md
`
	require.Equal(t, want, b.String())
}
