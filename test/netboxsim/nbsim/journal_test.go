package nbsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	netbox "github.com/netbox-community/go-netbox/v4"
)

// TestConformanceJournalEntries: the journal as the agent writes and reads it (review.journal):
// a bulk create of entries on objects of several kinds, the server's defaults (kind info,
// created_by the token's user), the list filtered by the object's type and IDs and by q, which
// matches the comments regardless of case, the refusals of an entry without comments, on a
// missing object or a kind without a journal, and the entries going with their object
// (extras/models/models.py JournalEntry, extras/api/serializers_/journaling.py).
func TestConformanceJournalEntries(t *testing.T) {
	forEachTarget(t, func(t *testing.T, c *apiClient) {
		w := c.seed(1)
		marker := c.n("netbox-agent run `wf/1` batch 0007")
		entry := func(typ string, id int64, extra string) map[string]any {
			return map[string]any{"assigned_object_type": typ, "assigned_object_id": id,
				"comments": marker + "\n\n" + extra, "changelog_message": "journal of batch 0007"}
		}
		code, body := c.do(http.MethodPost, "/api/extras/journal-entries/", []any{
			entry("dcim.device", w.device, "| Field | Value |\n| --- | --- |\n| serial | `X1` |"),
			entry("virtualization.virtualmachine", w.vm, "Updated."),
		})
		if code != http.StatusCreated {
			t.Fatalf("bulk create: %d %s", code, body)
		}
		if !c.atLeast(4) {
			if err := decodeInto[[]netbox.JournalEntry](body); err != nil {
				t.Fatalf("go-netbox cannot decode %s: %v", body, err)
			}
		}
		var created []struct {
			ID             int64          `json:"id"`
			Kind           map[string]any `json:"kind"`
			CreatedBy      *int64         `json:"created_by"`
			AssignedObject map[string]any `json:"assigned_object"`
			Display        string         `json:"display"`
		}
		if err := json.Unmarshal(body, &created); err != nil || len(created) != 2 {
			t.Fatalf("bulk create answered %s (%v)", body, err)
		}
		e := created[0]
		if e.Kind["value"] != "info" || e.Kind["label"] != "Info" {
			t.Errorf("kind = %v, want info by default", e.Kind)
		}
		if e.CreatedBy == nil || *e.CreatedBy == 0 {
			t.Errorf("created_by = %v, want the token's user", e.CreatedBy)
		}
		if e.AssignedObject["id"] != float64(w.device) {
			t.Errorf("assigned_object = %v, want device %d", e.AssignedObject, w.device)
		}
		if !strings.HasSuffix(e.Display, "(Info)") {
			t.Errorf("display = %q, want the time and (Info)", e.Display)
		}

		q := fmt.Sprintf("/api/extras/journal-entries/?assigned_object_type=dcim.device&assigned_object_id=%d&assigned_object_id=%d", w.device, w.vm)
		if n := c.count(q); n != 1 {
			t.Errorf("entries of the device by type and IDs = %d, want 1", n)
		}
		if n := c.count(q + "&q=" + url.QueryEscape(strings.ToUpper(marker))); n != 1 {
			t.Errorf("entries of the device with q = the marker in capitals = %d, want 1", n)
		}
		if n := c.count(q + "&q=" + url.QueryEscape(c.n("another batch"))); n != 0 {
			t.Errorf("entries of the device with another q = %d, want 0", n)
		}
		if n := c.count(fmt.Sprintf("/api/extras/journal-entries/?assigned_object_type=virtualization.virtualmachine&assigned_object_id=%d&kind=info", w.vm)); n != 1 {
			t.Errorf("info entries of the VM = %d, want 1", n)
		}
		if c.atLeast(4) {
			if got := c.changeMessages("extras.journalentry", e.ID); len(got) != 1 || got[0] != "create:journal of batch 0007" {
				t.Errorf("changes of the entry = %v, want its create with the changelog message", got)
			}
		}

		code, body = c.do(http.MethodPost, "/api/extras/journal-entries/", map[string]any{
			"assigned_object_type": "dcim.device", "assigned_object_id": w.device, "kind": "warning"})
		if code != http.StatusBadRequest || !strings.Contains(string(body), `"comments"`) {
			t.Errorf("entry without comments: %d %s, want 400 naming comments", code, body)
		}
		code, body = c.do(http.MethodPost, "/api/extras/journal-entries/", entry("dcim.device", 999999999, ""))
		want := since(c, `{"non_field_errors":["Invalid assigned_object: DCIM | device ID 999999999"]}`, 7,
			`{"__all__":["Invalid assigned_object: DCIM > Device ID 999999999"]}`)
		if code != http.StatusBadRequest || string(body) != want {
			t.Errorf("entry on a missing device: %d %s, want 400 %s", code, body, want)
		}
		if code, out := c.do(http.MethodPost, "/api/extras/journal-entries/", entry("extras.tag", w.tag, "")); code != http.StatusBadRequest {
			t.Errorf("entry on a tag: %d %s, want 400", code, out)
		}

		site := c.create("dcim/sites", map[string]any{"name": c.n("Journaled"), "slug": c.n("journaled")})
		id := c.create("extras/journal-entries", entry("dcim.site", site, "site"))
		if code, out := c.do(http.MethodDelete, fmt.Sprintf("/api/dcim/sites/%d/", site), nil); code != http.StatusNoContent {
			t.Fatalf("delete site: %d %s", code, out)
		}
		if code, _ := c.do(http.MethodGet, fmt.Sprintf("/api/extras/journal-entries/%d/", id), nil); code != http.StatusNotFound {
			t.Errorf("entry of a deleted site: %d, want 404 (deleted with it)", code)
		}
	})
}
