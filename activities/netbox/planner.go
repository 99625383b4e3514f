package netbox

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// recStatus is where a record stands in planning.
type recStatus int

const (
	recPending   recStatus = iota
	recBound               // matched to an existing NetBox object
	recNew                 // to be created
	recAmbiguous           // several objects tie: left alone
	recSkipped             // cannot be planned: invalid, or a required reference is missing
	// recHeld records wait for an operator (adopt: report): matched to an
	// object made by hand, or referring to a record that is.
	recHeld
)

// recState is one record's progress through the planner.
type recState struct {
	rec    *record
	spec   *kindSpec
	status recStatus
	obj    *object
	how    string // how it was matched: agent_id, serial, MAC, natural key
	// matchValue is the value that matched: the serial, the MACs, the
	// natural key's values.
	matchValue string
	// heldBy are the records matched to hand-made objects that a held
	// record waits for: itself when it is one.
	heldBy []*recState
	// writable is false for objects the agent must leave alone (agent-ignore,
	// hand-made and not adopted); their IDs still serve references.
	writable    bool
	mainUpdated bool
	outcome     outcome
	// written is the main update's agent_written, and mainCF that
	// update's custom fields when it writes agent_written: the late
	// update of the same object reads and amends them.
	written *writtenSet
	mainCF  map[string]any
}

type outcome int

const (
	outUnchanged outcome = iota
	outCreate
	outUpdate
	outSkipped
)

// child is a record that references a parent through attr.
type child struct {
	st   *recState
	attr string
}

// planner builds one Plan; it lives for one Plan call.
type planner struct {
	cfg      Config
	f        fetcher
	now      time.Time
	today    string
	recs     map[string]*recState // by canonical key
	alias    map[string]string    // alias -> canonical key
	byKind   map[inventory.Kind][]*recState
	children map[string][]child // canonical parent key -> records referencing it
	objs     map[inventory.Kind]*objectSet
	claimed  map[inventory.Kind]map[int64]*recState
	macs     map[string][]*object // canonical MAC -> MAC address objects
	macRead  map[string]bool
	sources  map[string]bool // source name -> succeeded in this run
	gaps     gapIndex
	baseline Baseline     // by source and kind, from the last applied run
	allow    []string     // the mass-delete guard's let-through list
	kept     map[Kept]int // by source, kind and reason, Count zero
	mappings map[inventory.Kind][]CustomFieldMapping
	plan     *Plan
	ops      map[opGroup][]Operation
	facts    netboxFacts
}

// netboxFacts is what the planner knows of the connected NetBox: its
// release, and the values its choice fields take.
type netboxFacts struct {
	version Version
	// choices holds each endpoint's choice sets; an endpoint missing from
	// it is one NetBox did not say, whose values are not checked.
	choices map[string]choiceSet
}

// opGroup is what the operations of one run of batches share.
type opGroup struct {
	kind  inventory.Kind
	op    Op
	phase Phase
}

// buildPlan is Plan on any fetcher, so that tests and benchmarks can plan
// against objects in memory.
func buildPlan(ctx context.Context, f fetcher, cfg Config, req PlanRequest, facts netboxFacts) (*Plan, error) {
	recs, err := readRecords(req)
	if err != nil {
		return nil, err
	}
	lists := newKindLists(ctx, f, specOrder)
	defer lists.close()
	return planRecords(ctx, lists, cfg, req, recs, facts)
}

// planRecords plans recs, the request's records as readRecords reads them,
// reading NetBox's lists through lists.
func planRecords(ctx context.Context, lists *kindLists, cfg Config, req PlanRequest, recs []record, facts netboxFacts) (*Plan, error) {
	p := newPlanner(lists.f, cfg, req, recs)
	p.facts = facts
	p.plan.NetBoxVersion = facts.version.String()
	for _, s := range lists.specs {
		raws, err := lists.take(ctx)
		if err == nil {
			err = p.planKind(ctx, s, raws)
		}
		if err != nil {
			return nil, fmt.Errorf("plan %s: %w", s.Kind, err)
		}
	}
	p.planLate()
	p.planOrphans()
	p.finish()
	return p.plan, nil
}

