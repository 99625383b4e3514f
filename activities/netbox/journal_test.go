package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
	"github.com/netbox-agent/netbox-agent/test/netboxsim/nbsim"
)

// journalRun is the run the journal tests apply in.
var journalRun = Run{ID: "nightly/run-1"}

// journalSim is an emulated NetBox whose answers fail may replace: a
// request for which it returns a status other than 0 is answered with
// that status, after the emulator handled it when after is set (an answer
// lost on the way back).
type journalSim struct {
	sim   *nbsim.Server
	c     *Client
	fail  atomic.Pointer[func(r *http.Request) (status int, after bool)]
	posts atomic.Int64 // journal entry POSTs NetBox handled
}

func newJournalSim(t *testing.T) *journalSim {
	t.Helper()
	js := &journalSim{sim: nbsim.New(nbsim.Options{Token: simToken, Seed: 1})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, after := 0, false
		if f := js.fail.Load(); f != nil {
			status, after = (*f)(r)
		}
		if status != 0 && !after {
			http.Error(w, `{"detail":"injected"}`, status)
			return
		}
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/"+journalEndpoint) {
			js.posts.Add(1)
		}
		if status != 0 {
			js.sim.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, `{"detail":"injected"}`, status)
			return
		}
		js.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.URL = srv.URL
	c, err := NewClient(cfg, simToken, zap.NewNop())
	require.NoError(t, err)
	c.retryBase = time.Millisecond
	js.c = c
	require.NoError(t, c.EnsureSchema(context.Background()))
	return js
}

func (js *journalSim) failWith(f func(r *http.Request) (int, bool)) { js.fail.Store(&f) }

// roundTrip is p as the Apply activity reads it: through JSON, from the
// blob store.
func roundTrip(t *testing.T, p *Plan) *Plan {
	t.Helper()
	data, err := json.Marshal(p)
	require.NoError(t, err)
	var out Plan
	require.NoError(t, json.Unmarshal(data, &out))
	return &out
}

// applyJournaled applies every batch of p with the journal on, once each.
func (js *journalSim) applyJournaled(t *testing.T, p *Plan) []BatchResult {
	t.Helper()
	var out []BatchResult
	for _, b := range p.Batches {
		res, err := js.c.Apply(context.Background(), ApplyRequest{Plan: p, Batch: b.ID, Run: journalRun, Journal: true})
		require.NoError(t, err, "batch %d", b.ID)
		out = append(out, res)
	}
	return out
}

// entries reads the journal entries of one object.
func (js *journalSim) entries(t *testing.T, k inventory.Kind, id int64) []map[string]any {
	t.Helper()
	q := url.Values{"assigned_object_type": {specFor(k).ObjectType}, "assigned_object_id": {fmt.Sprint(id)}}
	out, err := js.c.listPath(context.Background(), journalEndpoint, q)
	require.NoError(t, err)
	return out
}

// allEntries counts the journal entries in NetBox by object.
func (js *journalSim) allEntries(t *testing.T) map[string]int {
	t.Helper()
	out, err := js.c.listPath(context.Background(), journalEndpoint, nil)
	require.NoError(t, err)
	n := map[string]int{}
	for _, e := range out {
		n[fmt.Sprintf("%v:%v", e["assigned_object_type"], e["assigned_object_id"])]++
	}
	return n
}

// withOrigins gives every record's fields its own source as origin, and
// the device pve1's serial the source "nas", as a merge of two sources
// would.
func withOrigins(recs []inventory.Record) []inventory.Record {
	for i := range recs {
		r := &recs[i]
		r.Origin = map[string]string{}
		for f := range r.Attrs {
			r.Origin[f] = r.Source
		}
		for f := range r.Refs {
			r.Origin[f] = r.Source
		}
		if r.Key == pve1 {
			r.Origin["serial"] = "nas"
		}
	}
	return recs
}

func comments(e map[string]any) string {
	s, _ := e["comments"].(string)
	return s
}

