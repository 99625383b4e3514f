package netbox

import (
	"context"
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

// list reads every page of the kind's list endpoint matching q, each object
// read leniently and trimmed to what the engine uses (listReader).
func (c *Client) list(ctx context.Context, spec *kindSpec, q url.Values) ([]map[string]any, error) {
	return c.listPage(ctx, spec.Endpoint, q, newListReader(spec).page)
}

// listPath reads every page of an endpoint the kind tables do not hold
// (tags, custom fields), without trimming its objects.
func (c *Client) listPath(ctx context.Context, endpoint string, q url.Values) ([]map[string]any, error) {
	return c.listPage(ctx, endpoint, q, func(data []byte) (page, error) { return readPage(endpoint, data, nil) })
}

// listPage reads every page of a list, each read by readPage: for a
// kind's list, one that checks and trims each object as its page arrives,
// so that only what the caller reads stays in memory, never the whole
// NetBox in full.
func (c *Client) listPage(ctx context.Context, endpoint string, q url.Values, readPage func([]byte) (page, error)) ([]map[string]any, error) {
	path := endpoint + "/"
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
		pg, err := readPage(data)
		if err != nil {
			return nil, err // names the endpoint itself
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
