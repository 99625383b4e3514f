package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"

	nb "github.com/netbox-community/go-netbox/v4"
)

// tagSpec is a tag the agent needs.
type tagSpec struct {
	Name, Slug, Color, Description string
}

var agentTags = []tagSpec{
	{TagAgent, TagAgent, "2196f3", "Managed by netbox-agent"},
	{TagOrphan, TagOrphan, "ff9800", "No longer reported by the source netbox-agent took it from"},
	{TagIgnore, TagIgnore, "9e9e9e", "netbox-agent never changes this object"},
}

// customFieldSpec is a custom field the agent needs.
type customFieldSpec struct {
	Name, Type, Label, Description string
	ObjectTypes                    []string
	// Exact makes cf_ filters compare whole values: with NetBox's default
	// "loose" logic a text filter is a substring match, and looking up
	// agent_id "a/b/1" would also find "a/b/10".
	Exact bool
	// Unique makes NetBox refuse a second object with the same value, the
	// last guard against two attempts of one batch creating an object twice.
	Unique bool
}

// wantedCustomFields lists the agent's own custom fields and the mapped ones.
func (c *Client) wantedCustomFields() []customFieldSpec {
	all := objectTypes()
	out := []customFieldSpec{
		{Name: CFAgentID, Type: "text", Label: "Agent ID", Description: "Key of the inventory record this object reflects", ObjectTypes: all, Exact: true, Unique: true},
		{Name: CFAgentSource, Type: "text", Label: "Agent source", Description: "Source the object was discovered by", ObjectTypes: all, Exact: true},
		{Name: CFLastSeen, Type: "date", Label: "Agent last seen", Description: "Last run that reported this object", ObjectTypes: all},
		{Name: CFOrphanedSince, Type: "date", Label: "Agent orphaned since", Description: "First run that no longer reported this object", ObjectTypes: all},
	}
	byName := map[string]int{}
	for _, m := range c.cfg.CustomFields {
		var types []string
		for _, k := range m.Kinds {
			types = append(types, specFor(k).ObjectType)
		}
		if i, ok := byName[m.Field]; ok {
			out[i].ObjectTypes = unionStrings(out[i].ObjectTypes, types)
			continue
		}
		t := m.Type
		if t == "" {
			t = "text"
		}
		byName[m.Field] = len(out)
		out = append(out, customFieldSpec{Name: m.Field, Type: t, Description: "Source attribute " + m.Attr, ObjectTypes: uniqueSorted(types)})
	}
	return out
}

var cfNamePattern = regexp.MustCompile(`^[a-z0-9_]+$`)

var cfTypes = map[string]bool{"text": true, "longtext": true, "integer": true, "decimal": true,
	"boolean": true, "date": true, "datetime": true, "url": true, "json": true}

// validateMappings checks the custom field mappings of the configuration.
func validateMappings(ms []CustomFieldMapping) error {
	own := map[string]bool{CFAgentID: true, CFAgentSource: true, CFLastSeen: true, CFOrphanedSince: true}
	types := map[string]string{}
	for i, m := range ms {
		switch {
		case m.Attr == "":
			return fmt.Errorf("custom_fields[%d]: attr is empty", i)
		case !cfNamePattern.MatchString(m.Field):
			return fmt.Errorf("custom_fields[%d]: field %q must match [a-z0-9_]+", i, m.Field)
		case own[m.Field]:
			return fmt.Errorf("custom_fields[%d]: field %q is the agent's own", i, m.Field)
		case m.Type != "" && !cfTypes[m.Type]:
			return fmt.Errorf("custom_fields[%d]: unknown type %q", i, m.Type)
		case len(m.Kinds) == 0:
			return fmt.Errorf("custom_fields[%d]: kinds is empty", i)
		}
		t := m.Type
		if t == "" {
			t = "text"
		}
		if prev, ok := types[m.Field]; ok && prev != t {
			return fmt.Errorf("custom_fields[%d]: field %q mapped with types %s and %s", i, m.Field, prev, t)
		}
		types[m.Field] = t
		for _, k := range m.Kinds {
			if specFor(k) == nil {
				return fmt.Errorf("custom_fields[%d]: kind %q is not written to NetBox", i, k)
			}
		}
	}
	return nil
}

// EnsureSchema creates the tags and custom fields the agent needs when
// they are missing, and widens existing custom fields to every object type
// the agent writes. It changes nothing that is already right, so it is
// cheap to call before every run.
func (c *Client) EnsureSchema(ctx context.Context) error {
	if err := c.ensureTags(ctx); err != nil {
		return fmt.Errorf("ensure tags: %w", err)
	}
	if err := c.ensureCustomFields(ctx); err != nil {
		return fmt.Errorf("ensure custom fields: %w", err)
	}
	return nil
}

func (c *Client) ensureTags(ctx context.Context) error {
	slugs := make([]string, len(agentTags))
	for i, t := range agentTags {
		slugs[i] = t.Slug
	}
	have, err := c.listPath(ctx, "extras/tags/", url.Values{"slug": slugs}, decodeAs[nb.PaginatedTagList]())
	if err != nil {
		return err
	}
	exists := map[string]bool{}
	for _, t := range have {
		if s, ok := t["slug"].(string); ok {
			exists[s] = true
		}
	}
	var create []map[string]any
	for _, t := range agentTags {
		if !exists[t.Slug] {
			create = append(create, map[string]any{"name": t.Name, "slug": t.Slug, "color": t.Color, "description": t.Description})
		}
	}
	if len(create) == 0 {
		return nil
	}
	if err := checkEach(create, decodeAs[nb.TagRequest]()); err != nil {
		return err
	}
	_, err = c.send(ctx, http.MethodPost, "extras/tags/", create)
	return err
}