func TestJournalEntriesNameRunBatchValuesAndSources(t *testing.T) {
	js := newJournalSim(t)
	recs := withOrigins(labInventory("lab", 1, 1))
	p := planRetry(t, js.c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	var devCreate *Batch
	for i := range p.Batches {
		if b := &p.Batches[i]; b.Kind == inventory.KindDevice && b.Op == OpCreate {
			devCreate = b
		}
	}
	require.NotNil(t, devCreate)
	assert.Equal(t, "nas", devCreate.Ops[0].Sources["serial"], "the plan keeps each field's source")
	assert.Equal(t, "lab", devCreate.Ops[0].Sources["name"])

	res := js.applyJournaled(t, roundTrip(t, p))
	tot := totals(res)
	assert.Empty(t, tot.Problems)
	assert.Equal(t, tot.Created+tot.Updated, tot.Journaled, "every object written has its entry")

	dev := find(js.sim, inventory.KindDevice, "name", "pve1")
	entries := js.entries(t, inventory.KindDevice, idOf(dev))
	require.Len(t, entries, 2, "the create and the late update of its primary IP")
	created, late := comments(entries[0]), comments(entries[1])
	if strings.Contains(created, "Updated") {
		created, late = late, created
	}
	for _, e := range entries {
		assert.Equal(t, "info", e["kind"].(map[string]any)["value"])
	}
	assert.True(t, strings.HasPrefix(created, fmt.Sprintf("netbox-agent run `nightly/run-1` batch %04d\n", devCreate.ID)), created)
	assert.Contains(t, created, "| serial | `SN0001` | nas |")
	assert.Contains(t, created, "| name | `pve1` | lab |")
	assert.Contains(t, created, "| custom_fields.agent_id | `"+pve1+"` | netbox-agent |")
	assert.NotContains(t, created, CFAgentWritten, "the hashes say nothing to a reader")
	assert.Contains(t, late, "| primary_ip4 |")
	golden(t, "journal/create-device.md", []byte(created))

	// The next run changes the description and the serial.
	changed := edit(edit(clone(recs), pve1, "description", "rack 3"), pve1, "serial", "SN9999")
	for i := range changed {
		if changed[i].Key == pve1 {
			changed[i].Origin["description"] = "nas"
		}
	}
	p2 := planRetry(t, js.c, PlanRequest{Records: changed, Sources: ok("lab"), Now: day0})
	require.Equal(t, 1, p2.Operations())
	res = js.applyJournaled(t, roundTrip(t, p2))
	assert.Equal(t, 1, totals(res).Journaled)
	entries = js.entries(t, inventory.KindDevice, idOf(dev))
	require.Len(t, entries, 3)
	var updated string
	for _, e := range entries {
		if c := comments(e); strings.Contains(c, "rack 3") {
			updated = c
		}
	}
	assert.Contains(t, updated, "Updated device `pve1`")
	assert.Contains(t, updated, "| description | `rack 3` | — | nas |", "new value, no old one, its source")
	assert.Contains(t, updated, "| serial | `SN9999` | `SN0001` | nas |", "new value, old value, its source")
	golden(t, "journal/update-device.md", []byte(updated))
}

func TestJournalEntryOnOrphanMarkAndNoneOnDelete(t *testing.T) {
	js := newJournalSim(t)
	recs := withOrigins(labInventory("lab", 1, 1))
	js.applyJournaled(t, planRetry(t, js.c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}))
	vm := find(js.sim, inventory.KindVirtualMachine, "name", "vm1-1")
	before := len(js.entries(t, inventory.KindVirtualMachine, idOf(vm)))

	gone := without(recs, "fs/lab/vm/vm1-1")
	p := planRetry(t, js.c, PlanRequest{Records: gone, Sources: ok("lab"), Now: day0.Add(24 * time.Hour)})
	res := js.applyJournaled(t, roundTrip(t, p))
	assert.Empty(t, totals(res).Problems)
	entries := js.entries(t, inventory.KindVirtualMachine, idOf(vm))
	require.Len(t, entries, before+1)
	var mark map[string]any
	for _, e := range entries {
		if strings.Contains(comments(e), "orphan") {
			mark = e
		}
	}
	require.NotNil(t, mark, "an entry on the orphan mark")
	assert.Equal(t, "warning", mark["kind"].(map[string]any)["value"])
	assert.Contains(t, comments(mark), "Marked as an orphan: source **lab** no longer reports virtual_machine `vm1-1`.")
	assert.Contains(t, comments(mark), "| tags | `agent-orphan, netbox-agent` | `netbox-agent` | netbox-agent |")
	golden(t, "journal/orphan-vm.md", []byte(comments(mark)))

	// Past the grace period the orphan goes, and its entries with it: no
	// entry is written on a delete.
	posts := js.posts.Load()
	p = planRetry(t, js.c, PlanRequest{Records: gone, Sources: ok("lab"), Now: day0.Add(60 * 24 * time.Hour)})
	var deletes int
	for _, b := range p.Batches {
		if b.Op == OpDelete {
			deletes += len(b.Ops)
			res, err := js.c.Apply(context.Background(), ApplyRequest{Plan: p, Batch: b.ID, Run: journalRun, Journal: true})
			require.NoError(t, err)
			assert.Zero(t, res.Journaled)
		}
	}
	require.Positive(t, deletes)
	assert.Equal(t, posts, js.posts.Load(), "no journal entry on a delete")
}

func TestJournalRetriedBatchWritesEachEntryOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		// fail is what goes wrong in each batch's first attempt.
		fail func(r *http.Request) (int, bool)
	}{
		{"answer lost after the journal", func(r *http.Request) (int, bool) {
			if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/"+journalEndpoint) {
				return http.StatusBadGateway, true
			}
			return 0, false
		}},
		{"answer of the objects' write lost", func(r *http.Request) (int, bool) {
			if r.Method != http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/"+journalEndpoint) &&
				!strings.HasPrefix(r.URL.Path, "/api/extras/") {
				return http.StatusBadGateway, true
			}
			return 0, false
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			js := newJournalSim(t)
			recs := withOrigins(labInventory("lab", 2, 1))
			p := roundTrip(t, planRetry(t, js.c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}))
			want := 0
			for _, b := range p.Batches {
				js.failWith(tc.fail)
				first, err := js.c.Apply(context.Background(), ApplyRequest{Plan: p, Batch: b.ID, Run: journalRun, Journal: true})
				js.failWith(func(*http.Request) (int, bool) { return 0, false })
				if err == nil {
					// The journal's answer was lost: the batch stands, its
					// journal reported as a problem.
					require.Len(t, first.Problems, 1, "batch %d", b.ID)
					assert.Equal(t, "journal", first.Problems[0].Key)
				}
				// Temporal retries the batch (its result lost, or its error).
				again, err := js.c.Apply(context.Background(), ApplyRequest{Plan: p, Batch: b.ID, Run: journalRun, Journal: true})
				require.NoError(t, err, "batch %d", b.ID)
				assert.Empty(t, again.Problems, "batch %d", b.ID)
				if b.Op == OpCreate {
					assert.Equal(t, len(b.Ops), again.AlreadyDone, "batch %d: the retry finds every object written", b.ID)
				}
				assert.Equal(t, len(b.Ops), again.Journaled, "batch %d: every object has its entry", b.ID)
				want += len(b.Ops)
			}
			n := js.allEntries(t)
			total := 0
			for obj, c := range n {
				total += c
				assert.LessOrEqual(t, c, 2, "%s: one entry a batch that wrote it (create, late update)", obj)
			}
			assert.Equal(t, want, total, "one entry per object and batch, none twice")
		})
	}
}

func TestJournalFailureIsAProblemNotAFailure(t *testing.T) {
	js := newJournalSim(t)
	recs := withOrigins(labInventory("lab", 1, 0))
	p := roundTrip(t, planRetry(t, js.c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}))
	js.failWith(func(r *http.Request) (int, bool) {
		if strings.HasPrefix(r.URL.Path, "/api/"+journalEndpoint) {
			return http.StatusInternalServerError, false
		}
		return 0, false
	})
	res := js.applyJournaled(t, p)
	tot := totals(res)
	assert.Equal(t, len(recs), tot.Created, "the objects are written all the same")
	assert.Zero(t, tot.Journaled)
	assert.Zero(t, tot.Failed)
	require.NotEmpty(t, tot.Problems)
	for _, pr := range tot.Problems {
		assert.Equal(t, "journal", pr.Key)
		assert.Contains(t, pr.Reason, "journal entries of batch")
		assert.Contains(t, strings.Join(pr.Messages, " "), "500")
	}
	assert.Zero(t, js.posts.Load(), "nothing reached NetBox's journal")
}

func TestJournalOffWritesNoEntry(t *testing.T) {
	js := newJournalSim(t)
	recs := withOrigins(labInventory("lab", 1, 1))
	p := planRetry(t, js.c, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0})
	for _, b := range p.Batches {
		res, err := js.c.Apply(context.Background(), ApplyRequest{Plan: p, Batch: b.ID, Run: journalRun})
		require.NoError(t, err)
		assert.Zero(t, res.Journaled)
	}
	assert.Empty(t, js.allEntries(t))
}

func TestJournalCommentsKeepSecretsAndMarkdownOut(t *testing.T) {
	s := specFor(inventory.KindDevice)
	token := "0123456789abcdef0123456789abcdef01234567"
	op := &Operation{Key: "fs/lab/device/x", Name: "x", Changes: []Change{
		{Field: "description", From: nil, To: "see | the `runbook`\nnext line"},
		{Field: "comments", From: "old", To: "api key Token " + token},
		{Field: "serial", From: "A", To: strings.Repeat("9", 300)},
	}, Sources: map[string]string{"description": "inv|entory"}}
	got := journalComments("netbox-agent run `r` batch 0001", OpUpdate, op, s, "Token "+token)
	assert.NotContains(t, got, token, "no token in a journal entry")
	assert.Contains(t, got, "| description | `see \\| the 'runbook' next line` | — | inv\\|entory |")
	assert.Contains(t, got, "`"+strings.Repeat("9", maxJournalValue)+"…`", "a long value is cut")
	lines := strings.Split(strings.TrimSpace(got), "\n")
	assert.Len(t, lines, 3+1+2+3, "marker, blank, what happened, blank, header, rule, one row a field")
}
