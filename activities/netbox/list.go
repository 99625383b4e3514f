package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// fetcher lists NetBox objects of one kind; the Client reads them over
// HTTP, tests and benchmarks from memory.
type fetcher interface {
	list(ctx context.Context, spec *kindSpec, q url.Values) ([]map[string]any, error)
}

// page is the envelope of a NetBox list answer.
type page struct {
	Count   int              `json:"count"`
	Next    *string          `json:"next"`
	Results []map[string]any `json:"results"`
}

// list reads every page of the kind's list endpoint matching q. Each page
// is also decoded into go-netbox's Paginated model so that an answer NetBox
// would never give is an error, not a silent misreading.
func (c *Client) list(ctx context.Context, spec *kindSpec, q url.Values) ([]map[string]any, error) {
	return c.listPage(ctx, spec.Endpoint+"/", q, spec.checkPage, spec.slim)
}

func (c *Client) listPath(ctx context.Context, path string, q url.Values, check func([]byte) error) ([]map[string]any, error) {
	return c.listPage(ctx, path, q, check, nil)
}

// listPage reads every page of a list. check validates the first answer of
// each endpoint against go-netbox's model: one page proves the shape, and
// checking every page of a large NetBox (and every lookup of an apply)
// would double the cost of reading it. keep, when
// set, trims each object as its page arrives, so that only what the caller
// reads stays in memory, never the whole NetBox in full.
func (c *Client) listPage(ctx context.Context, path string, q url.Values, check func([]byte) error, keep func(map[string]any) map[string]any) ([]map[string]any, error) {
	qq := url.Values{}
	for k, v := range q {
		qq[k] = v
	}
	qq.Set("limit", strconv.Itoa(c.cfg.PageSize))
	var out []map[string]any
	offset := 0
	for {
		qq.Set("offset", strconv.Itoa(offset))
		data, err := c.get(ctx, path, qq)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", path, err)
		}
		if check != nil && c.firstAnswer(path) {
			if err := check(data); err != nil {
				c.checked.Delete(path)
				return nil, fmt.Errorf("list %s: %w", path, err)
			}
		}
		var pg page
		if err := json.Unmarshal(data, &pg); err != nil {
			return nil, fmt.Errorf("list %s: decode page: %w", path, err)
		}
		if keep != nil {
			for i, o := range pg.Results {
				pg.Results[i] = keep(o)
			}
		}
		out = append(out, pg.Results...)
		offset += len(pg.Results)
		if len(pg.Results) == 0 || pg.Next == nil || *pg.Next == "" || offset >= pg.Count {
			return out, nil
		}
	}
}

// maxQueryLen keeps a filtered GET's query string well below the 4 KiB
// request line that gunicorn and many proxies accept.
const maxQueryLen = 3000

// listIn lists the objects whose param is any of values, in as few requests
// as the query length allows (NetBox ORs repeated parameters).
func listIn(ctx context.Context, f fetcher, spec *kindSpec, base url.Values, param string, values []string) ([]map[string]any, error) {
	var out []map[string]any
	for _, chunk := range chunkValues(param, values, maxQueryLen) {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q[param] = chunk
		objs, err := f.list(ctx, spec, q)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// chunkValues splits values so that each chunk's encoded query stays
// under max characters.
func chunkValues(param string, values []string, max int) [][]string {
	var chunks [][]string
	var cur []string
	size := 0
	for _, v := range values {
		n := len(url.QueryEscape(param)) + len(url.QueryEscape(v)) + 2
		if len(cur) > 0 && size+n > max {
			chunks = append(chunks, cur)
			cur, size = nil, 0
		}
		cur = append(cur, v)
		size += n
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

// firstAnswer reports whether no answer of path has been checked yet in
// this process, and marks it checked.
func (c *Client) firstAnswer(path string) bool {
	_, seen := c.checked.LoadOrStore(path, true)
	return !seen
}
