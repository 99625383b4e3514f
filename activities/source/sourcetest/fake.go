package sourcetest

import (
	"errors"
	"strings"
	"sync"
)

// Calls is what a fake API keeps about the calls it receives: how many of
// each, the faults a test set for them, and what went wrong on the fake's
// side (an answer it could not write, a request that broke the protocol).
// A fake embeds it; its methods are safe for concurrent use.
type Calls[F any] struct {
	mu     sync.Mutex
	hits   map[string]int
	faults map[string]F
	errs   []error
}

// SetFault makes calls of name answer with fault, as the fake defines it.
func (c *Calls[F]) SetFault(name string, fault F) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.faults == nil {
		c.faults = map[string]F{}
	}
	c.faults[name] = fault
}

// ClearFaults removes every fault.
func (c *Calls[F]) ClearFaults() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = nil
}

// Call counts a call of name and returns the fault set for it, if any.
func (c *Calls[F]) Call(name string) (F, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count(name)
	f, ok := c.faults[name]
	return f, ok
}

// CallUnder counts a call of path and returns the fault set for the
// longest prefix of it, if any: a fault on "/nodes/node2" answers for
// every path below it.
func (c *Calls[F]) CallUnder(path string) (F, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count(path)
	best, found := "", false
	for prefix := range c.faults {
		if strings.HasPrefix(path, prefix) && len(prefix) >= len(best) {
			best, found = prefix, true
		}
	}
	return c.faults[best], found
}

func (c *Calls[F]) count(name string) {
	if c.hits == nil {
		c.hits = map[string]int{}
	}
	c.hits[name]++
}

// Hits reports how many calls of name the fake counted.
func (c *Calls[F]) Hits(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[name]
}

// TotalHits reports how many calls the fake counted.
func (c *Calls[F]) TotalHits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, h := range c.hits {
		n += h
	}
	return n
}

// Failed records what went wrong on the fake's side; nil is nothing.
func (c *Calls[F]) Failed(err error) {
	if err == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err)
}

// Err reports what went wrong on the fake's side, joined; nil when all
// went well.
func (c *Calls[F]) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return errors.Join(c.errs...)
}
