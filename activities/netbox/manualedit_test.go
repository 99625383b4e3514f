package netbox

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

func TestWrittenRoundTrip(t *testing.T) {
	m := map[string]string{"serial": writtenHash("SN1"), "description": writtenHash("web server")}
	s := formatWritten(m)
	assert.Equal(t, "description="+writtenHash("web server")+";serial="+writtenHash("SN1"), s, "sorted by field")
	assert.Equal(t, m, parseWritten(s))
	assert.Len(t, writtenHash("web server"), 8)
	assert.NotEqual(t, writtenHash("1"), writtenHash(int64(1)), "a string and a number differ")
	assert.Equal(t, writtenHash(int64(2048)), writtenHash(mustCanon(t, typeInt, float64(2048))), "as NetBox answers it")
	assert.Equal(t, map[string]string{"name": "ab12cd34"}, parseWritten("name=ab12cd34;garbage;=x;serial="), "malformed pairs read as never written")
	assert.Nil(t, parseWritten(""))
}

func mustCanon(t *testing.T, ft fieldType, v any) any {
	t.Helper()
	c, ok := canon(ft, v)
	require.True(t, ok)
	return c
}

// TestManualEdits plans an update of pve1, which the agent wrote with the
// description "web server", against NetBox as each case leaves it.
func TestManualEdits(t *testing.T) {
	written := edit(labInventory("lab", 1, 0), pve1, "description", "web server")
	const kept = `description was edited in NetBox ("rack 3, left"); the sources say "db server"; kept (on_manual_edit: keep)`
	cases := []struct {
		name    string
		netbox  string            // pve1's description in NetBox
		forget  bool              // pve1 has no agent_written (written before hashes were kept)
		sources string            // the description the sources now say
		policy  string            // on_manual_edit
		fields  map[string]string // on_manual_edit_fields
		writes  bool              // the description is written
		finding string            // the finding about it, "" for none
		edits   int               // manual edits counted
	}{
		{name: "no hash: the sources win as before", netbox: "rack 3, left", forget: true, sources: "db server", writes: true},
		{name: "source changed", netbox: "web server", sources: "db server", writes: true},
		{name: "operator edited: keep", netbox: "rack 3, left", sources: "db server", finding: kept, edits: 1},
		{name: "operator edited, sources unchanged: keep", netbox: "rack 3, left", sources: "web server", edits: 1,
			finding: `description was edited in NetBox ("rack 3, left"); the sources say "web server"; kept (on_manual_edit: keep)`},
		{name: "operator edited: overwrite", netbox: "rack 3, left", sources: "db server", policy: EditOverwrite, writes: true, edits: 1,
			finding: `description was edited in NetBox ("rack 3, left"); the sources say "db server"; overwritten (on_manual_edit: overwrite)`},
		{name: "operator edited: report", netbox: "rack 3, left", sources: "db server", policy: EditReport, edits: 1,
			finding: `description was edited in NetBox ("rack 3, left"); the sources say "db server"; not written (on_manual_edit: report)`},
		{name: "source changed: report writes on create only", netbox: "web server", sources: "db server", policy: EditReport,
			finding: `description differs in NetBox ("web server"); the sources say "db server"; not written (on_manual_edit: report)`},
		{name: "no hash: report", netbox: "rack 3, left", forget: true, sources: "db server", policy: EditReport,
			finding: `description differs in NetBox ("rack 3, left"); the sources say "db server"; not written (on_manual_edit: report)`},
		{name: "operator edited to the sources' value", netbox: "db server", sources: "db server"},
		{name: "field override wins over the default", netbox: "rack 3, left", sources: "db server",
			fields: map[string]string{"description": EditOverwrite}, writes: true, edits: 1,
			finding: `description was edited in NetBox ("rack 3, left"); the sources say "db server"; overwritten (on_manual_edit: overwrite)`},
		{name: "kind-qualified override wins over a plain one", netbox: "rack 3, left", sources: "db server", policy: EditOverwrite,
			fields: map[string]string{"description": EditOverwrite, "device.description": EditKeep}, finding: kept, edits: 1},
		{name: "another kind's override does not apply", netbox: "rack 3, left", sources: "db server",
			fields: map[string]string{"site.description": EditOverwrite}, finding: kept, edits: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := netboxAfter(t, written)
			dev := objectNamed(m, inventory.KindDevice, "pve1")
			dev["description"] = tc.netbox
			if tc.forget {
				delete(dev["custom_fields"].(map[string]any), CFAgentWritten)
			}
			cfg := testConfig()
			cfg.OnManualEdit, cfg.OnManualEditFields = tc.policy, tc.fields
			_, err := cfg.withDefaults()
			require.NoError(t, err)
			recs := edit(written, pve1, "description", tc.sources)
			p, err := buildPlan(context.Background(), m, cfg, PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}, netboxFacts{})
			require.NoError(t, err)

			ops := opsOf(p, pve1)
			if tc.writes {
				require.Len(t, ops, 1, "%v", p.Batches)
				assert.Equal(t, tc.sources, ops[0].Fields["description"])
				cf, _ := ops[0].Fields["custom_fields"].(map[string]any)
				w, _ := cf[CFAgentWritten].(string)
				assert.Equal(t, writtenHash(tc.sources), parseWritten(w)["description"], "the new value's hash is recorded")
				assert.Equal(t, writtenHash("SN0001"), parseWritten(w)["serial"], "with the hashes of the fields it did not write")
			} else {
				assert.Empty(t, ops, "nothing is written")
			}
			assert.Equal(t, tc.edits, p.Summary.ManualEdits)
			reasons := findingsOf(p, pve1)
			if tc.finding == "" {
				assert.Empty(t, reasons)
			} else {
				assert.Equal(t, []string{tc.finding}, reasons)
			}
		})
	}
}

