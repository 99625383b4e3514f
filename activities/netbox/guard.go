package netbox

import (
	"fmt"
	"sort"
	"strings"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Baseline counts, by source and kind, the objects each source had in
// NetBox after the last run that applied its plan: the mass-delete guard
// judges a run's drop against it. It is kept between runs by the caller.
type Baseline map[string]map[inventory.Kind]int

// GuardEntry is the mass-delete guard's reckoning for one source and kind.
type GuardEntry struct {
	Source string         `json:"source"`
	Kind   inventory.Kind `json:"kind"`
	// Baseline is the count the run is judged against: the larger of
	// Stored and Live.
	Baseline int `json:"baseline"`
	// Stored is the count the last run that applied its plan left; 0 when
	// none was kept (a first run).
	Stored int `json:"stored,omitempty"`
	// Live counts the source's objects of the kind NetBox holds, not
	// marked as orphans, before this run.
	Live int `json:"live"`
	// Present counts what the source still has: the records it reports
	// and the objects kept because it could not see them.
	Present int `json:"present"`
	// Orphans counts the live objects this run would mark as orphans.
	Orphans int `json:"orphans"`
	// Lost is the drop the guard judges: the larger of Orphans and
	// Baseline-Present.
	Lost int `json:"lost"`
	// Blocked is set when the drop is over the limits and was not let
	// through: nothing of the source's kind is marked or deleted.
	Blocked bool `json:"blocked,omitempty"`
	// Allowed is set when the drop is over the limits and the run let it
	// through (PlanRequest.AllowDeletes).
	Allowed bool `json:"allowed,omitempty"`
	// Reason says which limit the drop is over.
	Reason string `json:"reason,omitempty"`
}

// String reads the entry in one line.
func (g GuardEntry) String() string {
	what := fmt.Sprintf("%s %s: %s", g.Source, g.Kind, g.Reason)
	switch {
	case g.Blocked:
		return what + ": orphaning blocked"
	case g.Allowed:
		return what + ": let through for this run"
	}
	return what
}

// Over says whether the entry's drop was over the limits.
func (g GuardEntry) Over() bool { return g.Blocked || g.Allowed }

// LetThrough reads, a line each, the guard entries whose drop over the
// limits the run let through.
func (p *Plan) LetThrough() []string {
	var out []string
	for _, e := range p.Guard {
		if e.Allowed {
			out = append(out, e.String())
		}
	}
	return out
}

// guardKey names a source's kind.
type guardKey struct {
	source string
	kind   inventory.Kind
}

// candidate is an object planOrphans would mark or delete.
type candidate struct {
	spec *kindSpec
	obj  *object
}

// guard is the mass-delete guard: for each source that succeeded and each
// kind, it judges the drop against the baseline and answers the source's
// kinds whose orphaning is blocked. A sudden drop is more often a broken
// source than a decommissioned fleet. Objects in gaps are neither counted
// as lost nor as orphans.
func (p *planner) guard(cands []candidate) map[guardKey]bool {
	live, present := map[guardKey]int{}, map[guardKey]int{}
	for _, s := range specOrder {
		if s.Kind.Shared() {
			continue
		}
		for _, o := range p.objs[s.Kind].byID {
			if !o.Agent || o.Orphan || o.Source == "" || !p.sources[o.Source] {
				continue
			}
			k := guardKey{o.Source, s.Kind}
			live[k]++
			if _, held := p.claimed[s.Kind][o.ID]; held || p.reported(o.AgentID) {
				continue
			}
			if _, in := p.gaps.find(s.Kind, o.AgentID, o.Source); in {
				present[k]++
			}
		}
	}
	for _, st := range p.recs {
		if !st.rec.Kind.Shared() && p.sources[st.rec.Source] {
			present[guardKey{st.rec.Source, st.rec.Kind}]++
		}
	}
	orphans := map[guardKey]int{}
	for _, c := range cands {
		if !c.obj.Orphan || c.obj.OrphanedSince == "" {
			orphans[guardKey{c.obj.Source, c.spec.Kind}]++
		}
	}
	blocked := map[guardKey]bool{}
	for _, k := range p.guardKeys(live, present) {
		e := p.judge(k, live[k], present[k], orphans[k])
		if e.Blocked {
			blocked[k] = true
		}
		p.plan.Guard = append(p.plan.Guard, e)
		if e.Blocked {
			p.plan.Blocked = append(p.plan.Blocked, e.String())
		}
	}
	return blocked
}

// guardKeys lists, sorted, the kinds of the sources that succeeded that
// have a baseline or objects.
func (p *planner) guardKeys(live, present map[guardKey]int) []guardKey {
	seen := map[guardKey]bool{}
	for k := range live {
		seen[k] = true
	}
	for k := range present {
		seen[k] = true
	}
	for src, kinds := range p.baseline {
		if !p.sources[src] {
			continue
		}
		for kind, n := range kinds {
			if n > 0 && kind.Valid() && !kind.Shared() {
				seen[guardKey{src, kind}] = true
			}
		}
	}
	keys := make([]guardKey, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].source != keys[j].source {
			return keys[i].source < keys[j].source
		}
		return keys[i].kind.Order() < keys[j].kind.Order()
	})
	return keys
}

