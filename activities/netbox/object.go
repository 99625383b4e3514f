package netbox

import (
	"sort"
	"strings"
)

// The tags and custom fields that mark what the agent owns.
const (
	TagAgent  = "netbox-agent" // on everything the agent writes
	TagOrphan = "agent-orphan" // on objects no source reports any more
	TagIgnore = "agent-ignore" // set by people: the agent never changes the object

	CFAgentID       = "agent_id"             // the record key
	CFAgentSource   = "agent_source"         // the source instance the record came from
	CFLastSeen      = "agent_last_seen"      // date of the last run that reported it
	CFOrphanedSince = "agent_orphaned_since" // date it was first found orphaned
	CFAgentWritten  = "agent_written"        // hashes of the values the agent last wrote, by field
)

// dateLayout is the form of NetBox date custom fields.
const dateLayout = "2006-01-02"

// object is one NetBox object as read from a list.
type object struct {
	ID            int64
	Raw           map[string]any
	AgentID       string
	Source        string
	LastSeen      string
	OrphanedSince string
	// Written is agent_written: by field, the hash of the value the agent
	// last wrote there (parseWritten), to tell an operator's edit from a
	// source's change. Kept as text: most objects are never diffed.
	Written     string
	LastUpdated string
	Tags        []tagRef // sorted by slug
	Agent       bool     // tagged netbox-agent
	Ignore      bool     // tagged agent-ignore
	Orphan      bool     // tagged agent-orphan
}

// newObject reads the ownership facts out of a decoded object; ok is false
// when it has no ID.
func newObject(raw map[string]any) (*object, bool) {
	id, ok := refID(raw["id"])
	if !ok || id == nil {
		return nil, false
	}
	o := &object{ID: id.(int64), Raw: raw}
	o.LastUpdated, _ = raw["last_updated"].(string)
	if cf, ok := raw["custom_fields"].(map[string]any); ok {
		o.AgentID, _ = cf[CFAgentID].(string)
		o.Source, _ = cf[CFAgentSource].(string)
		o.LastSeen, _ = cf[CFLastSeen].(string)
		o.OrphanedSince, _ = cf[CFOrphanedSince].(string)
		o.Written, _ = cf[CFAgentWritten].(string)
	}
	if tags, ok := raw["tags"].([]tagRef); ok {
		// Trimmed by slim: already name and slug.
		for _, t := range tags {
			o.addTag(t)
		}
	} else if tags, ok := raw["tags"].([]any); ok {
		for _, t := range tags {
			m, ok := t.(map[string]any)
			if !ok {
				continue
			}
			name, _ := m["name"].(string)
			slug, _ := m["slug"].(string)
			o.addTag(tagRef{Name: name, Slug: slug})
		}
	}
	sort.Slice(o.Tags, func(i, j int) bool { return o.Tags[i].Slug < o.Tags[j].Slug })
	return o, true
}

func (o *object) addTag(t tagRef) {
	if t.Slug == "" {
		return
	}
	o.Tags = append(o.Tags, t)
	switch t.Slug {
	case TagAgent:
		o.Agent = true
	case TagIgnore:
		o.Ignore = true
	case TagOrphan:
		o.Orphan = true
	}
}

// name is a short label of the object for reports.
func (o *object) name() string {
	for _, k := range []string{"name", "model", "address", "mac_address", "display"} {
		if s, ok := o.Raw[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// dateOf trims a date custom field to its day (NetBox answers "2024-05-01").
func dateOf(s string) string {
	if len(s) >= len(dateLayout) {
		return s[:len(dateLayout)]
	}
	return strings.TrimSpace(s)
}

// objectSet holds the NetBox objects of one kind read so far.
type objectSet struct {
	byID map[int64]*object
}

// object is the set's object of that ID, or nil; a nil set holds none.
func (s *objectSet) object(id int64) *object {
	if s == nil {
		return nil
	}
	return s.byID[id]
}

// add reads raw into the set and returns its object: the one the set
// holds already for its ID, or nil when raw has no ID.
func (s *objectSet) add(raw map[string]any) *object {
	o, ok := newObject(raw)
	if !ok {
		return nil
	}
	if have, ok := s.byID[o.ID]; ok {
		return have
	}
	s.byID[o.ID] = o
	return o
}

// sorted returns the objects by ID.
func (s *objectSet) sorted() []*object {
	out := make([]*object, 0, len(s.byID))
	for _, o := range s.byID {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