// TestManualEditKeptWhileOtherFieldsChange: an update that writes another
// field leaves the edited one, and its recorded hash, as they are, so the
// edit is still told the next time.
func TestManualEditKeptWhileOtherFieldsChange(t *testing.T) {
	written := edit(labInventory("lab", 1, 0), pve1, "description", "web server")
	m := netboxAfter(t, written)
	dev := objectNamed(m, inventory.KindDevice, "pve1")
	dev["description"] = "rack 3, left"
	recs := edit(written, pve1, "serial", "SN9999")
	p, err := buildPlan(context.Background(), m, testConfig(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}, netboxFacts{})
	require.NoError(t, err)
	ops := opsOf(p, pve1)
	require.Len(t, ops, 1)
	assert.Equal(t, []string{"custom_fields", "serial"}, sortedKeys(ops[0].Fields))
	w, _ := ops[0].Fields["custom_fields"].(map[string]any)[CFAgentWritten].(string)
	assert.Equal(t, writtenHash("web server"), parseWritten(w)["description"], "the hash of what the agent wrote stays")
	assert.Equal(t, writtenHash("SN9999"), parseWritten(w)["serial"])
	assert.Equal(t, 1, p.Summary.ManualEdits)
}

// TestManualEditPendingRef: a reference to an object this plan creates is
// never edit-checked; its field's hash goes, as its value is not known yet.
func TestManualEditPendingRef(t *testing.T) {
	lab := labInventory("lab", 1, 0)
	m := netboxAfter(t, lab)
	dev := objectNamed(m, inventory.KindDevice, "pve1")
	dev["site"] = map[string]any{"id": float64(77)} // moved by hand
	office := inventory.SharedKey(inventory.KindSite, "Office")
	recs := append(clone(lab), rec(inventory.KindSite, office, "lab", map[string]any{"name": "Office", "status": "active"}, nil))
	for i := range recs {
		if recs[i].Key == pve1 {
			recs[i].Ref("site", office)
		}
	}
	p, err := buildPlan(context.Background(), m, testConfig(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}, netboxFacts{})
	require.NoError(t, err)
	ops := opsOf(p, pve1)
	require.Len(t, ops, 1, "%v", p.Batches)
	assert.Equal(t, Ref{Kind: inventory.KindSite, Key: office}, ops[0].Refs["site"])
	w, _ := ops[0].Fields["custom_fields"].(map[string]any)[CFAgentWritten].(string)
	_, has := parseWritten(w)["site"]
	assert.False(t, has, "no hash for a value not known yet: %s", w)
	assert.NotEmpty(t, parseWritten(w)["name"])
	assert.Zero(t, p.Summary.ManualEdits)
	assert.Empty(t, findingsOf(p, pve1))
}

