package inventory

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// mergeCase is the input file of a golden merge test.
type mergeCase struct {
	Options MergeOptions `json:"options"`
	Inputs  []MergeInput `json:"inputs"`
}

func loadMergeCase(t *testing.T, path string) mergeCase {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var c mergeCase
	require.NoError(t, json.Unmarshal(data, &c))
	for i := range c.Inputs {
		for j := range c.Inputs[i].Records {
			NormalizeRecord(&c.Inputs[i].Records[j])
		}
	}
	return c
}

func TestMergeGolden(t *testing.T) {
	paths, err := filepath.Glob("testdata/merge/*.json")
	require.NoError(t, err)
	var cases []string
	for _, p := range paths {
		if !strings.HasSuffix(p, ".golden.json") {
			cases = append(cases, p)
		}
	}
	require.NotEmpty(t, cases)
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			c := loadMergeCase(t, path)
			got, err := Merge(c.Inputs, c.Options)
			require.NoError(t, err)
			checkMerged(t, c.Inputs, got)

			text, err := json.MarshalIndent(got, "", "  ")
			require.NoError(t, err)
			text = append(text, '\n')
			golden := strings.TrimSuffix(path, ".json") + ".golden.json"
			if *update {
				require.NoError(t, os.WriteFile(golden, text, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create the golden file")
			assert.Equal(t, string(want), string(text))
		})
	}
}

// checkMerged asserts what holds for every merge: unique keys, sorted
// output, no reference to an alias, every input key reachable, an origin
// for every field, one match per record that was joined.
func checkMerged(t *testing.T, in []MergeInput, got *Merged) {
	t.Helper()
	keys := map[string]bool{}
	alias := map[string]string{}
	for i, r := range got.Records {
		require.False(t, keys[r.Key], "duplicate key %s", r.Key)
		keys[r.Key] = true
		for _, a := range r.Aliases {
			alias[a] = r.Key
		}
		if i > 0 {
			p := got.Records[i-1]
			assert.True(t, p.Kind.Order() < r.Kind.Order() || (p.Kind == r.Kind && p.Key < r.Key), "not sorted at %s", r.Key)
		}
		for f := range r.Attrs {
			assert.NotEmpty(t, r.Origin[f], "%s: no origin for %s", r.Key, f)
		}
		for f := range r.Refs {
			assert.NotEmpty(t, r.Origin[f], "%s: no origin for %s", r.Key, f)
		}
	}
	for _, s := range in {
		for _, r := range s.Records {
			if r.Key == "" || !r.Kind.Valid() {
				continue
			}
			assert.True(t, keys[r.Key] || alias[r.Key] != "", "input key %s was lost", r.Key)
		}
	}
	for _, r := range got.Records {
		for f, k := range r.Refs {
			_, isAlias := alias[k]
			assert.False(t, isAlias && !keys[k], "%s: %s still refers to alias %s (now %s)", r.Key, f, k, alias[k])
		}
	}
	distinct := map[string]bool{}
	for _, s := range in {
		for _, r := range s.Records {
			if r.Key != "" && r.Kind.Valid() {
				distinct[s.Source+"\x00"+r.Key] = true
			}
		}
	}
	assert.Equal(t, len(distinct), len(got.Records)+len(got.Matches)+reused(got.Skipped), "every input record is a survivor, a match or skipped")
}

// reused counts the skipped records that had a valid key and kind.
func reused(skipped []SkippedRecord) int {
	n := 0
	for _, s := range skipped {
		if strings.HasPrefix(s.Reason, "key already used by a ") || strings.HasPrefix(s.Reason, "same key as a record of ") {
			n++
		}
	}
	return n
}

// TestMergeOrderIndependent shuffles sources and records: the output must
// not change.
func TestMergeOrderIndependent(t *testing.T) {
	paths, err := filepath.Glob("testdata/merge/*.json")
	require.NoError(t, err)
	for _, path := range paths {
		if strings.HasSuffix(path, ".golden.json") {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			c := loadMergeCase(t, path)
			want, err := Merge(c.Inputs, c.Options)
			require.NoError(t, err)
			wantJSON, err := json.Marshal(want)
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(1, 2))
			for round := 0; round < 20; round++ {
				shuffled := make([]MergeInput, len(c.Inputs))
				copy(shuffled, c.Inputs)
				rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				for i := range shuffled {
					recs := append([]Record(nil), shuffled[i].Records...)
					rng.Shuffle(len(recs), func(a, b int) { recs[a], recs[b] = recs[b], recs[a] })
					shuffled[i].Records = recs
				}
				got, err := Merge(shuffled, c.Options)
				require.NoError(t, err)
				gotJSON, err := json.Marshal(got)
				require.NoError(t, err)
				require.JSONEq(t, string(wantJSON), string(gotJSON), "round %d", round)
			}
		})
	}
}