func newPlanner(f fetcher, cfg Config, req PlanRequest, recs []record) *planner {
	now := req.Now.UTC()
	p := &planner{
		cfg:      cfg,
		f:        f,
		now:      now,
		today:    now.Format(dateLayout),
		recs:     make(map[string]*recState, len(recs)),
		alias:    make(map[string]string),
		byKind:   make(map[inventory.Kind][]*recState),
		children: make(map[string][]child),
		objs:     make(map[inventory.Kind]*objectSet),
		claimed:  make(map[inventory.Kind]map[int64]*recState),
		macs:     make(map[string][]*object),
		macRead:  make(map[string]bool),
		sources:  req.Sources,
		gaps:     newGapIndex(req.Gaps),
		baseline: req.Baseline,
		allow:    req.AllowDeletes,
		kept:     map[Kept]int{},
		mappings: make(map[inventory.Kind][]CustomFieldMapping),
		ops:      make(map[opGroup][]Operation),
		plan:     &Plan{CreatedAt: now, Summary: Summary{Kinds: map[inventory.Kind]Counts{}}},
	}
	for _, m := range cfg.CustomFields {
		for _, k := range m.Kinds {
			p.mappings[k] = append(p.mappings[k], m)
		}
	}
	for _, s := range specOrder {
		p.objs[s.Kind] = &objectSet{byID: make(map[int64]*object)}
		p.claimed[s.Kind] = make(map[int64]*recState)
	}
	states := make([]recState, len(recs))
	for i := range recs {
		r := &recs[i]
		spec := specFor(r.Kind)
		if spec == nil {
			p.finding(r.Kind, r.Key, 0, "kind not written to NetBox")
			continue
		}
		if _, dup := p.recs[r.Key]; dup {
			p.finding(r.Kind, r.Key, 0, "duplicate key: later record ignored")
			continue
		}
		st := &states[i]
		*st = recState{rec: r, spec: spec}
		p.recs[r.Key] = st
		p.byKind[r.Kind] = append(p.byKind[r.Kind], st)
	}
	for _, st := range p.recs {
		for _, a := range st.rec.Aliases {
			if _, isKey := p.recs[a]; !isKey && a != "" {
				if other, taken := p.alias[a]; !taken || st.rec.Key < other {
					p.alias[a] = st.rec.Key
				}
			}
		}
	}
	for _, list := range p.byKind {
		sort.Slice(list, func(i, j int) bool { return list[i].rec.Key < list[j].rec.Key })
		for _, st := range list {
			for i := range st.rec.refs {
				ref := &st.rec.refs[i]
				if t, ok := p.recs[ref.key]; ok {
					ref.key = t.rec.Key // one copy of each key
				}
				if k := p.canonical(ref.key); k != "" {
					p.children[k] = append(p.children[k], child{st: st, attr: ref.field})
				}
			}
		}
	}
	return p
}

// canonical returns the key a reference resolves to, or "".
func (p *planner) canonical(key string) string {
	if _, ok := p.recs[key]; ok {
		return key
	}
	return p.alias[key]
}

// lookup returns the record a key or alias names.
func (p *planner) lookup(key string) *recState {
	return p.recs[p.canonical(key)]
}

// childrenOf returns the records of kind k that reference key through attr.
func (p *planner) childrenOf(key string, k inventory.Kind, attr string) []*recState {
	var out []*recState
	for _, c := range p.children[key] {
		if c.st.rec.Kind == k && c.attr == attr {
			out = append(out, c.st)
		}
	}
	return out
}

func (p *planner) finding(k inventory.Kind, key string, id int64, reason string) {
	p.plan.Findings = append(p.plan.Findings, Finding{Kind: k, Key: key, ID: id, Reason: reason})
}

func (p *planner) skip(st *recState, reason string) {
	st.status = recSkipped
	st.outcome = outSkipped
	p.finding(st.rec.Kind, st.rec.Key, 0, reason)
}

func (p *planner) ambiguous(st *recState, reason string, ids []int64) {
	st.status = recAmbiguous
	st.outcome = outSkipped
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	p.plan.Ambiguous = append(p.plan.Ambiguous, Finding{Kind: st.rec.Kind, Key: st.rec.Key, Reason: reason, Candidates: ids})
}

// bind matches st to o, unless another record holds o already; value is
// what matched.
func (p *planner) bind(st *recState, o *object, how, value string) {
	if other, ok := p.claimed[st.spec.Kind][o.ID]; ok && other != st {
		p.ambiguous(st, fmt.Sprintf("matched by %s an object already matched to %s", how, other.rec.Key), []int64{o.ID})
		return
	}
	st.status = recBound
	st.obj = o
	st.how, st.matchValue = how, value
	p.claimed[st.spec.Kind][o.ID] = st
}