// TestUnchangedResyncWritesNoHashes: objects written before the hashes
// were kept get none by a re-sync that changes nothing.
func TestUnchangedResyncWritesNoHashes(t *testing.T) {
	lab := labInventory("lab", 2, 1)
	for _, forget := range []bool{false, true} {
		m := netboxAfter(t, lab)
		n := 0
		for _, objs := range m.objs {
			for _, raw := range objs {
				cf := raw["custom_fields"].(map[string]any)
				if _, ok := cf[CFAgentWritten]; ok {
					n++
				}
				if forget {
					delete(cf, CFAgentWritten)
				}
			}
		}
		require.Positive(t, n, "the agent's creates record their hashes")
		p, err := buildPlan(context.Background(), m, testConfig(), PlanRequest{Records: lab, Sources: ok("lab"), Now: day0}, netboxFacts{})
		require.NoError(t, err)
		assert.Zero(t, p.Operations(), "forget=%v: %v", forget, p.Batches)
		assert.Zero(t, p.Summary.ManualEdits)
	}
}

func TestCreateRecordsHashes(t *testing.T) {
	recs := edit(labInventory("lab", 1, 0), pve1, "description", "web server")
	p, err := buildPlan(context.Background(), &memFetcher{}, testConfig(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}, netboxFacts{})
	require.NoError(t, err)
	ops := opsOf(p, pve1)
	require.Len(t, ops, 1)
	w, _ := ops[0].Fields["custom_fields"].(map[string]any)[CFAgentWritten].(string)
	got := parseWritten(w)
	assert.Equal(t, writtenHash("web server"), got["description"])
	assert.Equal(t, writtenHash("pve1"), got["name"])
	_, site := got["site"]
	assert.False(t, site, "the site is created by the same plan: %s", w)
}

func TestManualEditConfig(t *testing.T) {
	cases := []struct {
		policy string
		fields map[string]string
		err    string
	}{
		{policy: "", fields: nil},
		{policy: EditReport, fields: map[string]string{"device.serial": EditOverwrite, "description": EditKeep}},
		{policy: "ignore", err: `on_manual_edit: unknown policy "ignore"`},
		{fields: map[string]string{"description": "always"}, err: `on_manual_edit_fields.description: unknown policy "always"`},
		{fields: map[string]string{"gadget.serial": EditKeep}, err: `on_manual_edit_fields.gadget.serial: kind "gadget" is not written to NetBox`},
		{fields: map[string]string{"device.colour": EditKeep}, err: `on_manual_edit_fields.device.colour: device has no field "colour"`},
		{fields: map[string]string{"colour": EditKeep}, err: `on_manual_edit_fields.colour: no kind has a field "colour"`},
	}
	for _, tc := range cases {
		cfg := DefaultConfig()
		cfg.OnManualEdit, cfg.OnManualEditFields = tc.policy, tc.fields
		_, err := cfg.withDefaults()
		if tc.err == "" {
			assert.NoError(t, err)
			continue
		}
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.err)
	}
}

// opsOf are the main-phase operations of the record key.
func opsOf(p *Plan, key string) []Operation {
	var out []Operation
	for _, b := range p.Batches {
		if b.Phase != PhaseMain {
			continue
		}
		for _, op := range b.Ops {
			if op.Key == key {
				out = append(out, op)
			}
		}
	}
	return out
}

