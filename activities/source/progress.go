package source

import (
	"sync"
)

// Heartbeat reports the progress state of one discovery: every change is
// reported as it happens, one report at a time, so that readers running
// concurrently can all count. A nil Progress (a discovery run outside an
// activity) reports nowhere.
type Heartbeat[T any] struct {
	mu    sync.Mutex
	p     Progress
	state T
}

// NewHeartbeat reports start and returns a heartbeat that goes on from it.
func NewHeartbeat[T any](p Progress, start T) *Heartbeat[T] {
	h := &Heartbeat[T]{p: p, state: start}
	h.Set(start)
	return h
}

// Set replaces the state and reports it.
func (h *Heartbeat[T]) Set(state T) {
	h.Update(func(s *T) { *s = state })
}

// Update changes the state with change and reports it.
func (h *Heartbeat[T]) Update(change func(*T)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	change(&h.state)
	if h.p != nil {
		h.p.Report(h.state)
	}
}

// State returns the state last reported.
func (h *Heartbeat[T]) State() T {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state
}

// Resume returns the state a previous attempt of the same discovery
// reported, and whether there was one; a nil Progress has none.
func Resume[T any](p Progress) (T, bool) {
	var prev T
	if p == nil {
		return prev, false
	}
	ok := p.Resume(&prev)
	return prev, ok
}
