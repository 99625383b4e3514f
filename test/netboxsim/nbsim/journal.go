package nbsim

import (
	"fmt"
	"strings"
)

// epJournal is NetBox's journal of remarks on objects (extras.JournalEntry).
const epJournal = "extras/journal-entries"

// notJournaled are the emulated kinds whose models lack NetBox's journaling feature (the
// extras models besides the journal's own targets): a journal entry cannot point to them.
var notJournaled = map[string]bool{epTags: true, epCustomFields: true, epChoiceSets: true, epJournal: true}

// journalKind is extras.JournalEntry (extras/models/models.py, JournalEntrySerializer): a
// generic relation to any journaled object, a kind that defaults to info, required comments,
// and created_by set by the server to the token's user. Deleting the object deletes its
// entries, as its GenericRelation does.
func journalKind(kinds []*kindSpec) *kindSpec {
	targets := map[string]string{}
	for _, k := range kinds {
		if !notJournaled[k.Endpoint] {
			targets[k.ObjectType] = k.Endpoint
		}
	}
	return &kindSpec{
		Endpoint: epJournal, ObjectType: "extras.journalentry", ModelName: "JournalEntry", Verbose: "journal entry",
		Schema: "JournalEntry", Request: "WritableJournalEntryRequest",
		BriefFields: []string{"id", "url", "display", "created"},
		Defaults:    map[string]any{"kind": "info"},
		Search:      []string{"comments"},
		// Named apart from assigned_object, whose filters (device_id, interface_id, ...) are
		// those of addresses; the entry renders it as assigned_object all the same.
		Generic: []genericRelation{{Name: "journaled", TypeField: "assigned_object_type", IDField: "assigned_object_id",
			Render: "assigned_object", Required: true, Targets: targets}},
		Display: journalDisplay, Validate: validateJournalObject,
		Computed: map[string]func(*view, *object) any{
			"created_by": func(_ *view, o *object) any {
				if id := o.id("created_by"); id != 0 {
					return id
				}
				return int64(1) // the one user the emulator knows (authenticationCheckBody)
			},
		},
	}
}

// journalDisplay is JournalEntry.__str__: the creation time to the minute and the kind's label.
func journalDisplay(_ *view, o *object) string {
	label := map[string]string{"info": "Info", "success": "Success", "warning": "Warning", "danger": "Danger"}[o.str("kind")]
	return o.Created.UTC().Format("2006-01-02 15:04") + " (" + label + ")"
}

// appNames are the verbose names of NetBox's apps, as a content type's str() names them.
var appNames = map[string]string{"dcim": "DCIM", "ipam": "IPAM", "virtualization": "Virtualization",
	"tenancy": "Tenancy", "extras": "Extras"}

// validateJournalObject is JournalEntrySerializer.validate(): the entry's object must exist,
// or the entry is refused with a non-field error naming the object's type as its str() does:
// from 4.7 core.ObjectType's "DCIM > Device" (core/models/object_types.py, checked against a
// real NetBox 4.7.3), before it Django's ContentType "DCIM | device".
func validateJournalObject(t *tx, _ map[string]any, o, _ *object, errs fieldErrors) {
	typ, _ := o.Fields["assigned_object_type"].(string)
	id := o.id("assigned_object_id")
	ep := t.st.cat.kinds[epJournal].Generic[0].Targets[typ]
	if ep == "" || id == 0 || t.get(ep, id) != nil {
		return
	}
	app, _, _ := strings.Cut(typ, ".")
	rel := t.st.cat.rel
	name := appNames[app] + " | " + t.table(ep).kind.Verbose
	if rel.atLeast(7) {
		name = appNames[app] + " > " + titleWords(t.table(ep).kind.Verbose)
	}
	errs.add(rel.nonFieldKey(), fmt.Sprintf("Invalid assigned_object: %s ID %d", name, id))
}

// titleWords capitalises the first letter of each word, as NetBox's utilities.string.title
// does ("virtual machine" reads "Virtual Machine").
func titleWords(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
