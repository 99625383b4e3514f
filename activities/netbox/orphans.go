package netbox

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// planOrphans marks, and after the grace period deletes, objects tagged
// netbox-agent that no record claims, for the sources that succeeded in
// this run, kind by kind as the mass-delete guard lets them through. An
// object in a gap, a part its source could not see, is kept as NetBox has
// it and counted in the plan's Kept. Shared kinds are never orphaned.
func (p *planner) planOrphans() {
	holds := p.holdingKept()
	notChecked := map[string]int{}
	var cands []candidate
	for _, s := range specOrder {
		if s.Kind.Shared() {
			continue
		}
		first := len(cands)
		// Most objects are reported: only the candidates are put in ID order.
		for _, o := range p.objs[s.Kind].byID {
			if !o.Agent || o.Ignore || p.reported(o.AgentID) {
				continue
			}
			if _, held := p.claimed[s.Kind][o.ID]; held {
				continue
			}
			if !p.sources[o.Source] {
				notChecked[o.Source]++
				continue
			}
			if g, in := p.gaps.find(s.Kind, o.AgentID, o.Source); in {
				p.keep(s.Kind, g)
				continue
			}
			if g, in := holds[o.AgentID]; in && o.Orphan && o.OrphanedSince != "" {
				// deleting it would take the kept objects with it
				p.keep(s.Kind, gapOf{source: g.source, gap: inventory.Gap{Why: "holds objects not seen: " + g.gap.Why}})
				continue
			}
			cands = append(cands, candidate{spec: s, obj: o})
		}
		slices.SortFunc(cands[first:], func(a, b candidate) int { return cmp.Compare(a.obj.ID, b.obj.ID) })
	}
	blocked := p.guard(cands)
	holdsBlocked := holdingBlocked(cands, blocked)
	for _, c := range cands {
		o := c.obj
		if blocked[guardKey{o.Source, c.spec.Kind}] {
			continue
		}
		if holdsBlocked[o.AgentID] && o.Orphan && o.OrphanedSince != "" {
			// deleting it would take with it objects the guard keeps
			p.heldByGuard(c.spec.Kind, o)
			continue
		}
		p.orphan(c.spec, o)
	}
	for _, name := range sortedKeys(notChecked) {
		why := "not part of this run"
		if succeeded, ok := p.sources[name]; ok && !succeeded {
			why = "failed in this run"
		}
		label := name
		if label == "" {
			label = "(none)"
		}
		p.finding("", "", 0, fmt.Sprintf("source %s %s: %d objects not checked for orphans", label, why, notChecked[name]))
	}
	p.plan.Kept = p.keptList()
}

// reported reports whether a record of the run has key, as its key or as
// one of its aliases.
func (p *planner) reported(key string) bool {
	if _, ok := p.recs[key]; ok {
		return true
	}
	_, ok := p.alias[key]
	return ok
}

// holdingKept finds the keys of the objects that hold an object kept in a
// gap (its interface, its virtual machine): NetBox deletes an interface's
// addresses with it, so such an orphan is marked but not deleted.
func (p *planner) holdingKept() map[string]gapOf {
	holds := map[string]gapOf{}
	for _, s := range specOrder {
		if s.Kind.Shared() {
			continue
		}
		for _, o := range p.objs[s.Kind].byID {
			if !o.Agent || o.Ignore || p.reported(o.AgentID) || !p.sources[o.Source] {
				continue
			}
			g, in := p.gaps.find(s.Kind, o.AgentID, o.Source)
			if !in {
				continue
			}
			for k := o.AgentID; ; {
				i := strings.LastIndexByte(k, '/')
				if i < 0 {
					break
				}
				k = k[:i]
				holds[k] = g
			}
		}
	}
	return holds
}

// holdingBlocked finds the keys of the objects that hold an orphan of a
// kind the guard blocked: NetBox deletes a device's interfaces with it, so
// such an orphan is marked but not deleted.
func holdingBlocked(cands []candidate, blocked map[guardKey]bool) map[string]bool {
	holds := map[string]bool{}
	if len(blocked) == 0 {
		return holds
	}
	for _, c := range cands {
		if !blocked[guardKey{c.obj.Source, c.spec.Kind}] {
			continue
		}
		for k := c.obj.AgentID; ; {
			i := strings.LastIndexByte(k, '/')
			if i < 0 {
				break
			}
			k = k[:i]
			holds[k] = true
		}
	}
	return holds
}

// heldByGuard leaves an orphan past its grace period as it is, because it
// holds objects whose orphaning the guard blocked, and says so.
func (p *planner) heldByGuard(k inventory.Kind, o *object) {
	c := p.plan.Summary.Kinds[k]
	c.Unchanged++
	p.plan.Summary.Kinds[k] = c
	p.finding(k, o.AgentID, o.ID, "orphan not deleted: it holds objects whose orphaning the mass-delete guard blocked")
}

