package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// Schema is what a plan needs of NetBox besides its objects and the
// agent's own tags and custom fields: the tags its sources name. Prepare
// creates what is missing before any batch runs.
type Schema struct {
	// Tags maps the slug of each tag the plan's writes carry, besides the
	// agent's own, to its name.
	Tags map[string]string `json:"tags,omitempty"`
}

// Schema is what the plan's writes need of NetBox: the tags their bodies
// name besides the agent's own. It reads the plan as planned or as saved.
func (p *Plan) Schema() Schema {
	var s Schema
	for _, b := range p.Batches {
		for _, op := range b.Ops {
			for _, t := range tagRefs(op.Fields["tags"]) {
				if isAgentTag(t.Slug) {
					continue
				}
				if s.Tags == nil {
					s.Tags = map[string]string{}
				}
				if _, seen := s.Tags[t.Slug]; !seen {
					s.Tags[t.Slug] = t.Name
				}
			}
		}
	}
	return s
}

// SchemaCount counts the tags and custom fields a run needs, whether they
// exist or not: the Prepare step's summary.
type SchemaCount struct {
	Tags         int `json:"tags"`
	CustomFields int `json:"custom_fields"`
}

// SchemaCount counts what a run with schema s needs: the agent's own tags
// and custom fields, the mapped custom fields and the tags of s.
func (c *Client) SchemaCount(s Schema) SchemaCount {
	return SchemaCount{Tags: len(agentTags) + len(s.Tags), CustomFields: len(c.wantedCustomFields())}
}

// Prepared is what Prepare did: what the run needs, and how much of it was
// missing (created) or too narrow (custom fields widened).
type Prepared struct {
	SchemaCount
	TagsCreated         int `json:"tags_created"`
	CustomFieldsCreated int `json:"custom_fields_created"`
	CustomFieldsUpdated int `json:"custom_fields_updated"`
}

// EnsureSchema is Prepare outside a run, for the agent's own tags and
// custom fields: its writes carry no changelog message.
func (c *Client) EnsureSchema(ctx context.Context) error {
	_, err := c.Prepare(ctx, Run{}, Schema{})
	return err
}

// Prepare creates the tags and custom fields the agent and schema s need
// when they are missing, and widens existing custom fields to every object
// type the agent writes. It changes nothing that is already right, so it
// is cheap to call before every run; what it writes names run in NetBox's
// changelog. Planning never writes; this is where a run's schema is made.
func (c *Client) Prepare(ctx context.Context, run Run, s Schema) (Prepared, error) {
	note := run.changelog("prepare")
	res := Prepared{SchemaCount: c.SchemaCount(s)}
	created, err := c.ensureTags(ctx, s, note)
	if err != nil {
		return res, fmt.Errorf("ensure tags: %w", err)
	}
	res.TagsCreated = created
	res.CustomFieldsCreated, res.CustomFieldsUpdated, err = c.ensureCustomFields(ctx, note)
	if err != nil {
		return res, fmt.Errorf("ensure custom fields: %w", err)
	}
	c.schemaReady.Store(true)
	return res, nil
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
