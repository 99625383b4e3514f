package scanner

import (
	"crypto/rand"
	"sync"
)

// keptRuns is how many scans' results a source keeps: the one running and
// the one before, whose activity may be retried after Discover returned.
const keptRuns = 2

// runCache keeps the hosts recent scans found, in the worker's memory.
//
// A scan heartbeats its run ID and its cursor (how many addresses, in
// order, are done). A retry on the same worker resumes the run and probes
// only the addresses after the cursor; the hosts found before it come
// from here. The heartbeat cannot carry them (it must stay small), so a
// retry on another worker, which has no hosts for the run, scans from the
// start: the snapshot is the same either way, only the time differs.
type runCache struct {
	mu   sync.Mutex
	runs []*run
}

// run is what one scan found so far.
type run struct {
	id string
	mu sync.Mutex
	// cursor is how many addresses, in scan order, are done.
	cursor int
	// hosts are the live hosts found, by their place in the scan order.
	hosts map[int]*host
}

// begin returns the run to go on with: the resumed one when this worker has
// it, else a new one that starts at the first address.
func (c *runCache) begin(resumeID string, resumed bool) *run {
	c.mu.Lock()
	defer c.mu.Unlock()
	if resumed && resumeID != "" {
		for _, r := range c.runs {
			if r.id == resumeID {
				return r
			}
		}
	}
	r := &run{id: rand.Text()[:16], hosts: map[int]*host{}}
	c.runs = append(c.runs, r)
	if len(c.runs) > keptRuns {
		c.runs = append([]*run(nil), c.runs[len(c.runs)-keptRuns:]...)
	}
	return r
}

// missHistory counts, per address that answered in an earlier run of this
// worker, the runs in a row since that it did not answer in. It lives in
// memory: after a restart an address silent at the first run is reported
// gone at once, and goes through the orphan lifecycle (marked, deleted
// after the grace period) like any other object.
type missHistory struct {
	mu     sync.Mutex
	misses map[string]int
}

// update records one finished scan: live are the addresses that answered,
// probed every address the scan covered. It returns the silent addresses
// still to be kept, with the runs they have missed.
func (h *missHistory) update(live map[string]bool, probed func(string) bool, missedRuns int) map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	kept := map[string]int{}
	for a, n := range h.misses {
		switch {
		case live[a]:
		case !probed(a):
			delete(h.misses, a)
		case n+1 < missedRuns:
			h.misses[a] = n + 1
			kept[a] = n + 1
		default:
			delete(h.misses, a)
		}
	}
	for a := range live {
		h.misses[a] = 0
	}
	return kept
}
