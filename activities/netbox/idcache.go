package netbox

import "sync"

// idCache maps the record keys of one plan to the NetBox IDs a worker
// learned while applying it: from the answers of its bulk creates and from
// its lookups by agent_id. A batch's references then cost a lookup only for
// what no earlier batch on this worker made or read. It keeps the two most
// recent plans: one being applied, and one a late retry may still touch.
type idCache struct {
	mu    sync.Mutex
	plans []planIDs
}

type planIDs struct {
	plan string
	ids  map[Ref]int64
}

const cachedPlans = 2

func (c *idCache) get(plan string, r Ref) (int64, bool) {
	if plan == "" {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.plans {
		if p.plan == plan {
			id, ok := p.ids[r]
			return id, ok
		}
	}
	return 0, false
}

func (c *idCache) put(plan string, r Ref, id int64) {
	if plan == "" || id <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.plans {
		if p.plan == plan {
			p.ids[r] = id
			return
		}
	}
	if len(c.plans) == cachedPlans {
		c.plans = c.plans[1:]
	}
	c.plans = append(c.plans, planIDs{plan: plan, ids: map[Ref]int64{r: id}})
}

func (c *idCache) drop(plan string, r Ref) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.plans {
		if p.plan == plan {
			delete(p.ids, r)
		}
	}
}