// orphan plans the mark or the delete of one orphan.
func (p *planner) orphan(s *kindSpec, o *object) {
	c := p.plan.Summary.Kinds[s.Kind]
	defer func() { p.plan.Summary.Kinds[s.Kind] = c }()
	if o.Orphan && o.OrphanedSince != "" {
		since, err := time.Parse(dateLayout, dateOf(o.OrphanedSince))
		if err == nil && p.cfg.OrphanGrace > 0 && !p.now.Before(since.Add(p.cfg.OrphanGrace)) {
			c.Delete++
			p.add(s.Kind, OpDelete, PhaseMain, Operation{Key: o.AgentID, ID: o.ID, Name: o.name(),
				Reason:      fmt.Sprintf("orphaned since %s, grace of %s over", dateOf(o.OrphanedSince), days(p.cfg.OrphanGrace)),
				LastUpdated: o.LastUpdated, OrphanedSince: dateOf(o.OrphanedSince)})
			return
		}
		if err == nil {
			c.Unchanged++
			return
		}
	}
	fields := map[string]any{}
	cf := map[string]any{CFOrphanedSince: p.today}
	var changes []Change
	if s.hasStatus() {
		if cur := current(s.field("status"), o.Raw); cur != s.OrphanStatus {
			fields["status"] = s.OrphanStatus
			changes = append(changes, Change{Field: "status", From: display(cur), To: s.OrphanStatus})
			// The agent's own write: not an operator's edit when it comes back.
			if o.Written != "" {
				w := newWrittenSet(o.Written)
				w.wrote("status", s.OrphanStatus)
				if v, ok := w.value(); ok {
					cf[CFAgentWritten] = v
				}
			}
		}
	}
	tags, _ := o.withTags([]tagRef{orphanTag})
	fields["tags"] = tags
	changes = append(changes, Change{Field: "tags", From: tagSlugs(o.Tags), To: tagSlugs(tags)})
	fields["custom_fields"] = cf
	changes = append(changes, Change{Field: "custom_fields." + CFOrphanedSince, From: emptyNil(o.OrphanedSince), To: p.today})
	c.Update++
	c.Orphaned++
	p.add(s.Kind, OpUpdate, PhaseMain, Operation{Key: o.AgentID, ID: o.ID, Name: o.name(),
		Fields: fields, Changes: changes, LastUpdated: o.LastUpdated, OrphanOf: o.Source,
		Reason: fmt.Sprintf("orphaned: source %s no longer reports it", o.Source)})
}

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// finish counts the outcomes and puts the operations into batches.
func (p *planner) finish() {
	for _, s := range specOrder {
		c := p.plan.Summary.Kinds[s.Kind]
		for _, st := range p.byKind[s.Kind] {
			switch st.outcome {
			case outCreate:
				c.Create++
			case outUpdate:
				c.Update++
			case outSkipped:
				c.Skipped++
			default:
				c.Unchanged++
			}
		}
		if c != (Counts{}) {
			p.plan.Summary.Kinds[s.Kind] = c
		} else {
			delete(p.plan.Summary.Kinds, s.Kind)
		}
	}
	for _, c := range p.plan.Summary.Kinds {
		p.plan.Summary.Total.add(c)
	}
	p.plan.Batches = batch(p.ops, p.cfg.BatchSize)
	for i := range p.plan.Batches {
		p.plan.Batches[i].Plan = p.now.Format(time.RFC3339Nano)
	}
	sort.SliceStable(p.plan.Findings, func(i, j int) bool {
		a, b := p.plan.Findings[i], p.plan.Findings[j]
		if a.Kind != b.Kind {
			return a.Kind.Order() < b.Kind.Order()
		}
		return a.Key < b.Key
	})
	p.plan.Summary.Adoptable = len(p.plan.Adoptable)
	sort.SliceStable(p.plan.Adoptable, func(i, j int) bool {
		a, b := p.plan.Adoptable[i], p.plan.Adoptable[j]
		if a.Kind != b.Kind {
			return a.Kind.Order() < b.Kind.Order()
		}
		return a.Key < b.Key
	})
	sort.SliceStable(p.plan.Ambiguous, func(i, j int) bool {
		a, b := p.plan.Ambiguous[i], p.plan.Ambiguous[j]
		if a.Kind != b.Kind {
			return a.Kind.Order() < b.Kind.Order()
		}
		return a.Key < b.Key
	})
}

// batch groups operations in apply order: creates and updates kind by kind
// in dependency order, late updates, then deletes in reverse order; each
// group cut into batches of size ops, never between two operations of one
// Group. A batch depends on the batches that create what its operations
// point to.
func batch(byGroup map[opGroup][]Operation, size int) []Batch {
	var order []opGroup
	for _, s := range specOrder {
		order = append(order, opGroup{s.Kind, OpCreate, PhaseMain}, opGroup{s.Kind, OpUpdate, PhaseMain})
	}
	for _, s := range specOrder {
		order = append(order, opGroup{s.Kind, OpUpdate, PhaseLate})
	}
	for i := len(specOrder) - 1; i >= 0; i-- {
		order = append(order, opGroup{specOrder[i].Kind, OpDelete, PhaseMain})
	}
	var out []Batch
	createdIn := map[string]int{}
	for _, g := range order {
		list := byGroup[g]
		sortOps(list)
		for start, end := 0, 0; start < len(list); start = end {
			end = min(start+size, len(list))
			for end < len(list) && list[end].Group != "" && list[end].Group == list[end-1].Group {
				end++
			}
			b := Batch{ID: len(out), Kind: g.kind, Op: g.op, Phase: g.phase, Ops: list[start:end:end]}
			deps := map[int]bool{}
			for _, o := range b.Ops {
				for _, r := range o.Refs {
					if id, ok := createdIn[r.Key]; ok {
						deps[id] = true
					}
				}
				if g.phase == PhaseLate && o.ID == 0 {
					if id, ok := createdIn[o.Key]; ok {
						deps[id] = true
					}
				}
				if g.op == OpCreate {
					createdIn[o.Key] = b.ID
				}
			}
			for id := range deps {
				b.DependsOn = append(b.DependsOn, id)
			}
			sort.Ints(b.DependsOn)
			out = append(out, b)
		}
	}
	return out
}
