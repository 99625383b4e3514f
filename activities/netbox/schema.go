package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// EnsureSchema is Prepare outside a run: its writes carry no changelog
// message.
func (c *Client) EnsureSchema(ctx context.Context) error {
	return c.Prepare(ctx, Run{})
}

// Prepare creates the tags and custom fields the agent needs when they are
// missing, and widens existing custom fields to every object type the
// agent writes. It changes nothing that is already right, so it is cheap
// to call before every run; what it writes names run in NetBox's changelog.
func (c *Client) Prepare(ctx context.Context, run Run) error {
	note := run.changelog("prepare")
	if err := c.ensureTags(ctx, note); err != nil {
		return fmt.Errorf("ensure tags: %w", err)
	}
	if err := c.ensureCustomFields(ctx, note); err != nil {
		return fmt.Errorf("ensure custom fields: %w", err)
	}
	c.schemaReady.Store(true)
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