// findingsOf are the reasons of the findings about the record key, the
// dropped fields aside.
func findingsOf(p *Plan, key string) []string {
	var out []string
	for _, f := range p.Findings {
		if f.Key == key && !strings.HasPrefix(f.Reason, "field not written") {
			out = append(out, f.Reason)
		}
	}
	return out
}

// TestManualEditLateField covers a field of the late phase, pve1's
// primary IP, which an operator points elsewhere.
func TestManualEditLateField(t *testing.T) {
	lab := labInventory("lab", 1, 0)
	setup := func(t *testing.T, hashed bool) (*memFetcher, int64) {
		m := netboxAfter(t, lab)
		dev := objectNamed(m, inventory.KindDevice, "pve1")
		id, ok := refID(dev["primary_ip4"])
		require.True(t, ok)
		require.NotNil(t, id, "the first sync set the primary IP")
		cf := dev["custom_fields"].(map[string]any)
		w := parseWritten(cf[CFAgentWritten].(string))
		_, has := w["primary_ip4"]
		require.False(t, has, "a create's late field has no hash yet")
		if hashed {
			w["primary_ip4"] = writtenHash(id)
			cf[CFAgentWritten] = formatWritten(w)
		}
		dev["primary_ip4"] = map[string]any{"id": float64(999)}
		return m, id.(int64)
	}
	late := func(p *Plan) []Operation {
		var out []Operation
		for _, b := range p.Batches {
			for _, op := range b.Ops {
				if b.Phase == PhaseLate && op.Key == pve1 {
					out = append(out, op)
				}
			}
		}
		return out
	}

	t.Run("no hash: written and recorded by the late update", func(t *testing.T) {
		m, id := setup(t, false)
		p, err := buildPlan(context.Background(), m, testConfig(), PlanRequest{Records: lab, Sources: ok("lab"), Now: day0}, netboxFacts{})
		require.NoError(t, err)
		require.Empty(t, opsOf(p, pve1))
		ops := late(p)
		require.Len(t, ops, 1)
		assert.Equal(t, id, ops[0].Fields["primary_ip4"])
		w, _ := ops[0].Fields["custom_fields"].(map[string]any)[CFAgentWritten].(string)
		assert.Equal(t, writtenHash(id), parseWritten(w)["primary_ip4"])
		assert.Equal(t, writtenHash("pve1"), parseWritten(w)["name"], "merged with the other fields' hashes")
		assert.Zero(t, p.Summary.ManualEdits)
	})
	t.Run("operator edit: kept", func(t *testing.T) {
		m, id := setup(t, true)
		p, err := buildPlan(context.Background(), m, testConfig(), PlanRequest{Records: lab, Sources: ok("lab"), Now: day0}, netboxFacts{})
		require.NoError(t, err)
		assert.Empty(t, late(p))
		assert.Equal(t, 1, p.Summary.ManualEdits)
		assert.Equal(t, []string{fmt.Sprintf("primary_ip4 was edited in NetBox (999); the sources say %d; kept (on_manual_edit: keep)", id)}, findingsOf(p, pve1))
	})
	t.Run("with a main update: the main update drops the late field's hash", func(t *testing.T) {
		m, id := setup(t, false)
		recs := edit(lab, pve1, "description", "web server")
		p, err := buildPlan(context.Background(), m, testConfig(), PlanRequest{Records: recs, Sources: ok("lab"), Now: day0}, netboxFacts{})
		require.NoError(t, err)
		main := opsOf(p, pve1)
		require.Len(t, main, 1)
		w, _ := main[0].Fields["custom_fields"].(map[string]any)[CFAgentWritten].(string)
		assert.Equal(t, writtenHash("web server"), parseWritten(w)["description"])
		_, has := parseWritten(w)["primary_ip4"]
		assert.False(t, has, "no hash for a write that may not happen: %s", w)
		ops := late(p)
		require.Len(t, ops, 1)
		assert.Equal(t, id, ops[0].Fields["primary_ip4"])
		assert.NotContains(t, ops[0].Fields, "custom_fields", "the late update leaves agent_written to the main one")
	})
}
