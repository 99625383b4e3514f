package scanner

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/netip"
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

// history is the state a scanner carries from run to run: per address
// that answered in an earlier run, the runs in a row since that it has not
// answered in. The discover activity keeps it in the blob store
// (source.Stateful), so that the count survives a worker's restart and is
// the same on whichever worker the next run discovers.
type history struct {
	Misses map[string]int `json:"misses"`
}

// readHistory decodes the state the last run left; nil is none. A state
// that does not decode is no history, with the reason.
func readHistory(state []byte) (history, error) {
	h := history{Misses: map[string]int{}}
	if len(state) == 0 || string(state) == "null" {
		return h, nil
	}
	if err := json.Unmarshal(state, &h); err != nil {
		return history{Misses: map[string]int{}}, fmt.Errorf("decode the scanner's state: %w", err)
	}
	if h.Misses == nil {
		h.Misses = map[string]int{}
	}
	for a, n := range h.Misses {
		if _, err := netip.ParseAddr(a); err != nil || n < 0 {
			return history{Misses: map[string]int{}}, fmt.Errorf("decode the scanner's state: %q: %d is no address and count of runs", a, n)
		}
	}
	return h, nil
}

// next records one finished scan: live are the addresses that answered,
// probed every address the scan covered. It returns the history the next
// run starts from and the silent addresses still to be kept, with the
// runs they have missed. An address no longer covered is forgotten.
func (h history) next(live map[string]bool, probed func(string) bool, missedRuns int) (history, map[string]int) {
	out := history{Misses: make(map[string]int, len(h.Misses)+len(live))}
	kept := map[string]int{}
	for a, n := range h.Misses {
		if live[a] || !probed(a) || n+1 >= missedRuns {
			continue
		}
		out.Misses[a] = n + 1
		kept[a] = n + 1
	}
	for a := range live {
		out.Misses[a] = 0
	}
	return out, kept
}