// judge weighs one source's kind: blocked when more than MassDeleteMax
// objects would go, or more than MassDeleteFloor and more than the share
// MassDeleteThreshold of the baseline.
func (p *planner) judge(k guardKey, live, present, orphans int) GuardEntry {
	limit, floor, threshold := p.cfg.MassDeleteMax, p.cfg.MassDeleteFloor, p.cfg.MassDeleteThreshold
	if limit <= 0 {
		limit = DefaultMassDeleteMax
	}
	if floor <= 0 {
		floor = DefaultMassDeleteFloor
	}
	if threshold <= 0 {
		threshold = DefaultMassDeleteThreshold
	}
	stored := p.baseline[k.source][k.kind]
	e := GuardEntry{Source: k.source, Kind: k.kind, Stored: stored, Live: live, Present: present,
		Orphans: orphans, Baseline: max(stored, live)}
	e.Lost = max(orphans, e.Baseline-present)
	from := "NetBox holds"
	if stored >= live && stored > 0 {
		from = "the last applied run left"
	}
	share := 0.0
	if e.Baseline > 0 {
		share = float64(e.Lost) / float64(e.Baseline)
	}
	switch {
	case e.Lost > limit:
		e.Reason = fmt.Sprintf("would lose %d of %d (%s %d), more than mass_delete_max %d",
			e.Lost, e.Baseline, from, e.Baseline, limit)
	case e.Lost > floor && float64(e.Lost) > threshold*float64(e.Baseline):
		e.Reason = fmt.Sprintf("would lose %d of %d (%s %d), %.0f%%, more than mass_delete_threshold %.0f%%",
			e.Lost, e.Baseline, from, e.Baseline, 100*share, 100*threshold)
	default:
		return e
	}
	if allows(p.allow, k) {
		e.Allowed = true
	} else {
		e.Blocked = true
	}
	return e
}

// allows says whether the let-through list names the source's kind: an
// entry is "*", a source name, or "source/kind".
func allows(list []string, k guardKey) bool {
	for _, a := range list {
		if a == "*" || a == k.source || a == k.source+"/"+string(k.kind) {
			return true
		}
	}
	return false
}

// ParseAllowDeletes checks a let-through list: each entry is "*", a source
// name, or "source/kind" with a kind the agent orphans.
func ParseAllowDeletes(list []string) error {
	var bad []string
	for _, a := range list {
		src, kind, hasKind := strings.Cut(a, "/")
		switch {
		case a == "*":
		case src == "" || strings.ContainsAny(src, "* "):
			bad = append(bad, fmt.Sprintf("%q: want *, a source name, or source/kind", a))
		case hasKind && (!inventory.Kind(kind).Valid() || inventory.Kind(kind).Shared()):
			bad = append(bad, fmt.Sprintf("%q: %q is not a kind the agent orphans", a, kind))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("allow deletes: %s", strings.Join(bad, "; "))
	}
	return nil
}

// NextBaseline is the baseline a run that applied its plan leaves, from
// the one before it and the plan's guard entries: a kind whose drop over
// the limits was let through falls to what is present; every other kind
// keeps the larger of its baseline and what is present, so that it rises
// with the source and never falls with a drop inside the limits, and a
// slow erosion adds up until it is over them. Sources the plan has no
// entries for keep theirs.
func NextBaseline(prev Baseline, entries []GuardEntry) Baseline {
	out := Baseline{}
	for src, kinds := range prev {
		for kind, n := range kinds {
			out.set(src, kind, n)
		}
	}
	for _, e := range entries {
		if e.Allowed {
			out.set(e.Source, e.Kind, e.Present)
			continue
		}
		out.set(e.Source, e.Kind, max(e.Baseline, e.Present))
	}
	return out
}

// set writes one count; a count of zero is no baseline.
func (b Baseline) set(src string, kind inventory.Kind, n int) {
	if n <= 0 {
		if b[src] != nil {
			delete(b[src], kind)
			if len(b[src]) == 0 {
				delete(b, src)
			}
		}
		return
	}
	if b[src] == nil {
		b[src] = map[inventory.Kind]int{}
	}
	b[src][kind] = n
}
