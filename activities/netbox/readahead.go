package netbox

import (
	"context"
	"net/url"
)

// kindLists reads the kinds' main lists one kind ahead of the planner:
// while a kind is matched and diffed, NetBox renders the next kind's
// pages, so that neither waits for the other between kinds. Only the next
// list is in flight, so at most two kinds' pages are held beyond what the
// planner keeps.
type kindLists struct {
	f      fetcher
	ctx    context.Context // the plan's, for the lists it starts
	cancel context.CancelFunc
	next   *kindList
}

// kindList is one kind's list, read in the background.
type kindList struct {
	spec *kindSpec
	done chan struct{}
	raws []map[string]any
	err  error
}

func newKindLists(ctx context.Context, f fetcher) *kindLists {
	ctx, cancel := context.WithCancel(ctx)
	return &kindLists{f: f, ctx: ctx, cancel: cancel}
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

// start asks for s's list in the background.
func (l *kindLists) start(s *kindSpec) {
	k := &kindList{spec: s, done: make(chan struct{})}
	l.next = k
	go func() {
		defer close(k.done)
		k.raws, k.err = l.f.list(l.ctx, s, mainQuery(s))
	}()
}

// take returns s's list, the one read ahead when it is s's, and then
// asks for then's (nil: none), which NetBox renders while s is planned.
func (l *kindLists) take(ctx context.Context, s, then *kindSpec) ([]map[string]any, error) {
	raws, err := l.read(ctx, s)
	if err == nil && then != nil {
		l.start(then)
	}
	return raws, err
}

// read returns s's list: the one read ahead, or one read now.
func (l *kindLists) read(ctx context.Context, s *kindSpec) ([]map[string]any, error) {
	k := l.next
	l.next = nil
	if k == nil || k.spec != s {
		l.wait(k)
		return l.f.list(ctx, s, mainQuery(s))
	}
	select {
	case <-k.done:
		return k.raws, k.err
	case <-ctx.Done():
		l.next = k // close waits for it
		return nil, ctx.Err()
	}
}

// wait waits for a list asked for to end.
func (l *kindLists) wait(k *kindList) {
	if k != nil {
		<-k.done
	}
}

// close cancels the list still in flight and waits for it, so that no
// request outlives the plan.
func (l *kindLists) close() {
	l.cancel()
	l.wait(l.next)
	l.next = nil
}
