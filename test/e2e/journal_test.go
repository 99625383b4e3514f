package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/workflows"
)

// TestJournalEntries is review.journal end to end: the first sync journals each object it
// creates, naming the run and batch and the source of each field; an update journals the
// field's new and old value and its source; an orphan mark gets a warning entry; an unchanged
// sync journals nothing.
func TestJournalEntries(t *testing.T) {
	dir := copyInventory(t)
	cfg := orphanConfig(dir, "30d") + "review:\n  journal: true\n"
	e := newEnv(t, cfg)
	run, first := e.sync(workflows.SyncRequest{})
	require.Empty(t, first.FailedBatches)
	require.Zero(t, first.Applied.Problems)
	written := first.Applied.Created + first.Applied.Updated
	assert.Equal(t, written, first.Applied.Journaled, "every object written has its entry")

	gw := e.nb.list(t, "dcim/devices", "name", "gw1")
	require.Len(t, gw, 1)
	// gw1 is created, then given its primary IP once the IP exists: two writes, two entries.
	entries := journalOf(t, e.nb, "dcim.device", gw[0].int("id"))
	require.Len(t, entries, 2, "the create's and the primary IP's")
	created := oldestEntry(entries)
	text := created.str("comments")
	assert.Equal(t, "info", created.str("kind.value"))
	assert.True(t, strings.HasPrefix(text, fmt.Sprintf("netbox-agent run `%s/%s` batch ", run.GetID(), run.GetRunID())), "%s", text)
	assert.Contains(t, text, "Created device `gw1`")
	assert.Contains(t, text, "| serial | `F09FC2A1B2C3` | lab-files |", "%s", text)
	assert.Contains(t, text, "| custom_fields.agent_source | `lab-files` | netbox-agent |", "%s", text)
	assert.Contains(t, newestEntry(entries).str("comments"), "| primary_ip4 | `new ip_address ")
	assert.Equal(t, written, e.nb.count(t, "extras/journal-entries", "q", "netbox-agent run"),
		"entries of the first run, one per object")

	// The serial changes in the inventory: its update names the new value, the old and the source.
	network := filepath.Join(dir, "network.yaml")
	b, err := os.ReadFile(network)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(network, []byte(strings.Replace(string(b), "serial: F09FC2A1B2C3", "serial: F09FC2A1B2FF", 1)), 0o600))
	_, updated := e.sync(workflows.SyncRequest{})
	require.Empty(t, updated.FailedBatches)
	require.Zero(t, updated.Applied.Problems)
	require.Equal(t, 1, updated.Applied.Updated, "%+v", updated.Plan.Counts)
	assert.Equal(t, 1, updated.Applied.Journaled)
	entries = journalOf(t, e.nb, "dcim.device", gw[0].int("id"))
	require.Len(t, entries, 3, "the first run's two and the update's")
	text = newestEntry(entries).str("comments")
	assert.Contains(t, text, "Updated device `gw1`")
	assert.Contains(t, text, "| serial | `F09FC2A1B2FF` | `F09FC2A1B2C3` | lab-files |", "%s", text)

	// dns1 leaves the inventory: its VM is marked as an orphan, with a warning in its journal.
	removeVM(t, dir, "dns1")
	_, marked := e.sync(workflows.SyncRequest{})
	require.Empty(t, marked.FailedBatches)
	require.Zero(t, marked.Applied.Problems)
	assert.Equal(t, marked.Applied.Updated, marked.Applied.Journaled)
	vm := e.nb.list(t, "virtualization/virtual-machines", "name", "dns1")
	require.Len(t, vm, 1)
	entries = journalOf(t, e.nb, "virtualization.virtualmachine", vm[0].int("id"))
	require.GreaterOrEqual(t, len(entries), 2, "the first run's and the orphan mark's")
	mark := newestEntry(entries)
	assert.Equal(t, "warning", mark.str("kind.value"))
	assert.Contains(t, mark.str("comments"), "Marked as an orphan: source **lab-files** no longer reports virtual_machine `dns1`.")

	// Nothing changes: nothing is written, nothing journaled.
	before := e.nb.count(t, "extras/journal-entries")
	e.resetStats()
	_, again := e.sync(workflows.SyncRequest{})
	assert.Zero(t, again.Plan.Total, "%+v", again.Plan.Counts)
	assert.Zero(t, again.Applied.Journaled)
	assert.Zero(t, e.writes(), "%v", e.stats().Requests)
	assert.Equal(t, before, e.nb.count(t, "extras/journal-entries"))
}

// journalOf lists the journal entries of one object.
func journalOf(t *testing.T, nb *netbox, objectType string, id int) []object {
	t.Helper()
	return nb.list(t, "extras/journal-entries", "assigned_object_type", objectType, "assigned_object_id", fmt.Sprint(id))
}

// oldestEntry is the entry with the lowest ID.
func oldestEntry(entries []object) object {
	oldest := entries[0]
	for _, e := range entries[1:] {
		if e.int("id") < oldest.int("id") {
			oldest = e
		}
	}
	return oldest
}

// newestEntry is the entry with the highest ID.
func newestEntry(entries []object) object {
	newest := entries[0]
	for _, e := range entries[1:] {
		if e.int("id") > newest.int("id") {
			newest = e
		}
	}
	return newest
}
