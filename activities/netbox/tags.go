package netbox

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// tagRef is a tag as NetBox nests it, and as requests name it.
type tagRef struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// withTags returns the object's tags with add added and drop removed,
// sorted by slug; changed is false when the result equals the current tags.
func (o *object) withTags(add []tagRef, drop ...string) (tags []tagRef, changed bool) {
	out := make([]tagRef, 0, len(o.Tags)+len(add))
	for _, t := range o.Tags {
		if !containsString(drop, t.Slug) {
			out = append(out, t)
		} else {
			changed = true
		}
	}
	for _, a := range add {
		if !hasTag(out, a.Slug) {
			out = append(out, a)
			changed = true
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out, changed
}

func hasTag(tags []tagRef, slug string) bool {
	for _, t := range tags {
		if t.Slug == slug {
			return true
		}
	}
	return false
}

// agentTag and orphanTag as requests name them.
var (
	agentTag  = tagRef{Name: TagAgent, Slug: TagAgent}
	orphanTag = tagRef{Name: TagOrphan, Slug: TagOrphan}
)

// tagSlugs reads the slugs of a tag list from a request body or a plan's
// JSON, sorted.
func tagSlugs(v any) []string {
	var out []string
	switch xs := v.(type) {
	case []tagRef:
		for _, t := range xs {
			out = append(out, t.Slug)
		}
	case []any:
		for _, x := range xs {
			switch t := x.(type) {
			case map[string]any:
				if s, ok := t["slug"].(string); ok {
					out = append(out, s)
				}
			case string:
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out
}

// recordTags are the tags an object of r carries: the agent's own and the
// ones its source names. Tags are only ever added: a tag a source stops
// naming may be one a person set too, so it stays.
func recordTags(r *record) []tagRef {
	out := []tagRef{agentTag}
	tags, _ := r.Attr("tags")
	for _, name := range stringsOf(tags) {
		s := inventory.Slug(name)
		if s != "" && !hasTag(out, s) && s != TagOrphan && s != TagIgnore {
			out = append(out, tagRef{Name: name, Slug: s})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out
}

// stringsOf reads a list of strings from a record attribute.
func stringsOf(v any) []string {
	switch xs := v.(type) {
	case []string:
		return xs
	case string:
		return []string{xs}
	case []any:
		var out []string
		for _, x := range xs {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// tagSpec is a tag the agent needs.
type tagSpec struct {
	Name, Slug, Color, Description string
}

var agentTags = []tagSpec{
	{TagAgent, TagAgent, "2196f3", "Managed by netbox-agent"},
	{TagOrphan, TagOrphan, "ff9800", "No longer reported by the source netbox-agent took it from"},
	{TagIgnore, TagIgnore, "9e9e9e", "netbox-agent never changes this object"},
}

// isAgentTag reports whether slug names one of the agent's own tags.
func isAgentTag(slug string) bool {
	for _, t := range agentTags {
		if t.Slug == slug {
			return true
		}
	}
	return false
}

// ensureTags creates the agent's own tags and those of s that NetBox
// lacks, and returns how many it created.
func (c *Client) ensureTags(ctx context.Context, s Schema, note string) (int, error) {
	slugs := make([]string, 0, len(agentTags)+len(s.Tags))
	for _, t := range agentTags {
		slugs = append(slugs, t.Slug)
	}
	slugs = append(slugs, sortedKeys(s.Tags)...)
	exists, err := c.existingTags(ctx, slugs)
	if err != nil {
		return 0, err
	}
	var create []map[string]any
	for _, t := range agentTags {
		if !exists[t.Slug] {
			create = append(create, map[string]any{"name": t.Name, "slug": t.Slug, "color": t.Color, "description": t.Description})
		}
	}
	for _, slug := range sortedKeys(s.Tags) {
		if !exists[slug] && !isAgentTag(slug) {
			create = append(create, sourceTagBody(s.Tags[slug], slug))
		}
	}
	if len(create) == 0 {
		return 0, nil
	}
	if err := checkEach(create, decodeAs[nb.TagRequest]()); err != nil {
		return 0, err
	}
	if _, err := c.sendList(ctx, http.MethodPost, "extras/tags/", create, note); err != nil {
		return 0, err
	}
	return len(create), nil
}

// existingTags says which of the tag slugs NetBox has, reading them in
// chunks that keep each query short.
func (c *Client) existingTags(ctx context.Context, slugs []string) (map[string]bool, error) {
	exists := map[string]bool{}
	for _, chunk := range chunkValues("slug", slugs, maxQueryLen) {
		have, err := c.listPath(ctx, "extras/tags", url.Values{"slug": chunk})
		if err != nil {
			return nil, err
		}
		for _, t := range have {
			if s, ok := t["slug"].(string); ok {
				exists[s] = true
			}
		}
	}
	return exists, nil
}

// sourceTagBody is the request that creates a tag a source names.
func sourceTagBody(name, slug string) map[string]any {
	return map[string]any{"name": name, "slug": slug, "description": "Named by a netbox-agent source"}
}

// ensureTagsOf creates the tags that request bodies name and NetBox lacks.
// Prepare made them before the run's first batch; this guards a plan saved
// before plans named their tags, and a tag deleted since.
func (c *Client) ensureTagsOf(ctx context.Context, items []item, note string) error {
	want := map[string]tagRef{}
	for _, it := range items {
		for _, t := range tagRefs(it.body["tags"]) {
			if !isAgentTag(t.Slug) {
				want[t.Slug] = t
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	exists, err := c.existingTags(ctx, sortedKeys(want))
	if err != nil {
		return fmt.Errorf("read tags: %w", err)
	}
	var create []map[string]any
	for _, s := range sortedKeys(want) {
		if !exists[s] {
			create = append(create, sourceTagBody(want[s].Name, s))
		}
	}
	if len(create) == 0 {
		return nil
	}
	if err := checkEach(create, decodeAs[nb.TagRequest]()); err != nil {
		return err
	}
	if _, err := c.sendList(ctx, http.MethodPost, "extras/tags/", create, note); err != nil {
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
