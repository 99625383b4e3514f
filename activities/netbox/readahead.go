package netbox

import (
	"context"
	"net/url"
)

// kindLists reads the kinds' main lists ahead of the planner, one kind
// after the other in write order: NetBox renders the next kinds' pages
// while the records are read and each kind is matched and diffed, so that
// neither waits for the other. One list is read at a time (its pages
// pagesAhead at once), so that the planner gets each kind as early as
// NetBox can give it; the planner keeps every kind's objects to the end of
// the plan anyway, so reading ahead holds nothing it would not.
type kindLists struct {
	f      fetcher
	cancel context.CancelFunc
	done   chan struct{} // closed when the reader has ended
	lists  []chan kindList
	next   int // the index in specs of the list take gives next
	specs  []*kindSpec
}

// kindList is one kind's list as read.
type kindList struct {
	raws []map[string]any
	err  error
}

// newKindLists starts reading the lists of specs, in their order.
func newKindLists(ctx context.Context, f fetcher, specs []*kindSpec) *kindLists {
	ctx, cancel := context.WithCancel(ctx)
	l := &kindLists{f: f, cancel: cancel, done: make(chan struct{}), specs: specs, lists: make([]chan kindList, len(specs))}
	for i := range l.lists {
		l.lists[i] = make(chan kindList, 1)
	}
	go l.read(ctx)
	return l
}

// read lists each kind in turn, until one fails or the plan ends.
func (l *kindLists) read(ctx context.Context) {
	defer close(l.done)
	for i, s := range l.specs {
		raws, err := l.f.list(ctx, s, mainQuery(s))
		l.lists[i] <- kindList{raws: raws, err: err}
		if err != nil {
			return
		}
	}
}

// mainQuery is the query of a kind's main list: every object of a shared
// kind, the agent's of the others.
func mainQuery(s *kindSpec) url.Values {
	q := url.Values{}
	if !s.FetchAll {
		q.Set("tag", TagAgent)
	}
	return q
}

// take returns the next kind's list, in the order of the specs.
func (l *kindLists) take(ctx context.Context) ([]map[string]any, error) {
	ch := l.lists[l.next]
	l.next++
	select {
	case k := <-ch:
		return k.raws, k.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close stops the lists still to read and waits for the reader, so that no
// request outlives the plan.
func (l *kindLists) close() {
	l.cancel()
	<-l.done
}
