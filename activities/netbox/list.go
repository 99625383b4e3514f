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
//
// While a page is read, the next pages are asked for, where the list's
// count says there are more: NetBox renders them while the agent reads.
// At most pagesAhead requests of a list are in flight (fewer when
// max_in_flight is lower), and every page is asked for once, also when
// NetBox answers fewer objects a page than asked for.
func (c *Client) listPage(ctx context.Context, endpoint string, q url.Values, readPage func([]byte) (page, error)) ([]map[string]any, error) {
	path := endpoint + "/"
	var out []map[string]any
	ahead := pageQueue{c: c, ctx: ctx, path: path, q: q, depth: min(pagesAhead, max(c.cfg.MaxInFlight, 1))}
	defer ahead.abandon()
	ahead.from(0)
	step, count := 0, 0
	for {
		data, offset, err := ahead.next()
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", path, err)
		}
		if step > 0 {
			ahead.fill(offset+step, step, count) // as the page before
		}
		pg, err := readPage(data)
		if err != nil {
			return nil, err // names the endpoint itself
		}
		if out == nil {
			out = make([]map[string]any, 0, min(max(pg.Count, len(pg.Results)), maxPresize))
		}
		out = append(out, pg.Results...)
		offset += len(pg.Results)
		if len(pg.Results) == 0 || pg.Next == nil || *pg.Next == "" || offset >= pg.Count {
			return out, nil
		}
		step, count = len(pg.Results), pg.Count
		ahead.fill(offset, step, count)
	}
}

// pagesAhead is how many pages of one list are asked for at once: two
// keep NetBox rendering one while the agent reads another.
const pagesAhead = 2

// maxPresize bounds the room made for a list from its count, which comes
// from the answer.
const maxPresize = 1 << 20

// pageQueue holds the GETs of a list's next pages, in offset order.
type pageQueue struct {
	c     *Client
	ctx   context.Context // the list's, for the GETs it starts
	path  string
	q     url.Values
	depth int
	gets  []*pageGet
}

// from asks for the page at offset, alone: the first page, whose answer
// gives the page size and the count.
func (a *pageQueue) from(offset int) {
	a.gets = append(a.gets, a.c.getPage(a.ctx, a.path, a.q, offset))
}

// next waits for the first page asked for and returns it with its offset.
func (a *pageQueue) next() ([]byte, int, error) {
	g := a.gets[0]
	a.gets = a.gets[1:]
	data, err := g.wait()
	return data, g.offset, err
}

// fill keeps depth pages asked for after a page ending at offset with step
// objects of count: where the pages asked for do not start at offset (the
// page was shorter than the ones before), they are dropped and asked again
// from there.
func (a *pageQueue) fill(offset, step, count int) {
	if len(a.gets) > 0 && a.gets[0].offset != offset {
		a.abandon()
	}
	if offset >= count {
		return
	}
	if len(a.gets) == 0 {
		a.from(offset)
	}
	for len(a.gets) < a.depth {
		o := a.gets[len(a.gets)-1].offset + step
		if o >= count {
			return
		}
		a.gets = append(a.gets, a.c.getPage(a.ctx, a.path, a.q, o))
	}
}

// abandon cancels the GETs still asked for and waits for them to end, so
// that no request outlives the list.
func (a *pageQueue) abandon() {
	for _, g := range a.gets {
		g.abandon()
	}
	a.gets = nil
}

// pageGet is a GET of one page of a list, under way.
type pageGet struct {
	offset int
	cancel context.CancelFunc
	done   chan struct{}
	data   []byte
	err    error
}

// getPage asks for the page of path at offset.
func (c *Client) getPage(ctx context.Context, path string, q url.Values, offset int) *pageGet {
	qq := make(url.Values, len(q)+2)
	for k, v := range q {
		qq[k] = v
	}
	qq.Set("limit", strconv.Itoa(c.cfg.PageSize))
	qq.Set("offset", strconv.Itoa(offset))
	ctx, cancel := context.WithCancel(ctx)
	g := &pageGet{offset: offset, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer cancel()
		defer close(g.done)
		g.data, g.err = c.get(ctx, path, qq)
	}()
	return g
}

// wait returns the page's answer.
func (g *pageGet) wait() ([]byte, error) {
	<-g.done
	return g.data, g.err
}

// abandon cancels the GET, if any, and waits for it to end, so that no
// request outlives the list.
func (g *pageGet) abandon() {
	if g == nil {
		return
	}
	g.cancel()
	<-g.done
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