func TestMergeRules(t *testing.T) {
	dev := func(key, name, serial string) Record {
		r := Record{Kind: KindDevice, Key: key}
		r.Set("name", name)
		r.Set("serial", serial)
		r.Ref("site", "site/home")
		r.Ref("role", "device_role/server")
		r.Ref("device_type", "device_type/box")
		return r
	}
	cases := []struct {
		name    string
		a, b    []Record
		records int
		rule    string
	}{
		{name: "same key", a: []Record{dev("k/1", "x", "")}, b: []Record{dev("k/1", "y", "")}, records: 1, rule: RuleKey},
		{name: "same serial, any case", a: []Record{dev("a/1", "x", "SN1")}, b: []Record{dev("b/1", "y", "sn1")}, records: 1, rule: RuleSerial},
		{name: "placeholder serial", a: []Record{dev("a/1", "x", "")}, b: []Record{{Kind: KindDevice, Key: "b/1", Attrs: map[string]any{"name": "y", "serial": "Default string"}}}, records: 2},
		{name: "same name and site", a: []Record{dev("a/1", "Box", "")}, b: []Record{dev("b/1", "box", "")}, records: 1, rule: RuleName},
		{name: "same name, other site", a: []Record{dev("a/1", "box", "")}, b: []Record{func() Record { r := dev("b/1", "box", ""); r.Ref("site", "site/away"); return r }()}, records: 2},
		{name: "different serials, same name", a: []Record{dev("a/1", "box", "S1")}, b: []Record{dev("b/1", "box", "S2")}, records: 2},
		{name: "different serials, same key", a: []Record{dev("k/1", "box", "S1")}, b: []Record{dev("k/1", "box", "S2")}, records: 1},
		{name: "two of one source never join", a: []Record{dev("a/1", "box", "S1"), dev("a/2", "box", "S1")}, records: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Merge([]MergeInput{{Source: "a", Records: tc.a}, {Source: "b", Priority: 1, Records: tc.b}}, MergeOptions{})
			require.NoError(t, err)
			assert.Len(t, got.Records, tc.records)
			if tc.rule == "" {
				assert.Empty(t, got.Matches)
				return
			}
			require.Len(t, got.Matches, 1)
			assert.Equal(t, tc.rule, got.Matches[0].Rule)
			assert.Equal(t, "a", got.Records[0].Source, "the better source keeps its key")
		})
	}
}

func TestMergeAuthority(t *testing.T) {
	a := Record{Kind: KindDevice, Key: "a/1", Attrs: map[string]any{"name": "x", "serial": "S1", "description": "from a"}}
	b := Record{Kind: KindDevice, Key: "b/1", Attrs: map[string]any{"name": "x", "serial": "S1", "description": "from b", "asset_tag": "T"}}
	cases := []struct {
		name   string
		auth   map[string][]string
		origin map[string]string
	}{
		{name: "priority", origin: map[string]string{"name": "a", "serial": "a", "description": "a", "asset_tag": "b"}},
		{name: "plain field", auth: map[string][]string{"description": {"b"}}, origin: map[string]string{"name": "a", "serial": "a", "description": "b", "asset_tag": "b"}},
		{name: "kind field wins", auth: map[string][]string{"description": {"a"}, "device.description": {"b"}}, origin: map[string]string{"name": "a", "serial": "a", "description": "b", "asset_tag": "b"}},
		{name: "authority that lacks the field", auth: map[string][]string{"asset_tag": {"a"}}, origin: map[string]string{"name": "a", "serial": "a", "description": "a", "asset_tag": "b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Merge([]MergeInput{{Source: "b", Priority: 2, Records: []Record{b}}, {Source: "a", Priority: 1, Records: []Record{a}}}, MergeOptions{Authority: tc.auth})
			require.NoError(t, err)
			require.Len(t, got.Records, 1)
			assert.Equal(t, tc.origin, got.Records[0].Origin)
			assert.Equal(t, "from "+tc.origin["description"], got.Records[0].Attrs["description"])
			assert.Equal(t, []string{"b/1"}, got.Records[0].Aliases)
		})
	}
}

func TestMergeEmpty(t *testing.T) {
	got, err := Merge(nil, MergeOptions{})
	require.NoError(t, err)
	assert.Empty(t, got.Records)
	assert.Empty(t, got.Matches)
}