// ensureTagsOf creates the tags that request bodies name and NetBox lacks:
// the agent's own exist after EnsureSchema, the ones sources name are made
// here, before the first object needs them.
func (c *Client) ensureTagsOf(ctx context.Context, items []item) error {
	own := map[string]bool{}
	for _, t := range agentTags {
		own[t.Slug] = true
	}
	want := map[string]tagRef{}
	for _, it := range items {
		for _, t := range tagRefs(it.body["tags"]) {
			if !own[t.Slug] {
				want[t.Slug] = t
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	slugs := sortedKeys(want)
	have, err := c.listPath(ctx, "extras/tags/", url.Values{"slug": slugs}, decodeAs[nb.PaginatedTagList]())
	if err != nil {
		return fmt.Errorf("read tags: %w", err)
	}
	for _, h := range have {
		if s, ok := h["slug"].(string); ok {
			delete(want, s)
		}
	}
	if len(want) == 0 {
		return nil
	}
	var create []map[string]any
	for _, s := range sortedKeys(want) {
		create = append(create, map[string]any{"name": want[s].Name, "slug": s, "description": "Named by a netbox-agent source"})
	}
	if err := checkEach(create, decodeAs[nb.TagRequest]()); err != nil {
		return err
	}
	if _, err := c.send(ctx, http.MethodPost, "extras/tags/", create); err != nil {
		return fmt.Errorf("create tags: %w", err)
	}
	return nil
}

// tagRefs reads the tags of a request body, as planned or after a JSON
// round trip.
func tagRefs(v any) []tagRef {
	switch xs := v.(type) {
	case []tagRef:
		return xs
	case []any:
		var out []tagRef
		for _, x := range xs {
			if m, ok := x.(map[string]any); ok {
				name, _ := m["name"].(string)
				slug, _ := m["slug"].(string)
				if slug != "" {
					out = append(out, tagRef{Name: name, Slug: slug})
				}
			}
		}
		return out
	}
	return nil
}

func (c *Client) ensureCustomFields(ctx context.Context) error {
	want := c.wantedCustomFields()
	names := make([]string, len(want))
	for i, w := range want {
		names[i] = w.Name
	}
	have, err := c.listPath(ctx, "extras/custom-fields/", url.Values{"name": names}, decodeAs[nb.PaginatedCustomFieldList]())
	if err != nil {
		return err
	}
	existing := map[string]map[string]any{}
	for _, cf := range have {
		if n, ok := cf["name"].(string); ok {
			existing[n] = cf
		}
	}
	var create, update []map[string]any
	for _, w := range want {
		cur, ok := existing[w.Name]
		if !ok {
			body := map[string]any{"name": w.Name, "type": w.Type, "object_types": w.ObjectTypes,
				"description": w.Description}
			if w.Label != "" {
				body["label"] = w.Label
			}
			if w.Exact {
				body["filter_logic"] = "exact"
			}
			if w.Unique {
				body["unique"] = true
			}
			create = append(create, body)
			continue
		}
		if t, _ := canon(typeChoice, cur["type"]); t != w.Type {
			return fmt.Errorf("custom field %s has type %v, the agent needs %s", w.Name, t, w.Type)
		}
		patch := map[string]any{}
		curTypes := stringList(cur["object_types"])
		if all := unionStrings(curTypes, w.ObjectTypes); len(all) != len(curTypes) {
			patch["object_types"] = all
		}
		if fl, _ := canon(typeChoice, cur["filter_logic"]); w.Exact && fl != "exact" {
			patch["filter_logic"] = "exact"
		}
		if len(patch) > 0 {
			id, ok := refID(cur["id"])
			if !ok || id == nil {
				return fmt.Errorf("custom field %s: answer without id", w.Name)
			}
			patch["id"] = id
			update = append(update, patch)
		}
	}
	if len(create) > 0 {
		if err := checkEach(create, decodeAs[nb.WritableCustomFieldRequest]()); err != nil {
			return err
		}
		if _, err := c.send(ctx, http.MethodPost, "extras/custom-fields/", create); err != nil {
			return err
		}
	}
	if len(update) > 0 {
		if err := checkEach(update, decodeAs[nb.PatchedWritableCustomFieldRequest]()); err != nil {
			return err
		}
		if _, err := c.send(ctx, http.MethodPatch, "extras/custom-fields/", update); err != nil {
			return err
		}
	}
	return nil
}

// checkEach validates every body against a go-netbox request model.
func checkEach(bodies []map[string]any, check func([]byte) error) error {
	for i, b := range bodies {
		data, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("encode body %d: %w", i, err)
		}
		if err := check(data); err != nil {
			return fmt.Errorf("body %d: %w", i, err)
		}
	}
	return nil
}

func stringList(v any) []string {
	xs, _ := v.([]any)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func unionStrings(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, xs := range [][]string{a, b} {
		for _, x := range xs {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	sort.Strings(out)
	return out
}

// idList renders IDs as filter values.
func idList(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}