// planKind matches and diffs the records of one kind against raws, its
// main list (kindLists).
func (p *planner) planKind(ctx context.Context, s *kindSpec, raws []map[string]any) error {
	set := p.objs[s.Kind]
	for _, r := range raws {
		set.add(r)
	}
	recs := p.byKind[s.Kind]
	for _, st := range recs {
		if st.rec.invalid != "" {
			p.skip(st, "invalid record: "+st.rec.invalid)
		}
	}
	p.matchByAgentID(s, recs)
	if s.MatchSerial {
		if err := p.matchBySerial(ctx, s, recs); err != nil {
			return err
		}
	}
	if s.MatchMAC {
		if err := p.matchByMAC(ctx, s, recs); err != nil {
			return err
		}
	}
	if err := p.matchByNaturalKey(ctx, s, recs); err != nil {
		return err
	}
	creates := 0
	for _, st := range recs {
		if st.status == recPending {
			st.status = recNew
			creates++
		}
	}
	p.reserve(s.Kind, OpCreate, PhaseMain, creates)
	for _, st := range recs {
		p.diffMain(st)
	}
	return nil
}

// pending returns the records of recs still unmatched.
func pending(recs []*recState) []*recState {
	var out []*recState
	for _, st := range recs {
		if st.status == recPending {
			out = append(out, st)
		}
	}
	return out
}

// matchByAgentID binds records to the objects that carry their key (or an
// alias) as agent_id.
func (p *planner) matchByAgentID(s *kindSpec, recs []*recState) {
	byAgentID := make(map[string][]*object, len(p.objs[s.Kind].byID))
	for _, o := range p.objs[s.Kind].byID {
		if o.AgentID != "" {
			byAgentID[o.AgentID] = append(byAgentID[o.AgentID], o)
		}
	}
	for _, objs := range byAgentID {
		if len(objs) > 1 {
			slices.SortFunc(objs, func(a, b *object) int { return cmp.Compare(a.ID, b.ID) })
		}
	}
	for _, st := range pending(recs) {
		var cands []*object
		seen := map[int64]bool{}
		for _, k := range append([]string{st.rec.Key}, st.rec.Aliases...) {
			for _, o := range byAgentID[k] {
				if !seen[o.ID] {
					seen[o.ID] = true
					cands = append(cands, o)
				}
			}
		}
		p.decide(st, cands, "agent_id", "")
	}
}

// decide binds st when exactly one candidate is left and reports a tie;
// value is what matched (a serial, MACs), for reports.
func (p *planner) decide(st *recState, cands []*object, how, value string) bool {
	switch len(cands) {
	case 0:
		return false
	case 1:
		p.bind(st, cands[0], how, value)
	default:
		ids := make([]int64, len(cands))
		for i, o := range cands {
			ids[i] = o.ID
		}
		p.ambiguous(st, fmt.Sprintf("%d objects match by %s", len(cands), how), ids)
	}
	return true
}

// matchBySerial binds devices by serial number.
func (p *planner) matchBySerial(ctx context.Context, s *kindSpec, recs []*recState) error {
	var serials []string
	want := pending(recs)
	for _, st := range want {
		if sn := st.rec.String("serial"); sn != "" {
			serials = append(serials, sn)
		}
	}
	if len(serials) == 0 {
		return nil
	}
	if err := p.fetchIn(ctx, s, "serial", serials); err != nil {
		return err
	}
	bySerial := make(map[string][]*object)
	for _, o := range p.objs[s.Kind].sorted() {
		if sn, _ := o.Raw["serial"].(string); sn != "" && !inventory.IsPlaceholderSerial(sn) {
			bySerial[sn] = append(bySerial[sn], o)
		}
	}
	for _, st := range want {
		if sn := st.rec.String("serial"); sn != "" {
			p.decide(st, bySerial[sn], "serial", sn)
		}
	}
	return nil
}

// fetchIn reads the objects whose param is one of values into the kind's
// set; shared kinds are read whole already.
func (p *planner) fetchIn(ctx context.Context, s *kindSpec, param string, values []string) error {
	if s.FetchAll || len(values) == 0 {
		return nil
	}
	if s.Kind == inventory.KindMACAddress && param == "mac_address" {
		return p.readMACs(ctx, values) // shares what MAC matching read already
	}
	values = uniqueSorted(values)
	raws, err := listIn(ctx, p.f, s, nil, param, values)
	if err != nil {
		return err
	}
	set := p.objs[s.Kind]
	for _, r := range raws {
		set.add(r)
	}
	return nil
}

func uniqueSorted(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
