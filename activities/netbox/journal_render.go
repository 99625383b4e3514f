package netbox

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// maxJournalValue bounds the characters of one value in an entry: a long
// description or comment is cut, the field and its source stay.
const maxJournalValue = 120

// journalHidden are the fields an entry leaves out: the hashes of what
// the agent wrote and the daily last-seen date say nothing to a reader.
var journalHidden = map[string]bool{
	"custom_fields." + CFAgentWritten: true,
	"custom_fields." + CFLastSeen:     true,
}

// journalRow is one field of an entry.
type journalRow struct {
	field, to, from, source string
}

// journalComments renders the Markdown of op's entry: the marker line
// that names the run and batch, what happened, and a table of the fields
// written with their new value (and old one on an update) and the source
// that reported it. Values pass through scrubSecrets with the client's
// auth, so that nothing shaped like a token reaches NetBox's journal.
func journalComments(marker string, o Op, op *Operation, s *kindSpec, auth string) string {
	var b strings.Builder
	b.WriteString(marker)
	b.WriteString("\n\n")
	name := op.Name
	if name == "" {
		name = op.Key
	}
	rows := journalRows(o, op, s)
	switch {
	case op.OrphanOf != "":
		fmt.Fprintf(&b, "Marked as an orphan: source **%s** no longer reports %s `%s`.\n", journalCell(op.OrphanOf, auth), s.Kind, journalCell(name, auth))
	case o == OpCreate:
		fmt.Fprintf(&b, "Created %s `%s` (agent_id `%s`).\n", s.Kind, journalCell(name, auth), journalCell(op.Key, auth))
	default:
		fmt.Fprintf(&b, "Updated %s `%s` (agent_id `%s`).\n", s.Kind, journalCell(name, auth), journalCell(op.Key, auth))
	}
	if len(rows) == 0 {
		return b.String()
	}
	if o == OpCreate {
		b.WriteString("\n| Field | Value | Source |\n| --- | --- | --- |\n")
	} else {
		b.WriteString("\n| Field | New value | Old value | Source |\n| --- | --- | --- | --- |\n")
	}
	// Without the sources (a plan made with the journal off), a field's
	// source is not known; with them, a field none reported is the agent's.
	own := "—"
	if len(op.Sources) > 0 || op.OrphanOf != "" {
		own = "netbox-agent"
	}
	for _, r := range rows {
		src := own
		if r.source != "" {
			src = journalCell(r.source, auth)
		}
		if o == OpCreate {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", r.field, journalCode(r.to, auth), src)
		} else {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.field, journalCode(r.to, auth), journalCode(r.from, auth), src)
		}
	}
	return b.String()
}

// journalRows lists the fields op writes: an update's changes as the
// plan saw them, a create's body with its references named.
func journalRows(o Op, op *Operation, s *kindSpec) []journalRow {
	var rows []journalRow
	add := func(field string, to, from any) {
		if journalHidden[field] {
			return
		}
		rows = append(rows, journalRow{field: field, to: journalValue(field, to, s), from: journalValue(field, from, s),
			source: op.Sources[field]})
	}
	if o != OpCreate {
		for _, c := range op.Changes {
			add(c.Field, c.To, c.From)
		}
		return rows
	}
	for _, name := range sortedKeys(op.Fields) {
		if cf, ok := op.Fields[name].(map[string]any); ok && name == "custom_fields" {
			for _, k := range sortedKeys(cf) {
				add("custom_fields."+k, cf[k], nil)
			}
			continue
		}
		if _, pending := op.Refs[name]; !pending {
			add(name, op.Fields[name], nil)
		}
	}
	for _, name := range sortedKeys(op.Refs) {
		r := op.Refs[name]
		add(name, "new "+string(r.Kind)+" "+r.Key, nil)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].field < rows[j].field })
	return rows
}

// journalValue renders one value for an entry: tags by slug, references
// to existing objects by NetBox ID, nothing as "—".
func journalValue(field string, v any, s *kindSpec) string {
	if v == nil {
		return ""
	}
	if field == "tags" {
		return strings.Join(tagSlugs(v), ", ")
	}
	if f := s.field(field); f != nil && f.isRef() {
		if id, ok := refID(v); ok && id != nil {
			return fmt.Sprintf("#%d", id)
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ", ")
	case []string:
		return strings.Join(x, ", ")
	}
	return fmt.Sprint(v)
}

// journalCode renders a value as inline code in a table cell; nothing as "—".
func journalCode(v, auth string) string {
	if v == "" {
		return "—"
	}
	return "`" + journalCell(v, auth) + "`"
}

// journalCell makes text safe for a Markdown table cell and inline code: no
// token, no line break, pipe or backtick, and at most maxJournalValue
// characters.
func journalCell(v, auth string) string {
	v = scrubSecrets(v, auth)
	v = strings.NewReplacer("\r", " ", "\n", " ", "|", "\\|", "`", "'").Replace(v)
	if utf8.RuneCountInString(v) > maxJournalValue {
		r := []rune(v)
		v = string(r[:maxJournalValue]) + "…"
	}
	return v
}