// benchInputs builds about n records over three sources that overlap the
// way real ones do: a hypervisor and an inventory file describe the same
// hosts (by serial, MAC and name), a scanner sees their addresses.
func benchInputs(n int) []MergeInput {
	hosts := n / 20
	var files, pve, scan []Record
	add := func(recs *[]Record, kind Kind, key string, attrs map[string]any, refs map[string]string) {
		*recs = append(*recs, Record{Kind: kind, Key: key, Attrs: attrs, Refs: refs})
	}
	for h := 0; h < hosts; h++ {
		name := fmt.Sprintf("host%05d", h)
		serial := fmt.Sprintf("SN%07d", h)
		for _, s := range []struct {
			recs   *[]Record
			prefix string
		}{{&files, "filesystem/files/device/" + name}, {&pve, fmt.Sprintf("proxmox/pve/node/%d", h)}} {
			refs := map[string]string{"site": "site/dc" + fmt.Sprint(h%4), "role": "device_role/server", "device_type": "device_type/box"}
			add(s.recs, KindDevice, s.prefix, map[string]any{"name": name, "serial": serial, "status": "active"}, refs)
			for i := 0; i < 4; i++ {
				ik := s.prefix + fmt.Sprintf("/iface/eth%d", i)
				add(s.recs, KindInterface, ik, map[string]any{"name": fmt.Sprintf("eth%d", i), "type": "1000base-t"}, map[string]string{"device": s.prefix})
				mac := fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", h>>16&0xff, h>>8&0xff, h&0xff, i)
				add(s.recs, KindMACAddress, ik+"/mac", map[string]any{"mac_address": mac}, map[string]string{"interface": ik})
				if i < 2 {
					addr := fmt.Sprintf("10.%d.%d.%d/16", i, h>>8&0xff, h&0xff)
					add(s.recs, KindIPAddress, ik+"/ip/"+addr, map[string]any{"address": addr}, map[string]string{"interface": ik})
				}
			}
		}
		addr := fmt.Sprintf("10.0.%d.%d/32", h>>8&0xff, h&0xff)
		add(&scan, KindIPAddress, "scanner/lan/ip/"+addr, map[string]any{"address": addr, "dns_name": name + ".lan"}, nil)
	}
	return []MergeInput{{Source: "files", Priority: 0, Records: files}, {Source: "pve", Priority: 1, Records: pve}, {Source: "scan", Priority: 2, Records: scan}}
}

func TestBenchInputsMerge(t *testing.T) {
	in := benchInputs(2000)
	got, err := Merge(in, MergeOptions{})
	require.NoError(t, err)
	checkMerged(t, in, got)
	hosts := 2000 / 20
	// Each host: files and pve describe the same 1 device, 4 interfaces,
	// 4 MACs, 2 IPs; the scanner's address joins one of them.
	assert.Len(t, got.Records, hosts*11)
	assert.Empty(t, got.Conflicts)
}

func BenchmarkMerge(b *testing.B) {
	in := benchInputs(100_000)
	total := 0
	for _, s := range in {
		total += len(s.Records)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var out *Merged
	for b.Loop() {
		var err error
		out, err = Merge(in, MergeOptions{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total), "records/op")
	b.ReportMetric(float64(len(out.Matches)), "matches/op")
}

// VLANs are known by their VID within their group: two sources' VLAN 20
// of the same cluster's group are one VLAN, whatever each names it; VLAN
// 30 is another.
func TestMergeVLANsByVID(t *testing.T) {
	group := func(key string) Record {
		r := Record{Kind: KindVLANGroup, Key: key}
		r.Set("name", "pve")
		r.Ref("cluster", "cluster/pve")
		return r
	}
	vlan := func(key, group string, vid int, name string) Record {
		r := Record{Kind: KindVLAN, Key: key}
		r.Set("vid", vid)
		r.Set("name", name)
		r.Ref("group", group)
		return r
	}
	a := []Record{group("a/g"), vlan("a/g/20", "a/g", 20, "VLAN 20")}
	b := []Record{group("b/g"), vlan("b/g/20", "b/g", 20, "users"), vlan("b/g/30", "b/g", 30, "VLAN 30")}
	got, err := Merge([]MergeInput{{Source: "a", Records: a}, {Source: "b", Priority: 1, Records: b}}, MergeOptions{})
	require.NoError(t, err)
	byKey := map[string]Record{}
	for _, r := range got.Records {
		byKey[r.Key] = r
	}
	require.Len(t, got.Records, 3, "one group, VLANs 20 and 30")
	assert.Contains(t, byKey, "a/g")
	require.Contains(t, byKey, "a/g/20")
	assert.Equal(t, "VLAN 20", byKey["a/g/20"].Attrs["name"], "the better source names it")
	require.Contains(t, byKey, "b/g/30")
	assert.Equal(t, "a/g", byKey["b/g/30"].Refs["group"], "VLAN 30 moves to the joined group")
	rules := map[string]string{}
	for _, m := range got.Matches {
		rules[m.Record] = m.Rule
	}
	assert.Equal(t, map[string]string{"b/g": RuleName, "b/g/20": RuleName}, rules)
}
