package proxmox

import (
	"crypto/rand"
	"sync"
)

// keptRuns is how many discoveries' guest answers a source keeps: the one
// running and the one before, whose activity may still be retried after
// Discover returned (when storing its snapshot failed).
const keptRuns = 2

// runCache keeps the per-guest answers of recent discoveries in memory.
//
// A discovery heartbeats its run ID with its counts; a retry of the activity
// resumes that ID and skips the guests whose config and addresses this
// worker already read, taking their answers from here. The heartbeat cannot
// carry the answers themselves (it must stay small) and a list of finished
// guests alone would not do: a guest reported without its interfaces and
// disks would make them look deleted. So a retry that lands on another
// worker, which has no answers for the run, reads every guest again; the
// snapshot is the same either way, only the cost differs.
type runCache struct {
	mu   sync.Mutex
	runs []*run
}

// run holds the guest answers of one discovery, by guest id.
type run struct {
	id     string
	mu     sync.Mutex
	guests map[string]*guestDetail
}

// begin returns the run to use: the resumed one when this worker has it, a
// fresh one under the resumed ID when it has not, a new one otherwise.
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
	id := resumeID
	if !resumed || id == "" {
		id = rand.Text()[:16]
	}
	r := &run{id: id, guests: map[string]*guestDetail{}}
	c.runs = append(c.runs, r)
	if len(c.runs) > keptRuns {
		c.runs = append([]*run(nil), c.runs[len(c.runs)-keptRuns:]...)
	}
	return r
}

func (r *run) get(id string) (*guestDetail, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.guests[id]
	return d, ok
}

func (r *run) put(id string, d *guestDetail) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.guests[id] = d
}
